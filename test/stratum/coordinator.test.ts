import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '../../src/net/json.js';
import { shareTarget } from '../../src/schemes/bitcoin.js';
import { parseNotify } from '../../src/stratum/job.js';
import { EASY_BITS, HARD_BITS, findShare, join, lastJob, reply, setup } from '../helpers/stratum.js';

test('subscribe gives each agent its own extranonce1; jobs follow subscribe + authorize', () => {
  const { connect, coordinator } = setup(HARD_BITS, 0.5);
  const a = connect();
  const b = connect();
  const joinedA = join(a);
  const joinedB = join(b);
  assert.match(joinedA.extranonce1, /^[0-9a-f]{8}$/);
  assert.notEqual(joinedA.extranonce1, joinedB.extranonce1);
  const subscribe = reply(a, 1n)!;
  assert.deepEqual(subscribe.result, [
    [
      ['mining.set_difficulty', joinedA.extranonce1],
      ['mining.notify', joinedA.extranonce1],
    ],
    joinedA.extranonce1,
    4n,
  ]);
  assert.equal(subscribe.error, null);
  assert.equal(reply(a, 2n)!.result, true);
  // Order: the authorize reply, then set_difficulty, then notify.
  assert.deepEqual(
    a.received.map((message) => message.method ?? `reply ${message.id}`),
    ['reply 1', 'reply 2', 'mining.set_difficulty', 'mining.notify'],
  );
  assert.deepEqual(a.received[2].params, [0.5]);
  assert.equal(lastJob(a).cleanJobs, true);
  assert.equal(coordinator.agents().length, 2);
  coordinator.close();
});

test('every submit error code: 25, 24, 21, 20, 22, 23', () => {
  const { connect, coordinator } = setup(HARD_BITS, 1e-9);
  const agent = connect();
  agent.send({ id: 10n, method: 'mining.submit', params: ['alice', '1', '00000000', '00000000', '00000000'] });
  assert.deepEqual(reply(agent, 10n)!.error, [25n, 'not subscribed', null]);

  agent.send({ id: 11n, method: 'mining.subscribe', params: [] });
  agent.send({ id: 12n, method: 'mining.submit', params: ['alice', '1', '00000000', '00000000', '00000000'] });
  assert.deepEqual(reply(agent, 12n)!.error, [24n, 'unauthorized worker', null]);

  agent.send({ id: 13n, method: 'mining.authorize', params: ['alice', 'x'] });
  const job = lastJob(agent);
  const extranonce1 = (reply(agent, 11n)!.result as string[])[1];
  agent.send({ id: 14n, method: 'mining.submit', params: ['bob', job.jobId, '00000000', job.ntime, '00000000'] });
  assert.equal((reply(agent, 14n)!.error as JsonValue[])[0], 24n);
  agent.send({ id: 15n, method: 'mining.submit', params: ['alice', 'nope', '00000000', job.ntime, '00000000'] });
  assert.deepEqual(reply(agent, 15n)!.error, [21n, 'job not found (stale)', null]);
  agent.send({ id: 16n, method: 'mining.submit', params: ['alice', job.jobId, '0000', job.ntime, '00000000'] });
  assert.deepEqual(reply(agent, 16n)!.error, [20n, 'extranonce2 must be 8 hex characters', null]);
  agent.send({ id: 17n, method: 'mining.submit', params: ['alice', job.jobId, '00000000', '00000000', '00000000'] });
  assert.deepEqual(reply(agent, 17n)!.error, [20n, 'ntime out of range', null]);
  agent.send({ id: 18n, method: 'mining.submit', params: ['alice', job.jobId, '00000000', job.ntime, 'xyz'] });
  assert.deepEqual(reply(agent, 18n)!.error, [20n, 'nonce must be 8 hex characters', null]);

  const share = findShare(job, extranonce1, (value) => value <= shareTarget(1e-9));
  agent.send({ id: 19n, method: 'mining.submit', params: share });
  assert.deepEqual(reply(agent, 19n), { id: 19n, result: true, error: null });
  agent.send({ id: 20n, method: 'mining.submit', params: share });
  assert.deepEqual(reply(agent, 20n)!.error, [22n, 'duplicate share', null]);

  const weak = findShare(job, extranonce1, (value) => value > shareTarget(1e-9));
  agent.send({ id: 21n, method: 'mining.submit', params: weak });
  assert.deepEqual(reply(agent, 21n)!.error, [23n, 'low difficulty share', null]);

  const [stats] = coordinator.agents();
  assert.equal(stats.accepted, 1);
  assert.equal(stats.rejected, 9);
  assert.ok(stats.hashRate > 0);
  coordinator.close();
});

test('a block moves the chain, pushes a clean job to everyone and makes old jobs stale', () => {
  const { connect, coordinator, chain } = setup(EASY_BITS, 1e-9);
  const a = connect();
  const b = connect();
  const joinedA = join(a);
  join(b);
  const genesis = chain.tip.hash;
  const share = findShare(joinedA.job, joinedA.extranonce1, (value) => value <= chain.target);
  a.send({ id: 30n, method: 'mining.submit', params: share });
  assert.equal(reply(a, 30n)!.result, true);
  assert.equal(chain.height, 1);
  assert.equal(chain.tip.foundBy, 'alice');
  assert.notEqual(chain.tip.hash, genesis);
  for (const agent of [a, b]) {
    const job = lastJob(agent);
    assert.equal(job.cleanJobs, true);
    assert.notEqual(job.jobId, joinedA.job.jobId);
  }
  // The reply to the finder comes before its new job.
  const replyIndex = a.received.findIndex((message) => message.id === 30n);
  assert.equal(a.received[replyIndex + 1].method, 'mining.notify');
  // The same share again: its job is gone.
  a.send({ id: 31n, method: 'mining.submit', params: share });
  assert.equal((reply(a, 31n)!.error as JsonValue[])[0], 21n);
  assert.equal(coordinator.agents().find((stats) => stats.extranonce1 === joinedA.extranonce1)!.blocks, 1);
  coordinator.close();
});

test('the chain keeps a bounded history of linked blocks', () => {
  const { connect, coordinator, chain } = setup(EASY_BITS, 1e-9);
  const agent = connect();
  const { extranonce1 } = join(agent);
  for (let id = 100n; id < 105n; id++) {
    const share = findShare(lastJob(agent), extranonce1, (value) => value <= chain.target);
    agent.send({ id, method: 'mining.submit', params: share });
    assert.equal(reply(agent, id)!.result, true);
  }
  assert.equal(chain.height, 5);
  const kept = chain.blocks();
  assert.deepEqual(kept.map((block) => block.height), [3, 4, 5]);
  const hashes = new Set(kept.map((block) => block.hash));
  assert.equal(hashes.size, 3);
  coordinator.close();
});

test('a malformed request that has an id gets its error under that id', () => {
  const { connect, coordinator } = setup(HARD_BITS, 1);
  const agent = connect();
  join(agent);
  agent.session.receive(Buffer.from('{"id":8,"method":"mining.submit","params":{}}\n{"id":9,"method":7}\n'));
  assert.deepEqual(reply(agent, 8n), { id: 8n, result: null, error: [20n, 'params must be a list', null] });
  assert.deepEqual(reply(agent, 9n), { id: 9n, result: null, error: [20n, 'method must be a string', null] });
  coordinator.close();
});

test('garbage gets error 20, an over-long line closes that connection only', () => {
  const { connect, coordinator } = setup(HARD_BITS, 1, 256);
  const good = connect();
  const bad = connect();
  join(good);
  bad.session.receive(Buffer.from('this is not json\n{"id":5,"method":"mining.frobnicate","params":[]}\n[1,2]\n'));
  assert.equal(bad.received.length, 3);
  assert.deepEqual(bad.received[0].error && (bad.received[0].error as JsonValue[])[0], 20n);
  assert.equal(bad.received[0].id, null);
  assert.deepEqual(bad.received[1], { id: 5n, result: null, error: [20n, 'unsupported method "mining.frobnicate"', null] });
  assert.equal((bad.received[2].error as JsonValue[])[0], 20n);
  bad.send({ id: 6n, method: 'mining.extranonce.subscribe', params: [] });
  assert.deepEqual(reply(bad, 6n), { id: 6n, result: true, error: null });
  assert.equal(bad.closed, null);
  bad.session.receive(Buffer.alloc(300, 0x61));
  assert.equal(bad.closed, 'line too long');
  // The miner is told why before the close.
  assert.deepEqual(bad.received.at(-1), { id: null, result: null, error: [20n, 'line longer than 256 bytes', null] });
  assert.equal(coordinator.agents().length, 1);
  assert.equal(good.closed, null);
  good.send({ id: 7n, method: 'mining.authorize', params: ['carol', ''] });
  assert.equal(reply(good, 7n)!.result, true);
  coordinator.close();
});

test('a difficulty change reaches every agent with a fresh job, and shares are checked at the job\'s difficulty', () => {
  const { connect, coordinator } = setup(HARD_BITS, 1e-9);
  const agent = connect();
  const { extranonce1, job: oldJob } = join(agent);
  coordinator.setShareDifficulty(1000);
  const methods = agent.received.slice(-2).map((message) => message.method);
  assert.deepEqual(methods, ['mining.set_difficulty', 'mining.notify']);
  assert.deepEqual(agent.received.at(-2)!.params, [1000n]); // integers parse exact, as BigInt
  const newJob = lastJob(agent);
  assert.equal(newJob.cleanJobs, false);
  // A share easy enough for the old job's difficulty, not the new one.
  const easy = findShare(oldJob, extranonce1, (value) => value <= shareTarget(1e-9) && value > shareTarget(1000));
  agent.send({ id: 40n, method: 'mining.submit', params: easy });
  assert.equal(reply(agent, 40n)!.result, true);
  const onNew = findShare(newJob, extranonce1, (value) => value <= shareTarget(1e-9) && value > shareTarget(1000));
  agent.send({ id: 41n, method: 'mining.submit', params: onNew });
  assert.equal((reply(agent, 41n)!.error as JsonValue[])[0], 23n);
  coordinator.close();
});

test('the timer pushes fresh jobs on the same tip; older timer jobs stay valid', async () => {
  const { connect, coordinator } = setup(HARD_BITS, 1e-9, 4096, 20);
  const agent = connect();
  const { extranonce1, job: first } = join(agent);
  await new Promise((resolve) => setTimeout(resolve, 70));
  const jobs = agent.received.filter((message) => message.method === 'mining.notify').map((message) => parseNotify(message.params));
  assert.ok(jobs.length >= 2, `${jobs.length} jobs`);
  const later = jobs.at(-1)!;
  assert.equal(later.cleanJobs, false);
  assert.notEqual(later.jobId, first.jobId);
  assert.equal(later.prevhash, first.prevhash);
  assert.ok(parseInt(later.ntime, 16) >= parseInt(first.ntime, 16));
  const share = findShare(first, extranonce1, (value) => value <= shareTarget(1e-9));
  agent.send({ id: 50n, method: 'mining.submit', params: share });
  assert.equal(reply(agent, 50n)!.result, true);
  coordinator.close();
});

test('a job whose remembered shares reach the cap refuses further shares as stale and a clean job follows', () => {
  const { connect, coordinator } = setup(HARD_BITS, 1e-9, 4096, 0, { maxSharesPerJob: 2 });
  const agent = connect();
  const { extranonce1, job } = join(agent);
  const passes = (value: bigint): boolean => value <= shareTarget(1e-9);
  const first = findShare(job, extranonce1, passes, 0);
  const second = findShare(job, extranonce1, passes, Number.parseInt(first[4], 16) + 1);
  const third = findShare(job, extranonce1, passes, Number.parseInt(second[4], 16) + 1);
  agent.send({ id: 30n, method: 'mining.submit', params: first });
  agent.send({ id: 31n, method: 'mining.submit', params: second });
  assert.equal(reply(agent, 30n)!.result, true);
  assert.equal(reply(agent, 31n)!.result, true);
  // Past the cap the job cannot tell a resubmitted share from a new one, so it takes none.
  agent.send({ id: 32n, method: 'mining.submit', params: third });
  agent.send({ id: 33n, method: 'mining.submit', params: third });
  assert.deepEqual(reply(agent, 32n)!.error, [21n, 'job not found (stale)', null]);
  assert.deepEqual(reply(agent, 33n)!.error, [21n, 'job not found (stale)', null]);
  const fresh = lastJob(agent);
  assert.notEqual(fresh.jobId, job.jobId);
  assert.equal(fresh.cleanJobs, true);
  const [stats] = coordinator.agents();
  assert.equal(stats.accepted, 2);
  // The fresh job takes shares again.
  agent.send({ id: 34n, method: 'mining.submit', params: findShare(fresh, extranonce1, passes, 0) });
  assert.equal(reply(agent, 34n)!.result, true);
  coordinator.close();
});
