/**
 * Two servers and two workers on one real Redis: jobs solved with the workers' help, one search
 * per job across servers, one pass per gate solution across servers, a worker dying mid-job (and
 * the real `powerplant worker` process), a worker that lies, and Redis itself dying and coming back.
 *
 * The servers' own engines are held back (they wait until told to search), so what solves a job
 * is known: the workers' native engines, or the local engine once Redis is gone.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { validateWork } from 'nanocurrency';
import { ClusterWorker, type WorkerEvent } from '../../src/cluster/worker.js';
import { clusterJobId, clusterKeys } from '../../src/stores/keys.js';
import type { Engine } from '../../src/engine/engine.js';
import { createEngine } from '../../src/engine/index.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { nano } from '../../src/schemes/nano.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { CLI } from '../helpers/cli.js';
import { HeldEngine } from '../helpers/held-engine.js';
import { redisSkip, TestRedis } from '../helpers/redis.js';
import { httpUrl, testConfig, until } from '../helpers/server.js';
import { mintStamp } from '../gate/stamps.js';

/** About a million attempts: milliseconds for a native worker thread. */
const HARD = 'fffff00000000000';
/** About four thousand attempts: quick even for the servers' in-thread JS engine. */
const EASY = 'fff0000000000000';
const RANGE = 1n << 20n;

const randomHash = (): string => randomBytes(32).toString('hex').toUpperCase();

async function workGenerate(server: RunningServer, hash: string, difficulty: string): Promise<{ work: string; difficulty: string }> {
  const response = await fetch(httpUrl(server), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ action: 'work_generate', hash, difficulty }),
  });
  const body = (await response.json()) as { work?: string; difficulty?: string; error?: string };
  assert.equal(body.error, undefined, `work_generate failed: ${body.error}`);
  return body as { work: string; difficulty: string };
}

function assertValidWork(hash: string, work: string, difficulty: string): void {
  assert.ok(validateWork({ blockHash: hash, work, threshold: difficulty }), `work ${work} for ${hash} does not reach ${difficulty}`);
}

interface Health {
  readonly status: string;
  readonly redis?: string;
}

async function health(server: RunningServer): Promise<Health> {
  const { status, redis } = (await (await fetch(httpUrl(server, '/healthz'))).json()) as Health;
  return { status, redis };
}

/** Every server's health, polled until all of them match `wanted` or 10 s passed. */
async function healthOf(servers: readonly RunningServer[], wanted: Health): Promise<Health[]> {
  const deadline = performance.now() + 10_000;
  for (;;) {
    const states = await Promise.all(servers.map(health));
    if (performance.now() > deadline || states.every((state) => state.status === wanted.status && state.redis === wanted.redis)) return states;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function metricsText(server: RunningServer): Promise<string> {
  return (await fetch(httpUrl(server, '/metrics'))).text();
}

/** Jobs the cluster workers won on a server (all workers count under one source kind). */
async function workerWins(server: RunningServer): Promise<number> {
  return Number(/^powerplant_wins_total\{source="worker"\} (\d+)$/m.exec(await metricsText(server))?.[1] ?? 0);
}

describe('a cluster of two servers and two workers', { skip: redisSkip() }, () => {
  let redis: TestRedis;
  let spy: Redis;
  let redisClient: Redis;
  const offers: string[] = [];
  const engines = [new HeldEngine(), new HeldEngine()];
  const servers: RunningServer[] = [];
  const workers: ClusterWorker[] = [];
  const events: WorkerEvent[] = [];
  const workerEngines: Engine[] = [];

  function startWorker(engine: Engine, id: string): ClusterWorker {
    const worker = new ClusterWorker({ redis: redis.url, engine, id, rangeSize: RANGE, onEvent: (event) => events.push(event) });
    void worker.start();
    return worker;
  }

  before(async () => {
    redis = await TestRedis.start();
    spy = new Redis(redis.url);
    spy.on('error', () => undefined);
    redisClient = new Redis(redis.url);
    redisClient.on('error', () => undefined);
    await spy.subscribe(clusterKeys().offers);
    spy.on('message', (_channel: string, id: string) => offers.push(id));
    const toml = `
[cluster]
redis = "${redis.url}"
lease_ms = 500
range_size = "${RANGE}"
[gate]
secret = "a shared secret of both servers"
bits_min = 8
bits_max = 8
[broker]
job_timeout_ms = 20000
`;
    for (const engine of engines) servers.push(await startServer(testConfig(toml), { engine }));
    for (const name of ['w1', 'w2']) {
      const engine = await createEngine({ threads: 1 });
      workerEngines.push(engine);
      const worker = startWorker(engine, name);
      workers.push(worker);
      await until(() => worker.link.up, 5000, `${name} connected`);
    }
  });

  after(async () => {
    await Promise.allSettled(workers.map((worker) => worker.close()));
    await Promise.allSettled(servers.map((server) => server.close()));
    await Promise.allSettled(workerEngines.map((engine) => engine.close()));
    spy?.disconnect();
    redisClient?.disconnect();
    await redis?.kill();
  });

  test('a job sent to server A is solved by the workers', async () => {
    const [a] = servers;
    const hash = randomHash();
    const answer = await workGenerate(a!, hash, HARD);
    assertValidWork(hash, answer.work, HARD);
    const claimed = workers.reduce((sum, worker) => sum + worker.counters.claimed, 0);
    const reported = workers.reduce((sum, worker) => sum + worker.counters.reported, 0);
    assert.ok(claimed >= 1, 'the workers claimed ranges');
    assert.ok(reported >= 1, 'a worker reported the result');
    assert.match(await metricsText(a!), /powerplant_wins_total\{source="worker"\} 1/);
    assert.equal((await health(a!)).redis, 'up');
  });

  test('the same job sent to A and B at once is searched once', async () => {
    const [a, b] = servers;
    const hash = randomHash();
    const searchesBefore = engines.map((engine) => engine.searches);
    const [fromA, fromB] = await Promise.all([workGenerate(a!, hash, HARD), workGenerate(b!, hash, HARD)]);
    assertValidWork(hash, fromA.work, HARD);
    assertValidWork(hash, fromB.work, HARD);
    const id = clusterJobId(nano.key({ root: Buffer.from(hash, 'hex'), threshold: BigInt(`0x${HARD}`) }));
    await until(() => offers.includes(id), 1000, 'the offer');
    assert.equal(offers.filter((offer) => offer === id).length, 1, 'one server offered the job, once');
    const searched = engines.map((engine, i) => engine.searches - searchesBefore[i]!);
    // The owner's engine may or may not have started on a range before the workers won; the other's never did.
    assert.ok(searched.filter((count) => count > 0).length <= 1, `only the owner's engine searched (${searched})`);
    assert.ok(events.some((event) => event.type === 'claim' && event.job === id));
    // A third request, later, is answered from the shared cache without a search.
    const offersBefore = offers.length;
    const again = await workGenerate(b!, hash, HARD);
    assertValidWork(hash, again.work, HARD);
    assert.equal(offers.length, offersBefore);
  });

  test('one gate solution submitted to A and B at the same moment passes once', async () => {
    const [a, b] = servers;
    const { challenge, bits } = (await (await fetch(httpUrl(a!, '/gate/challenge?algorithm=sha1'))).json()) as { challenge: string; bits: number };
    const stamp = mintStamp(challenge, bits);
    const verdicts = await Promise.all(
      [a!, b!].map((server) =>
        fetch(httpUrl(server, '/gate/verify'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ challenge, solution: stamp }),
        }),
      ),
    );
    assert.deepEqual(verdicts.map((response) => response.status).sort(), [200, 409].sort());
  });

  test('a worker killed mid-range loses nothing: its lease runs out and the range is searched again', async () => {
    const [a] = servers;
    await Promise.all(workers.splice(0).map((worker) => worker.close()));
    const zombie = startWorker(new HeldEngine(), 'zombie');
    const hash = randomHash();
    const answer = workGenerate(a!, hash, HARD);
    await until(() => zombie.counters.claimed >= 1, 5000, 'the doomed worker to claim a range');
    await zombie.kill();
    // Past the 500 ms lease, the dead worker's range is the first thing the next worker gets.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const rescuer = startWorker(workerEngines[0]!, 'rescuer');
    workers.push(rescuer);
    const { work } = await answer;
    assertValidWork(hash, work, HARD);
    assert.ok(rescuer.counters.reclaimed >= 1, 'the expired range was claimed again');
    await rescuer.close();
    workers.splice(0);
  });

  test('the `powerplant worker` command works for the cluster', async () => {
    const [, b] = servers;
    const child = spawn(process.execPath, [CLI, 'worker', '--redis', redis.url, '--threads', '1', '--id', 'child', '--range-size', String(RANGE)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.resume();
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      await until(() => stdout.includes('worker started'), 30_000, 'the worker process to start');
      const hash = randomHash();
      const before = await workerWins(b!);
      const { work } = await workGenerate(b!, hash, HARD);
      assertValidWork(hash, work, HARD);
      assert.equal(await workerWins(b!), before + 1);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    const summaryLine = stdout.split('\n').find((line) => line.startsWith('{"worker":'));
    assert.ok(summaryLine !== undefined, stdout);
    const summary = JSON.parse(summaryLine) as { worker: string; claimed: number; reported: number };
    assert.equal(summary.worker, 'child');
    assert.ok(summary.claimed >= 1 && summary.reported >= 1, stdout);
  });

  test('a worker that sends wrong results is counted, then ignored and refused work', async () => {
    const [a] = servers;
    const keys = clusterKeys();
    const hash = randomHash();
    const offersBefore = offers.length;
    const before = await workerWins(a!);
    const answer = workGenerate(a!, hash, EASY);
    await until(() => offers.length > offersBefore, 5000, 'the offer');
    const id = offers.at(-1)!;
    const record = await redisClient.hgetall(keys.job(id));
    const liar = (nonce: bigint) => redisClient.publish(keys.results(record.owner!), JSON.stringify({ job: id, worker: 'liar', nonce: nonce.toString() }));
    const job = { root: Buffer.from(hash, 'hex'), threshold: BigInt(`0x${EASY}`) };
    // Small chunks: the servers share this event loop, and a long synchronous search (seconds on a
    // loaded machine) would stall the owner past its 500 ms claim, so it would stop owning the job.
    const valid = (await createInlineEngine(referenceBackend, 64).search(nano.task(job), { start: BigInt(record.base!) })).nonce;
    let wrong = valid + 1n;
    while (nano.verify(job, nano.solution(job, wrong)).valid) wrong += 1n;
    for (let i = 1; i <= 3; i++) await liar(wrong);
    const counted = async () => Number(await redisClient.hget(keys.invalid, 'liar'));
    const deadline = performance.now() + 5000;
    while ((await counted()) < 3 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(await counted(), 3);
    // Past the bound even a valid nonce from it is dropped, and it gets no range.
    await liar(valid);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await counted(), 3);
    const banned = new ClusterWorker({ redis: redis.url, engine: workerEngines[0]!, id: 'liar' });
    assert.equal(await banned.start(), 'banned');
    const honest = startWorker(workerEngines[0]!, 'honest');
    const { work } = await answer;
    assertValidWork(hash, work, EASY);
    assert.equal(await workerWins(a!), before + 1);
    await honest.close();
  });

  test('Redis dies: servers report degraded, finish what they accepted, and serve on their own', async () => {
    const [a, b] = servers;
    // A job in flight on A (its engine held) when Redis goes.
    const inFlightHash = randomHash();
    const offersBefore = offers.length;
    const inFlight = workGenerate(a!, inFlightHash, EASY);
    await until(() => offers.length > offersBefore, 5000, 'the in-flight job to be offered');
    for (const engine of engines) engine.held = false;
    await redis.kill();
    const down = { status: 'degraded', redis: 'down' };
    assert.deepEqual(await healthOf(servers, down), [down, down]);
    assert.match(await metricsText(a!), /powerplant_redis_up 0/);
    const finished = await inFlight;
    assertValidWork(inFlightHash, finished.work, EASY);
    const hash = randomHash();
    const fresh = await workGenerate(b!, hash, EASY);
    assertValidWork(hash, fresh.work, EASY);
    // The gate keeps answering from memory.
    const { challenge, bits } = (await (await fetch(httpUrl(a!, '/gate/challenge?algorithm=sha1'))).json()) as { challenge: string; bits: number };
    const response = await fetch(httpUrl(a!, '/gate/verify'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ challenge, solution: mintStamp(challenge, bits) }),
    });
    assert.equal(response.status, 200);
  });

  test('Redis comes back on the same port: the servers recover by themselves', async () => {
    await redis.restart();
    const up = { status: 'ok', redis: 'up' };
    assert.deepEqual(await healthOf(servers, up), [up, up]);
    const hash = randomHash();
    const { work } = await workGenerate(servers[0]!, hash, EASY);
    assertValidWork(hash, work, EASY);
    assert.match(await metricsText(servers[0]!), /powerplant_redis_up 1/);
  });
});
