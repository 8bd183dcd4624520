/**
 * What the dashboard and the metrics cost, side by side: the same server measured without any
 * viewer and with one dashboard stream open plus a /metrics scrape every second (a far busier
 * Prometheus than the usual 15 s), in alternating rounds so that other load on the machine falls
 * on both alike.
 *
 *   1. engine hash rate: one Nostr job out of reach keeps the engine busy; the rate is read from
 *      the engine's attempt count over each round;
 *   2. cached /pow throughput: clients on keep-alive connections ask the same solved Nano hash as
 *      fast as answers come;
 *   3. the idle server's CPU time per second (process.cpuUsage): the dashboard's fixed cost, which
 *      other load on the machine does not blur.
 *
 * Prints a Markdown table for docs/benchmarks.md.
 *
 *   node dist/bench/dashboard.js [seconds per round = 4] [rounds per side = 3]
 */
import { mkdtempSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { loadConfig } from '../src/config.js';
import { startServer, type RunningServer } from '../src/server.js';
import { formatRate } from '../src/commands/common.js';

const seconds = Number(process.argv[2] ?? 4);
const rounds = Number(process.argv[3] ?? 3);
if (!(seconds > 0) || !Number.isInteger(rounds) || rounds < 1) {
  process.stderr.write('usage: node dist/bench/dashboard.js [seconds per round > 0] [rounds >= 1]\n');
  process.exit(2);
}
const CLIENTS = 16;
const HASH = '7'.repeat(64);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One dashboard stream read to the end, and /metrics scraped every second, until stop. */
function watch(server: RunningServer, stop: AbortSignal): Promise<void> {
  const base = `http://127.0.0.1:${server.addresses.http.port}`;
  const stream = (async () => {
    const response = await fetch(`${base}/dashboard/events`, { signal: stop });
    const reader = response.body!.getReader();
    try {
      while (!(await reader.read()).done);
    } catch {
      // aborted
    }
  })();
  const scrape = (async () => {
    while (!stop.aborted) {
      await (await fetch(`${base}/metrics`)).text();
      await sleep(1000);
    }
  })();
  return Promise.all([stream.catch(() => {}), scrape]).then(() => undefined);
}

async function engineRate(server: RunningServer): Promise<number> {
  const before = server.engine.stats!().totalAttempts;
  const started = performance.now();
  await sleep(seconds * 1000);
  return ((server.engine.stats!().totalAttempts - before) * 1000) / (performance.now() - started);
}

async function cachedPowRate(server: RunningServer): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const body = JSON.stringify({ hash: HASH, difficulty: 'ff00000000000000' });
  const ask = () =>
    new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.addresses.http.port, path: '/pow', method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
  let answered = 0;
  const deadline = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < deadline) {
        await ask();
        answered += 1;
      }
    }),
  );
  agent.destroy();
  return (answered * 1000) / (seconds * 1000);
}

/** CPU time this process spends per second of wall time, in milliseconds, while idle. */
async function idleCpu(): Promise<number> {
  const before = process.cpuUsage();
  const started = performance.now();
  await sleep(seconds * 1000);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1000 / ((performance.now() - started) / 1000);
}

/** Rounds without and with a viewer in A B B A order (no side always goes first); the mean of each side. */
async function sideBySide(server: RunningServer, measure: () => Promise<number>): Promise<{ plain: number; watched: number }> {
  const plain: number[] = [];
  const watched: number[] = [];
  const watchedRound = async (): Promise<void> => {
    const stop = new AbortController();
    const watching = watch(server, stop.signal);
    await sleep(300);
    watched.push(await measure());
    stop.abort();
    await watching;
  };
  for (let round = 0; round < rounds; round++) {
    if (round % 2 === 0) {
      plain.push(await measure());
      await watchedRound();
    } else {
      await watchedRound();
      plain.push(await measure());
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return { plain: mean(plain), watched: mean(watched) };
}

const threads = Math.max(1, availableParallelism() - 1);
const config = loadConfig({ flags: { host: '127.0.0.1', port: 0, metanoiaPort: 0, stratumPort: 0, gatePort: 0, logLevel: 'silent', threads, stateDir: mkdtempSync(join(tmpdir(), 'powerplant-bench-')) } });
const server = await startServer(config);
try {
  // The engine: a job nobody will finish keeps every thread busy.
  const ws = new WebSocket(`ws://127.0.0.1:${server.addresses.http.port}/`);
  await new Promise((resolve) => ws.once('open', resolve));
  // 39 bits: hours of work here, yet inside the default per-address budget of expected attempts.
  let answered: string | undefined;
  ws.once('message', (data) => (answered = String(data)));
  ws.send(JSON.stringify({ event: { created_at: 1, kind: 1, tags: [], content: 'bench', pubkey: 'ab'.repeat(32) }, target_pow: 39 }));
  await sleep(1000);
  if (answered !== undefined) throw new Error(`the engine job was answered at once: ${answered}`);
  const engine = await sideBySide(server, () => engineRate(server));
  ws.close();
  await sleep(500);

  // The cache: solve the hash once, then ask it again and again.
  await cachedPowRate(server);
  const pow = await sideBySide(server, () => cachedPowRate(server));
  const idle = await sideBySide(server, idleCpu);

  const cost = (m: { plain: number; watched: number }) => `${(((m.plain - m.watched) / m.plain) * 100).toFixed(1)} %`;
  process.stdout.write(`${new Date().toISOString().slice(0, 10)}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, engine ${server.engine.backend} × ${server.engine.threads}, ${rounds} rounds of ${seconds} s per side\n\n`);
  process.stdout.write('| measure | no viewer | dashboard open + /metrics every 1 s | cost |\n|---|---|---|---|\n');
  process.stdout.write(`| engine hash rate (sha256 text) | ${formatRate(engine.plain)}H/s | ${formatRate(engine.watched)}H/s | ${cost(engine)} |\n`);
  process.stdout.write(`| cached POST /pow, ${CLIENTS} keep-alive clients | ${formatRate(pow.plain)}req/s | ${formatRate(pow.watched)}req/s | ${cost(pow)} |\n`);
  process.stdout.write(`| idle server CPU (ms per s, one core = 1000) | ${idle.plain.toFixed(1)} | ${idle.watched.toFixed(1)} | +${(idle.watched - idle.plain).toFixed(1)} ms/s |\n`);
} finally {
  await server.close();
}
