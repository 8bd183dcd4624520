/**
 * The Redis stores and range leases against a real redis-server: atomic spent marks, the rate
 * window, job ownership, disjoint claims, lease expiry and reclaim, and the codec's round trips.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Redis } from 'ioredis';
import { JobBoard } from '../../src/cluster/board.js';
import { decodeTask, decodeValue, encodeTask, encodeValue } from '../../src/cluster/codec.js';
import { RedisLink } from '../../src/cluster/connection.js';
import { clusterKeys } from '../../src/stores/keys.js';
import { LeaseBook, type Lease } from '../../src/cluster/leases.js';
import { MemorySpentStore } from '../../src/gate/spent.js';
import { MemoryJobClaims, RedisJobClaims } from '../../src/stores/claims.js';
import { FallbackSpentStore, RedisRateCounter, RedisSpentStore } from '../../src/stores/gate.js';
import { MemoryResultStore, RedisResultStore } from '../../src/stores/results.js';
import type { SearchTask } from '../../src/schemes/search.js';
import { redisSkip, TestRedis } from '../helpers/redis.js';

const keys = clusterKeys('test:');
const nanoTask: SearchTask = { kernel: 'blake2b-nano', root: new Uint8Array(32).fill(7), threshold: 0xfffff00000000000n };

test('tasks and solutions survive the trip through text', () => {
  const tasks: SearchTask[] = [
    nanoTask,
    { kernel: 'sha256-text', prefix: Buffer.from('ab'), suffix: new Uint8Array([1, 2]), width: 12, zeroBits: 20 },
    { kernel: 'sha256d-header', header: new Uint8Array(80).fill(9), target: 1n << 230n },
    { kernel: 'sha512d-bitmessage', initialHash: new Uint8Array(64).fill(3), target: 123456789n },
  ];
  for (const task of tasks) assert.deepEqual(decodeTask(encodeTask(task)), { ...task, ...('prefix' in task ? { prefix: Uint8Array.from(task.prefix) } : {}) });
  assert.throws(() => decodeTask(JSON.stringify({ kernel: 'blake2b-nano', root: '00', threshold: '1' })));
  const solution = { work: 'ab', nonce: 12n, bytes: new Uint8Array([255]), nested: [{ value: 2n ** 70n }] };
  assert.deepEqual(decodeValue(encodeValue(solution)), solution);
});

test('a mark made in memory during an outage still counts on this server once Redis is back', async () => {
  let up = false;
  const shared = new MemorySpentStore(); // stands in for Redis
  const store = new FallbackSpentStore(shared, new MemorySpentStore(), () => up);
  assert.equal(await store.markSpent('outage', 10_000), true, 'redeemed during the outage');
  up = true;
  assert.equal(await store.markSpent('outage', 10_000), false, 'the same challenge again, after Redis is back');
  assert.equal(await store.markSpent('fresh', 10_000), true);
  assert.equal(await shared.markSpent('fresh', 10_000), false, 'marks still reach Redis');
});

test('memory stores: results expire, a job has one owner at a time', async () => {
  let now = 1000;
  const results = new MemoryResultStore(2, () => now);
  await results.save('a', 'x', 100);
  assert.equal(await results.load('a'), 'x');
  now += 100;
  assert.equal(await results.load('a'), undefined);
  const claims = new MemoryJobClaims(() => now);
  assert.equal(await claims.claim('j', 'A', 50), true);
  assert.equal(await claims.claim('j', 'B', 50), false);
  assert.equal(await claims.renew('j', 'B', 50), false);
  now += 60;
  assert.equal(await claims.claim('j', 'B', 50), true);
  await claims.release('j', 'A');
  assert.equal(await claims.owned('j'), true);
});

describe('Redis stores', { skip: redisSkip() }, () => {
  let redis: TestRedis;
  let client: Redis;

  before(async () => {
    redis = await TestRedis.start();
    client = new Redis(redis.url);
    // Only the link test stops Redis; this client's reconnect noise is not the test's business.
    client.on('error', () => undefined);
  });
  after(async () => {
    client.disconnect();
    await redis?.kill();
  });

  test('a spent mark is set once across clients, and expires a minute after its challenge', async () => {
    const other = new Redis(redis.url);
    try {
      const stores = [new RedisSpentStore(client, keys), new RedisSpentStore(other, keys)];
      const verdicts = await Promise.all(stores.flatMap((store) => [store.markSpent('c1', 200), store.markSpent('c1', 200)]));
      assert.equal(verdicts.filter(Boolean).length, 1);
      // The minute covers servers whose clocks run up to that far apart.
      const ttl = await client.pttl(keys.spent('c1'));
      assert.ok(ttl > 60_000 && ttl <= 60_200, `PTTL ${ttl}`);
    } finally {
      other.disconnect();
    }
  });

  test('the spent store falls back to memory while Redis is unavailable', async () => {
    let up = true;
    const store = new FallbackSpentStore(new RedisSpentStore(client, keys), new MemorySpentStore(), () => up);
    assert.equal(await store.markSpent('c0', 10_000), true);
    assert.equal(await store.markSpent('c0', 10_000), false);
    assert.equal(await new RedisSpentStore(client, keys).markSpent('c2', 10_000), true, 'redeemed on another server');
    up = false;
    // Memory knows nothing of other servers' marks: the documented price of serving through an outage.
    assert.equal(await store.markSpent('c2', 10_000), true);
    assert.equal(await store.markSpent('c2', 10_000), false);
  });

  test('the rate counter counts the window across clients and weighs the previous one', async () => {
    let now = 10 * 60_000 + 30_000;
    const counter = new RedisRateCounter(client, keys, 60_000, () => now);
    for (let i = 0; i < 4; i++) await counter.hit('source:1.2.3.4');
    assert.equal(await counter.hit('source:1.2.3.4'), 5);
    now += 60_000;
    // Half of the previous window overlaps: 1 + 5 * 0.5.
    assert.equal(await counter.hit('source:1.2.3.4'), 3.5);
  });

  test('job ownership: SET NX, renew and release only by the owner', async () => {
    const claims = new RedisJobClaims(client, keys);
    assert.equal(await claims.claim('job1', 'A', 1000), true);
    assert.equal(await claims.claim('job1', 'B', 1000), false);
    assert.equal(await claims.renew('job1', 'B', 1000), false);
    await claims.release('job1', 'B');
    assert.equal(await claims.owned('job1'), true);
    assert.equal(await claims.renew('job1', 'A', 1000), true);
    await claims.release('job1', 'A');
    assert.equal(await claims.owned('job1'), false);
    const results = new RedisResultStore(client, keys);
    await results.save('nano-root:aa', '{"work":"1"}', 1000);
    assert.equal(await results.load('nano-root:aa'), '{"work":"1"}');
  });

  test('claims are disjoint, an expired lease is reclaimed first, and the last finish says so', async () => {
    const board = new JobBoard(client, keys);
    const leases = new LeaseBook(client, keys);
    await board.post('job2', { scheme: 'nano', task: nanoTask, base: 1000n, size: 30n, leaseMs: 400, owner: 'A', maxInvalid: 2 }, 5000);
    const record = await board.read('job2');
    assert.deepEqual(record?.task, nanoTask);
    assert.equal(record?.base, 1000n);
    const claimed = await Promise.all([leases.claim('job2', 'w1', 10n), leases.claim('job2', 'w2', 10n), leases.claim('job2', 'w1', 20n)]);
    const ranges = claimed.map((lease) => (lease as Lease).start).sort((a, b) => Number(a - b));
    assert.deepEqual(ranges, [0n, 10n, 20n]);
    const last = claimed.find((lease) => (lease as Lease).start === 20n) as Lease;
    assert.equal(last.end, 30n, 'the last range stops at the end of the block');
    assert.equal(await leases.claim('job2', 'w2', 10n), 'none');
    // w1's first lease is kept alive; the others run out.
    const kept = claimed.find((lease) => (lease as Lease).start === 0n) as Lease;
    const renewal = setInterval(() => void leases.renew(kept), 50);
    await new Promise((resolve) => setTimeout(resolve, 600));
    clearInterval(renewal);
    const again = (await leases.claim('job2', 'w3', 10n)) as Lease;
    assert.equal(again.reclaimed, true);
    assert.notEqual(again.start, 0n);
    assert.equal(await leases.finish(kept), false);
    const other = (await leases.claim('job2', 'w3', 10n)) as Lease;
    assert.equal(other.reclaimed, true);
    assert.equal(await leases.finish(again), false);
    assert.equal(await leases.searchedOut('job2'), false);
    assert.equal(await leases.finish(other), true);
    assert.equal(await leases.searchedOut('job2'), true);
    // A worker counted past the bound gets nothing more.
    await board.countInvalid('w9');
    await board.countInvalid('w9');
    await board.post('job3', { scheme: 'nano', task: nanoTask, base: 0n, size: 100n, leaseMs: 1000, owner: 'A', maxInvalid: 2 }, 5000);
    assert.equal(await leases.claim('job3', 'w9', 10n), 'banned');
    await board.takeDown('job3');
    assert.equal(await leases.claim('job3', 'w1', 10n), 'gone');
    assert.deepEqual(await board.openJobs(), ['job2']);
  });

  test('the link reports down when Redis dies and up again when it is back', async () => {
    const link = new RedisLink(redis.url);
    try {
      assert.equal(await link.connect(), true);
      const down = new Promise<void>((resolve) => link.once('down', resolve));
      await redis.kill();
      await down;
      assert.equal(link.up, false);
      const up = new Promise<void>((resolve) => link.once('up', resolve));
      await redis.restart();
      await up;
      assert.equal(link.up, true);
    } finally {
      await link.close();
    }
  });
});
