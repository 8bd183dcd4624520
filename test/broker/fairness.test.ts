import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PowerplantError } from '../../src/errors.js';
import { nano } from '../../src/schemes/nano.js';
import { expectedAttempts } from '../../src/schemes/search.js';
import { EASY, ManualSource, brokerWith, findWork, nanoJob, root } from './helpers.js';

/** 2^32 expected attempts: minutes of work, never solved in these tests. */
const HARD = 0xffffffff00000000n;
const client = (id: string, address = id) => ({ client: { id, address, door: 'test' } });
const isOverBudget = (pattern: RegExp) => (error: unknown) => error instanceof PowerplantError && error.code === 'PP_ERR_OVER_BUDGET' && pattern.test(error.message);
const started = (source: ManualSource): number[] => source.jobs.map((job) => (job.input as { root: Uint8Array }).root[0]!);

describe('broker fairness', () => {
  it('knows the expected attempts of a job from its difficulty', () => {
    assert.equal(expectedAttempts(nano.task(nanoJob(1, HARD))), 2 ** 32);
    assert.equal(expectedAttempts(nano.task(nanoJob(1, EASY))), 2 ** 8);
  });

  it('starts a cheap job from another client at once while hard jobs wait for the other slots', async () => {
    const source = new ManualSource();
    const { broker } = brokerWith({ maxActiveJobs: 2, quickSlots: 1, quickJobAttempts: 2 ** 16 }, source);
    const hard = [1, 2, 3].map((fill) => broker.submit(nano, nanoJob(fill, HARD), client(`hard-${fill}`)));
    for (const job of hard) job.catch(() => undefined);
    assert.deepEqual(started(source), [1], 'hard jobs take only the slots not kept for quick ones');
    const cheap = broker.submit(nano, nanoJob(9), client('cheap'));
    assert.deepEqual(started(source), [1, 9]);
    source.last.reportNonce(findWork(root(9), EASY).nonce, 'manual');
    assert.ok((await cheap).value >= EASY);
    await broker.close();
  });

  it('gives a free slot to the address with the fewest searches running, then to the cheaper job', async () => {
    const source = new ManualSource();
    const { broker } = brokerWith({ maxActiveJobs: 2 }, source);
    const jobs = [
      broker.submit(nano, nanoJob(1, HARD), client('a1', 'A')),
      broker.submit(nano, nanoJob(2, HARD), client('a2', 'A')),
      broker.submit(nano, nanoJob(3, HARD), client('a3', 'A')),
      broker.submit(nano, nanoJob(4, HARD), client('b1', 'B')),
      broker.submit(nano, nanoJob(5, EASY), client('b2', 'B')),
    ];
    for (const job of jobs) job.catch(() => undefined);
    assert.deepEqual(started(source), [1, 2]);
    // The first search ends: B has none running, and its cheaper job goes first.
    const whole = source.jobs[0]!.claim(1n << 64n)!;
    source.jobs[0]!.finish(whole);
    assert.deepEqual(started(source), [1, 2, 5]);
    source.last.reportNonce(findWork(root(5), EASY).nonce, 'manual');
    await jobs[4];
    assert.deepEqual(started(source), [1, 2, 5, 4], "B's other job before A's third");
    await broker.close();
  });

  it('bounds the jobs waiting per connection and per address, and their expected attempts', async () => {
    const source = new ManualSource();
    const { broker } = brokerWith({ maxActiveJobs: 8, maxJobsPerClient: 1, maxJobsPerAddress: 2, maxAttemptsPerAddress: 2 ** 33 }, source);
    const gone = new AbortController();
    const first = broker.submit(nano, nanoJob(1, HARD), { ...client('c1', 'A'), signal: gone.signal });
    await assert.rejects(broker.submit(nano, nanoJob(2), client('c1', 'A')), isOverBudget(/connection already has 1 jobs/));
    const second = broker.submit(nano, nanoJob(3), client('c2', 'A'));
    await assert.rejects(broker.submit(nano, nanoJob(4), client('c3', 'A')), isOverBudget(/address already has 2 jobs/));
    await assert.rejects(broker.submit(nano, nanoJob(5, 0xffffffffc0000000n), client('c4', 'B')), isOverBudget(/expected attempts/));
    // A job that ends frees its place.
    gone.abort();
    await assert.rejects(first, (error) => error instanceof PowerplantError && error.code === 'PP_ERR_CANCELLED');
    const third = broker.submit(nano, nanoJob(2), client('c1', 'A'));
    source.jobs[1]!.reportNonce(findWork(root(3), EASY).nonce, 'manual');
    source.last.reportNonce(findWork(root(2), EASY).nonce, 'manual');
    await Promise.all([second, third]);
    await broker.close();
  });
});
