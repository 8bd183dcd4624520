import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PowerplantError } from '../../src/errors.js';
import type { Engine } from '../../src/engine/engine.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { nano, workValue } from '../../src/schemes/nano.js';
import { createEngineSource } from '../../src/sources/engine.js';
import { EASY, ManualSource, brokerWith, findBadWork, findWork, metricValue, nanoJob, root } from './helpers.js';

const failsWith = (code: string) => (error: unknown) => error instanceof PowerplantError && error.code === code;
const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('broker', () => {
  it('runs identical jobs in flight as one search and answers every client', async () => {
    const source = new ManualSource();
    const { broker, metrics } = brokerWith({}, source);
    const job = nanoJob(1);
    const first = broker.submit(nano, job);
    const second = broker.submit(nano, { root: root(1), threshold: EASY });
    assert.equal(source.jobs.length, 1, 'one search for two identical jobs');
    const { nonce, value } = findWork(job.root, job.threshold);
    assert.equal(source.last.reportNonce(nonce, 'manual'), true);
    assert.deepEqual(await first, { work: nonce, value }, 'the verified work carries the value its check computed');
    assert.deepEqual(await second, { work: nonce, value });
    assert.equal(source.last.signal.aborted, true, 'the job is over once solved');
    assert.equal(await metricValue(metrics.dedupeJoins, { scheme: 'nano' }), 1);
    assert.equal(await metricValue(metrics.jobs, { scheme: 'nano', outcome: 'solved' }), 2);
  });

  it('answers a repeated job from the cache without a search', async () => {
    const source = new ManualSource();
    const { broker, metrics } = brokerWith({}, source);
    const job = nanoJob(2);
    const pending = broker.submit(nano, job);
    source.last.reportNonce(findWork(job.root, job.threshold).nonce, 'manual');
    const solved = await pending;
    assert.deepEqual(await broker.submit(nano, nanoJob(2)), solved);
    assert.equal(source.jobs.length, 1);
    assert.equal(await metricValue(metrics.cacheHits, { scheme: 'nano' }), 1);
    assert.equal(broker.stats().cached, 1);
  });

  it('keeps the stronger Nano work when a weaker search of the same hash ends later', async () => {
    const source = new ManualSource();
    const { broker } = brokerWith({}, source);
    const strong = nanoJob(9, 0xfff0000000000000n);
    const weak = nanoJob(9);
    const strongAnswer = broker.submit(nano, strong);
    const weakAnswer = broker.submit(nano, weak);
    const [strongJob, weakJob] = source.jobs;
    strongJob!.reportNonce(findWork(strong.root, strong.threshold).nonce, 'manual');
    weakJob!.reportNonce(findWork(weak.root, weak.threshold).nonce, 'manual');
    const solved = await strongAnswer;
    await weakAnswer;
    assert.deepEqual(await broker.submit(nano, nanoJob(9, 0xfff0000000000000n)), solved, 'answered from the cache');
    assert.equal(source.jobs.length, 2);
  });

  it('serves a lower Nano threshold from cached higher work, never a higher one', async () => {
    const source = new ManualSource();
    const { broker } = brokerWith({}, source);
    const high = nanoJob(3, 0xfff0000000000000n);
    const pending = broker.submit(nano, high);
    const found = findWork(high.root, high.threshold);
    source.last.reportNonce(found.nonce, 'manual');
    await pending;

    const lower = await broker.submit(nano, nanoJob(3, 0xf000000000000000n));
    assert.equal(lower.work, found.nonce, 'lower threshold answered by the cached work');
    assert.equal(source.jobs.length, 1);

    const above = found.value + 1n;
    const harder = broker.submit(nano, nanoJob(3, above));
    assert.equal(source.jobs.length, 2, 'a threshold above the cached value needs a new search');
    const better = findWork(high.root, above);
    source.last.reportNonce(better.nonce, 'manual');
    const answer = await harder;
    assert.ok(answer.value >= above);
    assert.equal(workValue(root(3), answer.work), answer.value);
  });

  it('refuses a job at once when the queue is full', async () => {
    const source = new ManualSource();
    const { broker, metrics } = brokerWith({ maxActiveJobs: 1, queueLimit: 1 }, source);
    const running = broker.submit(nano, nanoJob(4));
    const queued = broker.submit(nano, nanoJob(5));
    assert.equal(source.jobs.length, 1, 'only one search runs');
    assert.deepEqual(broker.stats(), { active: 1, queued: 1, waiting: 2, cached: 0, sources: 1, closed: false });
    await assert.rejects(broker.submit(nano, nanoJob(6)), failsWith('PP_ERR_BUSY'));
    assert.equal(await metricValue(metrics.jobs, { scheme: 'nano', outcome: 'busy' }), 1);
    assert.equal(await metricValue(metrics.queueDepth), 1);

    // Solving the running job starts the queued one.
    source.jobs[0]!.reportNonce(findWork(root(4), EASY).nonce, 'manual');
    await running;
    assert.equal(source.jobs.length, 2);
    source.jobs[1]!.reportNonce(findWork(root(5), EASY).nonce, 'manual');
    await queued;
  });

  it('keeps a shared search going until every client has withdrawn', async () => {
    const source = new ManualSource();
    const { broker } = brokerWith({}, source);
    const firstClient = new AbortController();
    const secondClient = new AbortController();
    const first = broker.submit(nano, nanoJob(7), { signal: firstClient.signal });
    const second = broker.submit(nano, nanoJob(7), { signal: secondClient.signal });
    const job = source.last;

    firstClient.abort();
    await assert.rejects(first, failsWith('PP_ERR_CANCELLED'));
    assert.equal(job.signal.aborted, false, 'the other client still waits');

    secondClient.abort();
    await assert.rejects(second, failsWith('PP_ERR_CANCELLED'));
    assert.equal(job.signal.aborted, true, 'nobody waits: the search stops');
    assert.equal(job.reportNonce(findWork(root(7), EASY).nonce, 'manual'), false, 'a late answer is not taken');
    assert.equal(broker.stats().active, 0);
  });

  it('refuses and counts an invalid candidate, then takes a valid one', async () => {
    const liar = new ManualSource('liar');
    const { broker, metrics } = brokerWith({}, liar);
    const job = nanoJob(8);
    const pending = broker.submit(nano, job);
    assert.equal(liar.last.reportNonce(findBadWork(job.root, job.threshold), 'liar'), false);
    assert.equal(liar.last.reportSolution({ work: 'not hex' }, 'liar'), false);
    assert.equal(liar.last.reportNonce(-1n, 'liar'), false);
    assert.equal(await metricValue(metrics.invalidCandidates, { source: 'liar' }), 3);
    assert.equal(liar.last.signal.aborted, false);
    const { nonce } = findWork(job.root, job.threshold);
    assert.equal(liar.last.reportSolution({ work: nonce }, 'liar'), true);
    assert.equal((await pending).work, nonce);
  });

  it('gives up on a job after its timeout and stops the search', async () => {
    const source = new ManualSource();
    const { broker, metrics } = brokerWith({ jobTimeoutMs: 40 }, source);
    const started = performance.now();
    await assert.rejects(broker.submit(nano, nanoJob(9)), failsWith('PP_ERR_TIMEOUT'));
    assert.ok(performance.now() - started >= 35);
    assert.equal(source.last.signal.aborted, true);
    await assert.rejects(broker.submit(nano, nanoJob(10), { timeoutMs: 10 }), failsWith('PP_ERR_TIMEOUT'));
    assert.equal(await metricValue(metrics.jobs, { scheme: 'nano', outcome: 'timeout' }), 2);
  });

  it('fails with exhausted when every nonce was searched without success', async () => {
    const source = new ManualSource();
    const { broker } = brokerWith({}, source);
    const pending = broker.submit(nano, nanoJob(11));
    const job = source.last;
    const whole = job.claim(1n << 64n);
    assert.deepEqual(whole, { start: 0n, end: 1n << 64n });
    assert.equal(job.claim(1n), null);
    job.finish(whole!);
    await assert.rejects(pending, failsWith('PP_ERR_EXHAUSTED'));
  });

  it('fails a job at once when the only source working on it breaks down', async () => {
    const broken: Engine = {
      backend: 'js',
      threads: 1,
      search: () => Promise.reject(new Error('kernel crashed')),
      close: async () => {},
    };
    const { broker } = brokerWith({ jobTimeoutMs: 60_000 }, createEngineSource(broken));
    const started = performance.now();
    await assert.rejects(broker.submit(nano, nanoJob(13)), (error: unknown) => {
      assert.ok(error instanceof PowerplantError && error.code === 'PP_ERR_FAILED', String(error));
      assert.match(error.message, /kernel crashed/);
      return true;
    });
    assert.ok(performance.now() - started < 5000, 'the client hears at once, not at its timeout');
  });

  it('fails when no source works on the scheme', async () => {
    const { broker } = brokerWith({}, new ManualSource('nostr-only', ['nostr']));
    await assert.rejects(broker.submit(nano, nanoJob(12)), failsWith('PP_ERR_FAILED'));
  });

  it('offers running jobs to a source that arrives later', async () => {
    const early = new ManualSource('early');
    const { broker } = brokerWith({}, early);
    const pending = broker.submit(nano, nanoJob(13));
    const late = new ManualSource('late');
    broker.addSource(late);
    assert.equal(late.jobs.length, 1);
    const a = late.last.claim(100n);
    const b = early.last.claim(100n);
    assert.deepEqual([a, b], [{ start: 0n, end: 100n }, { start: 100n, end: 200n }], 'sources get disjoint ranges');
    late.last.release(a!);
    assert.deepEqual(early.last.claim(50n), { start: 0n, end: 50n }, 'a released range is handed out first');
    late.last.reportNonce(findWork(root(13), EASY).nonce, 'late');
    await pending;
  });

  it('solves through the local engine source', async () => {
    const { broker, metrics } = brokerWith({}, createEngineSource(createInlineEngine(referenceBackend)));
    const job = nanoJob(14);
    const solution = await broker.submit(nano, job);
    assert.equal(nano.verify(job, solution).valid, true);
    assert.equal(await metricValue(metrics.wins, { source: 'engine' }), 1);
  });

  it('refuses new jobs on close and fails the ones left after the grace period', async () => {
    const source = new ManualSource();
    const { broker } = brokerWith({}, source);
    const pending = broker.submit(nano, nanoJob(15));
    const closed = broker.close({ graceMs: 30 });
    await tick();
    await assert.rejects(broker.submit(nano, nanoJob(16)), failsWith('PP_ERR_SHUTDOWN'));
    await closed;
    await assert.rejects(pending, failsWith('PP_ERR_SHUTDOWN'));
    assert.equal(source.last.signal.aborted, true);
  });

  it('lets a job in flight finish within the grace period', async () => {
    const source = new ManualSource();
    const { broker } = brokerWith({}, source);
    const pending = broker.submit(nano, nanoJob(17));
    const closed = broker.close({ graceMs: 5000 });
    source.last.reportNonce(findWork(root(17), EASY).nonce, 'manual');
    await pending;
    await closed;
  });
});
