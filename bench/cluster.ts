/**
 * The cluster on this machine: Nano jobs through one server (its engine on one native thread) with
 * 0, 1 and 2 `powerplant worker` processes (one thread each) on a private redis-server; time to
 * solution of jobs one at a time, and jobs per second with four in flight. Then the fan-out
 * overhead of one job, with an in-process worker: job posted → first range claimed, cancel
 * published → the worker's search aborted. Prints Markdown for docs/benchmarks.md.
 *
 *   node dist/bench/cluster.js [jobs per measurement = 16] [difficulty = fffff00000000000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { JobBoard } from '../src/cluster/board.js';
import { clusterKeys } from '../src/stores/keys.js';
import { ClusterWorker } from '../src/cluster/worker.js';
import type { Engine, SearchOptions } from '../src/engine/engine.js';
import { createEngine } from '../src/engine/index.js';
import { startServer, type RunningServer } from '../src/server.js';
import type { SearchTask } from '../src/schemes/search.js';
import { CLI } from '../test/helpers/cli.js';
import { TestRedis } from '../test/helpers/redis.js';
import { httpUrl, testConfig, until } from '../test/helpers/server.js';

const jobs = Number(process.argv[2] ?? 16);
const difficulty = process.argv[3] ?? 'fffff00000000000';
if (!Number.isInteger(jobs) || jobs < 1 || !/^[0-9a-f]{16}$/.test(difficulty)) {
  process.stderr.write('usage: node dist/bench/cluster.js [jobs >= 1] [difficulty: 16 hex digits]\n');
  process.exit(2);
}
const RANGE = String(1 << 22);
const CONCURRENCY = 4;

async function workGenerate(server: RunningServer): Promise<void> {
  const response = await fetch(httpUrl(server), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'work_generate', hash: randomBytes(32).toString('hex'), difficulty }),
  });
  const body = (await response.json()) as { work?: string; error?: string };
  if (body.work === undefined) throw new Error(`work_generate failed: ${body.error}`);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

async function startWorkerProcess(redisUrl: string, id: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'worker', '--redis', redisUrl, '--threads', '1', '--id', id, '--range-size', RANGE], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await until(() => output.includes('worker started'), 10_000, `worker ${id}`);
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Time to solution (median, ms) one job at a time, and jobs per second with CONCURRENCY in flight. */
async function measure(server: RunningServer): Promise<{ medianMs: number; jobsPerSecond: number }> {
  const latencies: number[] = [];
  for (let i = 0; i < jobs; i++) {
    const started = performance.now();
    await workGenerate(server);
    latencies.push(performance.now() - started);
  }
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < jobs) await workGenerate(server);
    }),
  );
  return { medianMs: median(latencies), jobsPerSecond: (jobs * 1000) / (performance.now() - started) };
}

/** An engine that holds every search until it is aborted: the fan-out worker claims and waits. */
const heldEngine: Engine = {
  backend: 'held',
  threads: 1,
  search: (_task: SearchTask, options: SearchOptions = {}) =>
    new Promise((_resolve, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true })),
  close: async () => {},
};

/**
 * Offer → first claim, and cancel → abort, in ms (medians of `rounds` jobs): jobs posted on the
 * board directly, so the figures are Redis and the worker alone, not HTTP or the broker.
 */
async function fanOut(redisUrl: string, rounds: number): Promise<{ claimMs: number; cancelMs: number }> {
  const redis = new Redis(redisUrl);
  const board = new JobBoard(redis, clusterKeys());
  const seen = new Map<string, number>();
  const worker = new ClusterWorker({
    redis: redisUrl,
    engine: heldEngine,
    id: 'fan-out',
    onEvent: (event) => {
      const key = `${event.type}|${event.job}`;
      if (!seen.has(key)) seen.set(key, performance.now());
    },
  });
  void worker.start();
  await until(() => worker.link.up, 5000, 'the fan-out worker');
  const claims: number[] = [];
  const cancels: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const id = `fan-out-${i}`;
    const task: SearchTask = { kernel: 'blake2b-nano', root: randomBytes(32), threshold: (1n << 64n) - 1n };
    const offered = performance.now();
    await board.post(id, { scheme: 'nano', task, base: 0n, size: 1n << 40n, leaseMs: 10_000, owner: 'bench', maxInvalid: 3 }, 10_000);
    await until(() => seen.has(`claim|${id}`), 5000, 'the claim');
    const cancelled = performance.now();
    await board.takeDown(id);
    await until(() => seen.has(`cancel|${id}`), 5000, 'the cancel');
    claims.push(seen.get(`claim|${id}`)! - offered);
    cancels.push(seen.get(`cancel|${id}`)! - cancelled);
  }
  await worker.close();
  redis.disconnect();
  return { claimMs: median(claims), cancelMs: median(cancels) };
}

const redis = await TestRedis.start();
const config = testConfig(`[cluster]\nredis = "${redis.url}"\nrange_size = "${RANGE}"\n`);
const engine = await createEngine({ threads: 1 });
const server = await startServer(config, { engine });
const rows: string[] = [];
try {
  const workers: ChildProcess[] = [];
  for (const count of [0, 1, 2]) {
    while (workers.length < count) workers.push(await startWorkerProcess(redis.url, `bench-${workers.length + 1}`));
    const { medianMs, jobsPerSecond } = await measure(server);
    rows.push(`| ${count} | ${medianMs.toFixed(1)} ms | ${jobsPerSecond.toFixed(1)} |`);
  }
  await Promise.all(workers.map(stopProcess));
  const overhead = await fanOut(redis.url, 20);
  process.stdout.write(`Nano difficulty ${difficulty}, ${jobs} jobs per measurement; server engine: ${engine.backend}, 1 thread; workers: 1 thread each.\n\n`);
  process.stdout.write(`| worker processes | time to solution (median, one at a time) | jobs/s (${CONCURRENCY} in flight) |\n|---|---|---|\n${rows.join('\n')}\n\n`);
  process.stdout.write(
    `Fan-out of one job (medians of 20): job posted → first range claimed by an idle worker ${overhead.claimMs.toFixed(2)} ms; ` +
      `cancel published → the worker's search aborted ${overhead.cancelMs.toFixed(2)} ms.\n`,
  );
} finally {
  await server.close();
  await engine.close();
  await redis.kill();
}
