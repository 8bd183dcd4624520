/**
 * The server under load, from outside: `powerplant serve` in a child process (native engine, the
 * default config), driven over loopback by raw keep-alive connections from this process.
 *
 * 1. /healthz latency, idle and under a flood of junk lines on the Metanoia door;
 * 2. fairness: four clients hold maximum-difficulty Nano jobs (multiplier nano.max_multiplier),
 *    and a fifth asks receive-difficulty work, several times: how long each answer takes;
 * 3. cached /pow throughput: many connections asking work the cache holds.
 *
 * Prints a Markdown summary for docs/benchmarks.md.
 *
 *   node dist/bench/load.js [seconds of throughput = 5] [connections = 32]
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/helpers/server.js';

const seconds = Number(process.argv[2] ?? 5);
const connections = Number(process.argv[3] ?? 32);
const CLI = new URL('../src/cli.js', import.meta.url).pathname;
const RECEIVE = 'fffffe0000000000';

/** One keep-alive HTTP/1.1 connection asking one request at a time. */
class HttpConnection {
  readonly #socket: Socket;
  #buffer = '';
  #waiting: ((answer: { status: number; body: string }) => void) | null = null;

  constructor(port: number) {
    this.#socket = connect(port, '127.0.0.1');
    this.#socket.setNoDelay(true);
    this.#socket.on('error', () => {});
    this.#socket.on('data', (chunk: Buffer) => {
      this.#buffer += chunk.toString('latin1');
      this.#take();
    });
  }

  #take(): void {
    const headEnd = this.#buffer.indexOf('\r\n\r\n');
    if (headEnd === -1 || this.#waiting === null) return;
    const length = Number(/content-length: (\d+)/i.exec(this.#buffer.slice(0, headEnd))?.[1] ?? 0);
    if (this.#buffer.length < headEnd + 4 + length) return;
    const status = Number(this.#buffer.slice(9, 12));
    const body = this.#buffer.slice(headEnd + 4, headEnd + 4 + length);
    this.#buffer = this.#buffer.slice(headEnd + 4 + length);
    const resolve = this.#waiting;
    this.#waiting = null;
    resolve({ status, body });
  }

  request(method: 'GET' | 'POST', path: string, body = ''): Promise<{ status: number; body: string }> {
    return new Promise((resolve) => {
      this.#waiting = resolve;
      const type = body === '' ? '' : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
      this.#socket.write(`${method} ${path} HTTP/1.1\r\nHost: bench\r\n${type}\r\n${body}`);
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}

const pow = (hash: string, extra: Record<string, string>): string => JSON.stringify({ hash, ...extra });
const hash = (): string => randomBytes(32).toString('hex').toUpperCase();
const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
const ms = (value: number): string => `${value.toFixed(1)} ms`;

async function healthLatencies(port: number, count: number): Promise<number[]> {
  const probe = new HttpConnection(port);
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const answer = await probe.request('GET', '/healthz');
    if (answer.status !== 200) throw new Error(`/healthz answered ${answer.status}`);
    times.push(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  probe.close();
  return times.sort((a, b) => a - b);
}

/** Junk lines on the Metanoia door from `flooders` connections, reopened as the door closes them. */
function junkFlood(port: number, flooders: number): { stop(): number } {
  const junk = Buffer.from('this is not json\n'.repeat(4096));
  let stopped = false;
  let sent = 0;
  const open = (): void => {
    if (stopped) return;
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.resume();
    const pump = (): void => {
      while (!stopped && !socket.destroyed && socket.write(junk)) sent += junk.length;
    };
    socket.on('connect', pump);
    socket.on('drain', pump);
    socket.once('close', () => setTimeout(open, 1));
  };
  for (let i = 0; i < flooders; i++) open();
  return {
    stop() {
      stopped = true;
      return sent;
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'powerplant-load-'));
const [httpPort, metanoiaPort] = [await freePort(), await freePort()];
const server = spawn(
  process.execPath,
  [CLI, 'serve', '--state-dir', dir, '--port', String(httpPort), '--metanoia-port', String(metanoiaPort), '--stratum-port', '0', '--gate-port', '0', '--log-level', 'silent'],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
try {
  for (let attempt = 0; ; attempt++) {
    const up = await fetch(`http://127.0.0.1:${httpPort}/healthz`).then((answer) => answer.ok, () => false);
    if (up) break;
    if (attempt > 200) throw new Error('the server did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const lines: string[] = [];

  const idle = await healthLatencies(httpPort, 200);
  const flood = junkFlood(metanoiaPort, 4);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const flooded = await healthLatencies(httpPort, 500);
  const junkBytes = flood.stop();
  lines.push(
    `| /healthz idle (200 requests) | p50 ${ms(percentile(idle, 0.5))}, p99 ${ms(percentile(idle, 0.99))}, max ${ms(idle.at(-1)!)} |`,
    `| /healthz under Metanoia junk (4 connections, ${(junkBytes / 1e6).toFixed(0)} MB sent; 500 requests) | p50 ${ms(percentile(flooded, 0.5))}, p99 ${ms(percentile(flooded, 0.99))}, max ${ms(flooded.at(-1)!)} |`,
  );

  const holders = [0, 1, 2, 3].map(() => new HttpConnection(httpPort));
  for (const holder of holders) void holder.request('POST', '/pow', pow(hash(), { multiplier: '64' }));
  await new Promise((resolve) => setTimeout(resolve, 500));
  const fifth = new HttpConnection(httpPort);
  const receiveTimes: number[] = [];
  let cachedHash = '';
  for (let i = 0; i < 10; i++) {
    cachedHash = hash();
    const started = performance.now();
    const answer = await fifth.request('POST', '/pow', pow(cachedHash, { difficulty: RECEIVE }));
    if (answer.status !== 200) throw new Error(`receive /pow answered ${answer.status}: ${answer.body}`);
    receiveTimes.push(performance.now() - started);
  }
  for (const holder of holders) holder.close();
  receiveTimes.sort((a, b) => a - b);
  lines.push(
    `| receive-difficulty /pow from a fifth client while four hold multiplier-64 jobs (10 requests) | p50 ${ms(percentile(receiveTimes, 0.5))}, max ${ms(receiveTimes.at(-1)!)} |`,
  );

  await new Promise((resolve) => setTimeout(resolve, 500));
  const body = pow(cachedHash, { difficulty: RECEIVE });
  const clients = Array.from({ length: connections }, () => new HttpConnection(httpPort));
  let answered = 0;
  let deadline = 0;
  const loop = async (client: HttpConnection): Promise<void> => {
    while (performance.now() < deadline) {
      const answer = await client.request('POST', '/pow', body);
      if (answer.status !== 200) throw new Error(`cached /pow answered ${answer.status}: ${answer.body}`);
      answered++;
    }
  };
  deadline = performance.now() + 1000; // warm-up
  await Promise.all(clients.map(loop));
  answered = 0;
  const started = performance.now();
  deadline = started + seconds * 1000;
  await Promise.all(clients.map(loop));
  const rate = answered / ((performance.now() - started) / 1000);
  for (const client of clients) client.close();
  lines.push(`| cached /pow, ${connections} keep-alive connections, ${seconds} s | ${Math.round(rate).toLocaleString('en')} req/s |`);

  process.stdout.write(['| measurement | result |', '|---|---|', ...lines].join('\n') + '\n');
} finally {
  server.kill('SIGTERM');
}
