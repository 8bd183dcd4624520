import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import type { SearchTask } from '../../src/schemes/search.js';
import { createEngine, RangeExhaustedError, type Progress, type WorkerPool } from '../../src/engine/index.js';
import { loadBackend, type BackendName } from '../../src/engine/backends.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { attempt, referenceBackend } from '../../src/engine/reference.js';

const text = (value: string): Uint8Array => new TextEncoder().encode(value);
const bytes = (length: number, seed: number): Uint8Array => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

/** One task per kernel, each passing about one nonce in 256. */
const EASY: readonly SearchTask[] = [
  { kernel: 'sha256-text', prefix: text('["pool test",'), suffix: text(']'), width: 10, zeroBits: 8 },
  { kernel: 'sha1-text', prefix: text('1:8:261121:pool::abcd:'), suffix: new Uint8Array(0), width: 6, zeroBits: 8 },
  { kernel: 'sha256d-header', header: bytes(80, 7), target: (1n << 248n) - 1n },
  { kernel: 'sha512d-bitmessage', initialHash: bytes(64, 3), target: 1n << 56n },
  { kernel: 'blake2b-nano', root: bytes(32, 5), threshold: (1n << 64n) - (1n << 56n) },
];
/** About 2^40 attempts: never finishes in a test. */
const HARD: SearchTask = { kernel: 'sha256-text', prefix: text('hard'), suffix: text('!'), width: 16, zeroBits: 40 };
const IMPOSSIBLE: SearchTask = { ...HARD, zeroBits: 256 };

const reference = createInlineEngine(referenceBackend);

async function available(name: BackendName): Promise<boolean> {
  try {
    await loadBackend(name);
    return true;
  } catch {
    return false;
  }
}

for (const backend of ['js', 'native', 'wasm'] as const) {
  const skip = !(await available(backend)) && `the ${backend} backend is not available`;
  for (const threads of [1, 2]) {
    describe(`pool: ${backend} backend, ${threads} thread(s)`, () => {
      let engine: WorkerPool;
      before(async () => {
        if (!skip) engine = await createEngine({ threads, backend });
      });
      after(() => engine?.close());

      for (const task of EASY) {
        it(`finds a passing ${task.kernel} nonce${threads === 1 ? ', the same as the reference search' : ''}`, { skip }, async () => {
          for (const start of [0n, 100_000n]) {
            const found = await engine.search(task, { start });
            assert.ok(attempt(task, found.nonce), `nonce ${found.nonce} passes`);
            assert.ok(found.nonce >= start);
            if (threads === 1) assert.equal(found.nonce, (await reference.search(task, { start })).nonce);
          }
        });
      }
    });
  }
}

describe('pool: lowest priority', { skip: process.platform !== 'linux' && 'thread nice values are read from /proc' }, () => {
  /** Nice value of every thread of this process, by thread id (field 19 of /proc/self/task/TID/stat). */
  const threadNiceValues = (): Map<string, number> =>
    new Map(
      readdirSync('/proc/self/task').map((tid) => {
        const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
        return [tid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])];
      }),
    );

  it('runs the search threads at nice 19 and leaves the main thread as it was', async () => {
    const before = threadNiceValues();
    const mainNice = getPriority();
    const engine = await createEngine({ threads: 2, backend: 'js', nice: true });
    try {
      const added = [...threadNiceValues()].filter(([tid]) => !before.has(tid)).map(([, nice]) => nice);
      assert.equal(added.filter((nice) => nice === 19).length, 2, `new threads' nice values: ${added.join(' ')}`);
      assert.equal(getPriority(), mainNice);
      const found = await engine.search(EASY[4]);
      assert.ok(attempt(EASY[4], found.nonce));
    } finally {
      await engine.close();
    }
  });
});

describe('pool: scheduling, cancellation and shutdown', () => {
  let engine: WorkerPool;
  before(async () => {
    engine = await createEngine({ threads: 2, backend: 'js' });
  });
  after(() => engine.close());

  it('rejects with the signal reason soon after an abort, and the threads are free again', async () => {
    const controller = new AbortController();
    const search = engine.search(HARD, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const aborted = performance.now();
    await assert.rejects(search, { name: 'AbortError' });
    assert.ok(performance.now() - aborted < 1000);
    const found = await engine.search(EASY[0]);
    assert.ok(attempt(EASY[0], found.nonce));
    assert.equal(engine.stats().activeJobs, 0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    await assert.rejects(engine.search(HARD, { signal: AbortSignal.abort() }), { name: 'AbortError' });
  });

  it('rejects with RangeExhaustedError when the range holds no solution, after trying all of it', async () => {
    await assert.rejects(engine.search(IMPOSSIBLE, { start: 500n, end: 3500n }), (error) => {
      assert.ok(error instanceof RangeExhaustedError);
      assert.equal(error.attempts, 3000);
      return true;
    });
    await assert.rejects(engine.search(IMPOSSIBLE, { start: 7n, end: 7n }), RangeExhaustedError);
  });

  it('refuses a range outside the nonce space', async () => {
    await assert.rejects(engine.search(EASY[2], { end: 1n << 33n }), RangeError);
  });

  it('shares the threads between concurrent searches and reports progress for each', async () => {
    const controller = new AbortController();
    const progress: Progress[][] = [[], []];
    const searches = progress.map((reports) =>
      engine.search(HARD, { signal: controller.signal, onProgress: (report) => reports.push(report) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 700));
    controller.abort();
    for (const search of searches) await assert.rejects(search, { name: 'AbortError' });
    const [first, second] = progress.map((reports) => reports.at(-1)?.attempts ?? 0);
    assert.ok(first > 0 && second > 0, 'both searches progressed');
    assert.ok(first < second * 3 && second < first * 3, `fair share: ${first} vs ${second}`);
    for (const reports of progress) {
      for (const [i, report] of reports.entries()) {
        assert.ok(report.rate > 0 && report.elapsedMs > 0);
        if (i > 0) assert.ok(report.elapsedMs - reports[i - 1].elapsedMs >= 150, 'at most one report per ~200 ms');
      }
    }
  });

  it('gives an urgent search the threads first, the others only what it leaves', async () => {
    const controller = new AbortController();
    const progress: Progress[][] = [[], []];
    const searches = progress.map((reports, index) =>
      engine.search(HARD, { signal: controller.signal, urgent: index === 1, onProgress: (report) => reports.push(report) }),
    );
    await new Promise((resolve) => setTimeout(resolve, 700));
    controller.abort();
    for (const search of searches) await assert.rejects(search, { name: 'AbortError' });
    const [plain, urgent] = progress.map((reports) => reports.at(-1)?.attempts ?? 0);
    assert.ok(urgent > plain * 5, `urgent first: ${urgent} vs ${plain}`);
  });

  it('completes concurrent searches of different kernels', async () => {
    const found = await Promise.all(EASY.map((task) => engine.search(task)));
    found.forEach((result, i) => assert.ok(attempt(EASY[i], result.nonce)));
    const stats = engine.stats();
    assert.equal(stats.threads, 2);
    assert.ok(stats.totalAttempts > 0 && stats.rate > 0);
    assert.equal(stats.rejectedCandidates, 0);
  });

  it('replaces a thread that dies and searches its chunks again, in order', async () => {
    const task: SearchTask = { kernel: 'sha256-text', prefix: text('crash'), suffix: text(']'), width: 10, zeroBits: 17 };
    const expected = await reference.search(task);
    const single = await createEngine({ threads: 1, backend: 'js' });
    try {
      const search = single.search(task);
      // White-box: kill the thread mid-search as a crashing kernel would.
      const { workers } = single as unknown as { workers: { worker: { terminate(): Promise<number> } }[] };
      setTimeout(() => void workers[0].worker.terminate(), 30);
      const found = await search;
      assert.equal(found.nonce, expected.nonce);
      // Every nonce below it scanned and counted once: the dead thread's chunks were scanned again.
      assert.equal(found.attempts, expected.attempts);
      assert.equal(single.stats().workerRestarts, 1);
    } finally {
      await single.close();
    }
  });

  it('close() ends pending searches and stops every thread', async () => {
    const closing = await createEngine({ threads: 2, backend: 'js' });
    const pending = assert.rejects(closing.search(HARD), /closed/);
    await closing.close();
    await pending;
    await assert.rejects(closing.search(EASY[0]), /closed/);
    assert.equal(closing.stats().threads, 0);
  });
});

describe('createEngine', () => {
  it('validates its options', async () => {
    await assert.rejects(createEngine({ threads: 0 }), RangeError);
    await assert.rejects(createEngine({ threads: 1.5 }), TypeError);
    await assert.rejects(createEngine({ chunk: 0 }), RangeError);
  });
});
