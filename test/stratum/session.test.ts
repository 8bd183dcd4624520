import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import type { JsonValue } from '../../src/net/json.js';
import { hashValue, shareTarget } from '../../src/schemes/bitcoin.js';
import { buildHeader, hex32 } from '../../src/stratum/job.js';
import { Vardiff } from '../../src/stratum/vardiff.js';
import { until } from '../helpers/server.js';
import { EASY_BITS, HARD_BITS, findShare, join, lastJob, reply, setup } from '../helpers/stratum.js';

const methods = (received: { [key: string]: JsonValue }[]) => received.map((message) => message.method ?? `reply ${message.id}`);

test('version rolling: configure negotiates the mask; a rolled share is checked with its version, bits outside the mask are refused', () => {
  const { connect, coordinator } = setup(HARD_BITS, 1e-9);
  const agent = connect();
  agent.send({ id: 100n, method: 'mining.configure', params: [['version-rolling', 'subscribe-extranonce'], { 'version-rolling.mask': '00fff000', 'version-rolling.min-bit-count': 2n }] });
  assert.deepEqual(reply(agent, 100n)!.result, { 'version-rolling': true, 'version-rolling.mask': '00ffe000', 'subscribe-extranonce': false });
  const { extranonce1, job } = join(agent);
  const rolled = hex32(parseInt(job.version, 16) | 0x00400000);
  // A nonce whose header meets the share target with the rolled version and misses it with the job's.
  const target = shareTarget(1e-9);
  let nonce = 0;
  const header = (version?: string) => buildHeader(job, { extranonce1, extranonce2: '00000001', ntime: job.ntime, nonce: hex32(nonce), version });
  while (!(hashValue(header(rolled)) <= target && hashValue(header()) > target)) nonce++;
  agent.send({ id: 10n, method: 'mining.submit', params: ['alice', job.jobId, '00000001', job.ntime, hex32(nonce), '00400000'] });
  assert.deepEqual(reply(agent, 10n), { id: 10n, result: true, error: null });
  // The whole version is accepted as well as the rolled bits alone; the same header is then a duplicate.
  agent.send({ id: 11n, method: 'mining.submit', params: ['alice', job.jobId, '00000001', job.ntime, hex32(nonce), rolled] });
  assert.deepEqual(reply(agent, 11n)!.error, [22n, 'duplicate share', null]);
  agent.send({ id: 12n, method: 'mining.submit', params: ['alice', job.jobId, '00000001', job.ntime, hex32(nonce), '00001000'] });
  assert.deepEqual(reply(agent, 12n)!.error, [20n, 'version_bits outside the negotiated mask', null]);
  assert.equal(coordinator.agents()[0].versionMask, '00ffe000');

  const plain = connect();
  const joined = join(plain);
  const share = findShare(joined.job, joined.extranonce1, (value) => value <= target, 0, rolled);
  plain.send({ id: 13n, method: 'mining.submit', params: share });
  assert.deepEqual(reply(plain, 13n)!.error, [20n, 'version rolling was not negotiated (mining.configure)', null]);
  coordinator.close();
});

test('minimum-difficulty and suggest_difficulty set the connection\'s difficulty (a floor), within the bounds', () => {
  const vardiff = { sharesPerMinute: 20, retargetMs: 60_000, minDifficulty: 1e-9, maxDifficulty: 8 };
  const { connect, coordinator } = setup(HARD_BITS, 1e-9, 4096, 0, { vardiff });
  const agent = connect();
  join(agent);
  agent.send({ id: 5n, method: 'mining.configure', params: [['minimum-difficulty'], { 'minimum-difficulty.value': 2n }] });
  assert.deepEqual(reply(agent, 5n)!.result, { 'minimum-difficulty': true });
  assert.deepEqual(methods(agent.received.slice(-3)), ['reply 5', 'mining.set_difficulty', 'mining.notify']);
  assert.deepEqual(agent.received.at(-2)!.params, [2n]);
  agent.send({ id: 6n, method: 'mining.suggest_difficulty', params: [100n] });
  assert.equal(reply(agent, 6n)!.result, true);
  assert.deepEqual(agent.received.at(-2)!.params, [8n], 'capped at max_difficulty');
  assert.equal(coordinator.agents()[0].difficulty, 8);
  agent.send({ id: 7n, method: 'mining.suggest_difficulty', params: ['much'] });
  assert.equal((reply(agent, 7n)!.error as JsonValue[])[0], 20n);
  coordinator.close();
});

test('vardiff steps a fast connection up: set_difficulty and the job again; shares mined at the old difficulty still count', async () => {
  // One share a minute wanted: two within the first second are far too many.
  const vardiff = { sharesPerMinute: 1, retargetMs: 60_000, minDifficulty: 1e-12, maxDifficulty: 1e6 };
  const { connect, coordinator } = setup(HARD_BITS, 1e-9, 4096, 0, { vardiff });
  const agent = connect();
  const { extranonce1, job } = join(agent);
  const shares: string[][] = [];
  for (let from = 0; shares.length < 3; from = Number.parseInt(shares.at(-1)![4], 16) + 1) {
    shares.push(findShare(job, extranonce1, (value) => value <= shareTarget(1e-9) && value > shareTarget(4e-9), from));
  }
  agent.send({ id: 20n, method: 'mining.submit', params: shares[0] });
  await new Promise((resolve) => setTimeout(resolve, 1010));
  agent.send({ id: 21n, method: 'mining.submit', params: shares[1] });
  assert.equal(reply(agent, 21n)!.result, true);
  // At most 4× per step.
  assert.deepEqual(methods(agent.received.slice(-3)), ['reply 21', 'mining.set_difficulty', 'mining.notify']);
  assert.deepEqual(agent.received.at(-2)!.params, [4e-9]);
  const again = lastJob(agent);
  assert.equal(again.jobId, job.jobId);
  assert.equal(again.cleanJobs, false);
  agent.send({ id: 22n, method: 'mining.submit', params: shares[2] });
  assert.equal(reply(agent, 22n)!.result, true, 'in flight at the old difficulty');
  assert.equal(coordinator.agents()[0].difficulty, 4e-9);
  coordinator.close();
});

test('vardiff on its own: up for a fast miner, down for a quiet one, never outside the floor and bounds', () => {
  const settings = { sharesPerMinute: 20, retargetMs: 30_000, minDifficulty: 1, maxDifficulty: 1000 };
  const fast = new Vardiff(settings, 10, 0);
  let changed: number | undefined;
  // 20 shares in the first 1.2 s (expected 10 per window: twice that retargets early).
  for (let i = 1; i <= 20 && changed === undefined; i++) changed = fast.share(i * 60);
  assert.equal(changed, 40);
  const quiet = new Vardiff(settings, 10, 0);
  assert.equal(quiet.tick(29_999), undefined);
  assert.equal(quiet.tick(30_000), 2.5);
  assert.equal(quiet.tick(60_000), 1, 'not under min_difficulty');
  const floored = new Vardiff(settings, 10, 0);
  assert.equal(floored.suggest(50, 0, true), 50);
  assert.equal(floored.tick(30_000), undefined, 'the miner\'s floor holds');
  assert.equal(new Vardiff(settings, 10, 0).suggest(5000, 0, false), 1000);
  const steady = new Vardiff(settings, 10, 0);
  for (let i = 1; i <= 9; i++) assert.equal(steady.share(i * 3000), undefined);
  assert.equal(steady.share(30_000), undefined, 'on rate: unchanged');
});

test('a share that meets the block target but not a harder share target is a block, not low difficulty', async () => {
  const { connect, coordinator, chain } = setup(EASY_BITS, 1e6);
  const agent = connect();
  const { extranonce1, job } = join(agent);
  const share = findShare(job, extranonce1, (value) => value <= chain.target && value > shareTarget(1e6));
  agent.send({ id: 30n, method: 'mining.submit', params: share });
  assert.deepEqual(reply(agent, 30n), { id: 30n, result: true, error: null });
  assert.equal(chain.height, 1);
  await new Promise((resolve) => setImmediate(resolve)); // the verdict is recorded as a promise settles
  assert.deepEqual(coordinator.status().blocks, { submitted: 1, accepted: 1, rejected: 0 });
  coordinator.close();
});

test('protocol errors past max_errors close the connection after the last reply; share verdicts do not count', () => {
  const { connect, coordinator } = setup(HARD_BITS, 1e-9, 4096, 0, { maxErrors: 3 });
  const agent = connect();
  const { job } = join(agent);
  for (let id = 40n; id < 45n; id++) agent.send({ id, method: 'mining.submit', params: ['alice', 'gone', '00000001', job.ntime, '00000000'] });
  assert.equal(agent.closed, null, 'stale shares are not errors');
  agent.session.receive(Buffer.from('junk\njunk\njunk\n'));
  assert.equal(agent.closed, null);
  agent.session.receive(Buffer.from('junk\njunk\n'));
  assert.equal(agent.closed, 'too many errors');
  assert.equal(agent.received.filter((message) => Array.isArray(message.error) && message.id === null).length, 4, 'the fourth error is answered, the fifth line is not read');
  assert.equal(coordinator.agents().length, 0);
  coordinator.close();
});

test('connections that never authorize, or go quiet, are closed after their timeouts', async () => {
  const { connect, coordinator } = setup(HARD_BITS, 1e-9, 4096, 0, { authorizeTimeoutMs: 60, idleTimeoutMs: 400 });
  const lurker = connect();
  lurker.send({ id: 1n, method: 'mining.subscribe', params: [] });
  const quiet = connect();
  join(quiet);
  const chatty = connect();
  join(chatty);
  const talking = setInterval(() => chatty.send({ id: 9n, method: 'mining.extranonce.subscribe', params: [] }), 20);
  try {
    await until(() => lurker.closed !== null, 5000, 'the lurker closed');
    assert.equal(lurker.closed, 'not authorized in time');
    assert.equal(quiet.closed, null);
    await until(() => quiet.closed !== null, 5000, 'the quiet one closed');
    assert.equal(quiet.closed, 'idle');
    assert.equal(chatty.closed, null);
    assert.equal(coordinator.agents().length, 1);
  } finally {
    clearInterval(talking);
    coordinator.close();
  }
});

test('per-connection figures: accepted, rejected by reason, stale, best share, last share time', () => {
  const { connect, coordinator } = setup(HARD_BITS, 1e-9);
  const agent = connect();
  const { extranonce1, job } = join(agent);
  const share = findShare(job, extranonce1, (value) => value <= shareTarget(1e-9));
  agent.send({ id: 50n, method: 'mining.submit', params: share });
  agent.send({ id: 51n, method: 'mining.submit', params: share });
  agent.send({ id: 52n, method: 'mining.submit', params: ['alice', 'gone', '00000001', job.ntime, '00000000'] });
  const [stats] = coordinator.agents();
  assert.equal(stats.accepted, 1);
  assert.equal(stats.rejected, 2);
  assert.deepEqual(stats.rejectedBy, { duplicate: 1, jobNotFound: 1 });
  assert.equal(stats.stale, 1);
  const header = buildHeader(job, { extranonce1, extranonce2: share[2], ntime: share[3], nonce: share[4] });
  assert.equal(stats.bestShare, Number(0x00000000ffff0000000000000000000000000000000000000000000000000000n) / Number(hashValue(header)));
  assert.ok(stats.lastShareAt !== null && Date.now() - stats.lastShareAt < 1000);
  assert.deepEqual(stats.workers, ['alice']);
  coordinator.close();
});

test('a quiet miner\'s difficulty falls after a window; a connection not yet ready is sent nothing', async () => {
  const vardiff = { sharesPerMinute: 20, retargetMs: 100, minDifficulty: 1e-12, maxDifficulty: 1e6 };
  const { connect, coordinator } = setup(HARD_BITS, 1e-6, 4096, 0, { vardiff });
  const quiet = connect();
  join(quiet);
  const waiting = connect();
  waiting.send({ id: 1n, method: 'mining.subscribe', params: [] });
  await until(() => quiet.received.filter((message) => message.method === 'mining.set_difficulty').length >= 2, 5000, 'a retarget');
  const difficulties = quiet.received.filter((message) => message.method === 'mining.set_difficulty').map((message) => message.params);
  assert.deepEqual(difficulties.slice(0, 2), [[1e-6], [2.5e-7]]);
  assert.deepEqual(methods(waiting.received), ['reply 1']);
  coordinator.close();
});

test('past max_rejected_shares among the last reject_window_shares, the submit is answered and the connection closed, logged once', () => {
  const warnings: string[] = [];
  const limits: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(line) });
  const { connect, coordinator } = setup(HARD_BITS, 1e-9, 4096, 0, { maxRejectedShares: 3, rejectWindowShares: 6, logger, onLimit: (limit) => limits.push(limit) });
  const agent = connect();
  const { extranonce1, job } = join(agent);
  const target = shareTarget(1e-9);
  let next = 0;
  let id = 50n;
  const submit = (params: string[]) => {
    agent.send({ id, method: 'mining.submit', params });
    return reply(agent, id++)!.error;
  };
  const accepted = () => {
    const share = findShare(job, extranonce1, (value) => value <= target, next);
    next = parseInt(share[4]!, 16) + 1;
    assert.equal(submit(share), null);
    return share;
  };
  const stale = ['alice', 'gone', '00000001', job.ntime, '00000000'];

  for (let i = 0; i < 3; i++) assert.deepEqual(submit(stale), [21n, 'job not found (stale)', null]);
  assert.equal(agent.closed, null, '3 rejected of 3: at the limit, not past it');
  const first = accepted();
  accepted();
  accepted();
  // Each rejected share now pushes a stale one out of the window: 3 of the last 6 stay rejected.
  assert.deepEqual(submit(first), [22n, 'duplicate share', null]);
  assert.deepEqual(submit(findShare(job, extranonce1, (value) => value > target)), [23n, 'low difficulty share', null]);
  assert.deepEqual(submit(stale), [21n, 'job not found (stale)', null]);
  assert.equal(agent.closed, null, '3 rejected of the last 6');
  // Now an accepted share leaves the window: 4 of the last 6.
  assert.deepEqual(submit(stale), [20n, 'job not found (stale); 4 of the last 6 shares rejected (limit 3): closing', null]);
  assert.equal(agent.closed, 'too many rejected shares');
  assert.deepEqual(limits, ['rejected_shares']);
  assert.equal(coordinator.agents().length, 0, 'the connection is forgotten');
  const answers = agent.received.length;
  agent.send({ id: 99n, method: 'mining.submit', params: stale });
  assert.equal(agent.received.length, answers, 'nothing more is read');
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /too many rejected shares/);
  coordinator.close();
});

test('worker names, workers per connection and the ntime drift are bounded by the limits passed in', () => {
  const { connect, coordinator } = setup(HARD_BITS, 1e-9, 4096, 0, { maxWorkerNameChars: 5, maxWorkers: 2, maxNtimeDriftS: 60 });
  const agent = connect();
  agent.send({ id: 1n, method: 'mining.subscribe', params: [] });
  agent.send({ id: 2n, method: 'mining.authorize', params: ['sixsix', 'x'] });
  assert.deepEqual(reply(agent, 2n)!.error, [20n, 'user must be a string of 1 to 5 characters', null]);
  for (const [index, user] of ['alice', 'bob'].entries()) {
    agent.send({ id: 3n + BigInt(index), method: 'mining.authorize', params: [user, 'x'] });
    assert.equal(reply(agent, 3n + BigInt(index))!.result, true);
  }
  agent.send({ id: 5n, method: 'mining.authorize', params: ['carol', 'x'] });
  assert.deepEqual(reply(agent, 5n)!.error, [20n, 'at most 2 workers per connection', null]);
  const job = lastJob(agent);
  const ntime = (ahead: number) => hex32(parseInt(job.ntime, 16) + ahead);
  agent.send({ id: 6n, method: 'mining.submit', params: ['alice', job.jobId, '00000001', ntime(61), '00000000'] });
  assert.deepEqual(reply(agent, 6n)!.error, [20n, 'ntime out of range', null]);
  agent.send({ id: 7n, method: 'mining.submit', params: ['alice', job.jobId, '00000001', ntime(60), '00000000'] });
  assert.notDeepEqual(reply(agent, 7n)!.error, [20n, 'ntime out of range', null], 'within the drift, the share is judged on its hash');
  coordinator.close();
});

test('a stale share for the newest job a connection was sent is excused from max_rejected_shares: the miner could not know', () => {
  const { connect, coordinator } = setup(HARD_BITS, 1e-9, 4096, 0, { maxSharesPerJob: 1, maxRejectedShares: 1, rejectWindowShares: 10 });
  const agent = connect();
  const { extranonce1, job } = join(agent);
  const target = shareTarget(1e-9);
  const first = findShare(job, extranonce1, (value) => value <= target);
  const second = findShare(job, extranonce1, (value) => value <= target, parseInt(first[4]!, 16) + 1);
  agent.send({ id: 60n, method: 'mining.submit', params: first });
  assert.equal(reply(agent, 60n)!.result, true);
  // The job is full: its next share is stale while it is still the newest this connection has.
  agent.send({ id: 61n, method: 'mining.submit', params: second });
  assert.deepEqual(reply(agent, 61n)!.error, [21n, 'job not found (stale)', null]);
  assert.notEqual(lastJob(agent).jobId, job.jobId, 'a clean job followed');
  agent.send({ id: 62n, method: 'mining.submit', params: second });
  assert.deepEqual(reply(agent, 62n)!.error, [21n, 'job not found (stale)', null]);
  assert.equal(agent.closed, null, 'one counted: at the limit');
  agent.send({ id: 63n, method: 'mining.submit', params: second });
  assert.deepEqual(reply(agent, 63n)!.error, [20n, 'job not found (stale); 2 of the last 3 shares rejected (limit 1): closing', null]);
  assert.equal(agent.closed, 'too many rejected shares');
  coordinator.close();
});
