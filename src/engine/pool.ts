/**
 * The worker-thread engine. N threads scan disjoint chunks of each search's nonce range, handed out
 * from a per-search cursor and taken from the searches in round-robin order, so concurrent searches
 * share the threads evenly. Every nonce a thread reports is re-checked with the reference
 * `attempt()` before a search resolves: a kernel bug never becomes a wrong answer.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { nonceSpace, type KernelName, type SearchTask } from '../schemes/search.js';
import type { BackendName } from './backends.js';
import {
  RangeExhaustedError,
  type Engine,
  type EngineStats,
  type Found,
  type SearchOptions,
} from './engine.js';
import { attempt } from './reference.js';
import type { FromWorker, ToWorker, WorkerConfig } from './worker.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Chunks a thread holds at once: the one it scans and the next, so it never idles on a round trip. */
const CHUNKS_PER_THREAD = 2;
/** Chunk length to aim for: long enough that messages cost nothing, short enough to cancel promptly. */
const CHUNK_TARGET_MS = 25;
export const MAX_CHUNK = 1 << 24;
/** A native or WASM call costs ~2 µs, so below 16K attempts the overhead shows; JS pays per attempt. */
const MIN_CHUNK: Readonly<Record<BackendName, number>> = { native: 1 << 14, wasm: 1 << 14, js: 1 << 10 };
const PROGRESS_INTERVAL_MS = 200;
const RATE_WINDOW_MS = 5000;
/** Searches scanned at once (one cancel flag each in shared memory); more wait for a free slot. */
const JOB_SLOTS = 1024;
/** A search whose chunks killed this many threads fails instead of killing more. */
const MAX_CRASHES_PER_JOB = 3;
const MAX_JOB_ID = 0x7fffffff;

export interface PoolOptions {
  /** The concrete backend every thread loads. */
  readonly backend: BackendName;
  readonly threads: number;
  /** Fixed chunk size in nonces; adaptive when left out. */
  readonly chunk?: number;
  /** Where pool trouble is reported (a rejected kernel result, a thread that would not start). */
  readonly onWarning?: (message: string) => void;
}

interface Chunk {
  readonly start: bigint;
  readonly count: number;
}

interface Job {
  readonly id: number;
  /** Index of its flag in the shared array, -1 while waiting for one. */
  slot: number;
  readonly task: SearchTask;
  readonly options: SearchOptions;
  /** The cursor: nonces [next, end) have not been handed out yet. */
  next: bigint;
  readonly end: bigint;
  /** Chunks to scan again before the cursor moves on: a dead thread's, a bad result's remainder. */
  readonly returned: Chunk[];
  inFlight: number;
  attempts: number;
  chunk: number;
  crashes: number;
  readonly started: number;
  lastProgress: number;
  settled: boolean;
  readonly resolve: (found: Found) => void;
  readonly reject: (reason: unknown) => void;
  readonly onAbort: () => void;
}

interface Thread {
  readonly worker: Worker;
  ready: boolean;
  /** Chunks sent and not yet answered, oldest first (a worker answers in order). */
  readonly inFlight: { readonly job: Job; readonly chunk: Chunk }[];
  readonly knownJobs: Set<number>;
  failure?: unknown;
}

const writeWarning = (message: string): void => {
  process.stderr.write(`powerplant: warning: ${message}\n`);
};

export class WorkerPool implements Engine {
  readonly backend: BackendName;
  readonly threads: number;
  private readonly fixedChunk: number | undefined;
  private readonly warn: (message: string) => void;
  private readonly live = new Int32Array(new SharedArrayBuffer(JOB_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  private readonly freeSlots = Array.from({ length: JOB_SLOTS }, (_, slot) => JOB_SLOTS - 1 - slot);
  private readonly workers: Thread[] = [];
  private readonly active: Job[] = [];
  private readonly waiting: Job[] = [];
  /** Round-robin position in `active`: the search that gives the next chunk. */
  private turn = 0;
  private lastJobId = 0;
  /** Last chunk size that hit the target per kernel, so a new search starts at the right size. */
  private readonly chunkByKernel = new Map<KernelName, number>();
  private totalAttempts = 0;
  private rejectedCandidates = 0;
  private workerRestarts = 0;
  private readonly recent: { readonly at: number; readonly attempts: number }[] = [];
  private readonly createdAt = performance.now();
  private closed = false;

  private constructor(options: PoolOptions) {
    this.backend = options.backend;
    this.threads = options.threads;
    this.fixedChunk = options.chunk;
    this.warn = options.onWarning ?? writeWarning;
  }

  /** Start the threads and wait until each has loaded its backend. */
  static async start(options: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      await Promise.all(Array.from({ length: options.threads }, () => pool.spawn()));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  search(task: SearchTask, options: SearchOptions = {}): Promise<Found> {
    return new Promise<Found>((resolve, reject) => {
      if (this.closed) throw new Error('the engine is closed');
      const { signal } = options;
      signal?.throwIfAborted();
      const space = nonceSpace(task);
      const start = options.start ?? 0n;
      const end = options.end ?? space;
      if (start < 0n || start > end || end > space) {
        throw new RangeError(`nonce range [${start}, ${end}) is not inside [0, ${space})`);
      }
      const now = performance.now();
      this.lastJobId = this.lastJobId >= MAX_JOB_ID ? 1 : this.lastJobId + 1;
      const job: Job = {
        id: this.lastJobId,
        slot: -1,
        task,
        options,
        next: start,
        end,
        returned: [],
        inFlight: 0,
        attempts: 0,
        chunk: this.fixedChunk ?? this.chunkByKernel.get(task.kernel) ?? MIN_CHUNK[this.backend],
        crashes: 0,
        started: now,
        lastProgress: now,
        settled: false,
        resolve,
        reject,
        onAbort: () => this.finish(job, () => reject(signal?.reason)),
      };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      this.waiting.push(job);
      this.activateWaiting();
      this.pump();
    });
  }

  stats(): EngineStats {
    const now = performance.now();
    this.forgetOldAttempts(now);
    const recentAttempts = this.recent.reduce((sum, entry) => sum + entry.attempts, 0);
    const windowMs = Math.min(RATE_WINDOW_MS, now - this.createdAt);
    return {
      threads: this.workers.length,
      activeJobs: this.active.length,
      queuedJobs: this.waiting.length,
      totalAttempts: this.totalAttempts,
      rate: windowMs > 0 ? (recentAttempts * 1000) / windowMs : 0,
      rejectedCandidates: this.rejectedCandidates,
      workerRestarts: this.workerRestarts,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const closedError = new Error('the engine is closed');
    for (const job of [...this.active, ...this.waiting]) this.finish(job, () => job.reject(closedError));
    await Promise.all([...this.workers].map((thread) => thread.worker.terminate()));
  }

  /** Start one thread; resolves when its backend has loaded, rejects when it dies before that. */
  private spawn(): Promise<void> {
    const config: WorkerConfig = { backend: this.backend, live: this.live };
    const thread: Thread = {
      worker: new Worker(WORKER_URL, { workerData: config }),
      ready: false,
      inFlight: [],
      knownJobs: new Set(),
    };
    this.workers.push(thread);
    return new Promise<void>((resolve, reject) => {
      thread.worker.on('message', (message: FromWorker) => {
        if (message.type !== 'ready') return this.onAnswer(thread, message);
        thread.ready = true;
        this.updateRefs();
        resolve();
        this.pump();
      });
      thread.worker.on('error', (error) => {
        thread.failure = error;
      });
      thread.worker.on('exit', (code) => {
        if (!thread.ready) reject(thread.failure ?? new Error(`a worker thread exited with code ${code} while starting`));
        this.onExit(thread, code);
      });
    });
  }

  private onExit(thread: Thread, code: number): void {
    this.workers.splice(this.workers.indexOf(thread), 1);
    if (this.closed) return;
    const reason = thread.failure instanceof Error ? thread.failure.message : `exit code ${code}`;
    // Its chunks go back to the front of their searches, in order, to be scanned again.
    for (const { job, chunk } of [...thread.inFlight].reverse()) {
      job.inFlight--;
      if (!job.settled) job.returned.unshift(chunk);
    }
    const culprit = thread.inFlight[0]?.job;
    if (culprit !== undefined && !culprit.settled && ++culprit.crashes >= MAX_CRASHES_PER_JOB) {
      this.finish(culprit, () =>
        culprit.reject(new Error(`worker threads died ${culprit.crashes} times on this search: ${reason}`)),
      );
    }
    if (thread.ready) {
      this.workerRestarts++;
      // A replacement that fails to start reports itself through onExit, below.
      this.spawn().catch(() => undefined);
    } else {
      this.warn(`a worker thread failed to start (${reason}); the engine runs with ${this.workers.length}`);
    }
    if (this.workers.length === 0) {
      const error = new Error(`no worker thread is left: ${reason}`);
      for (const job of [...this.active, ...this.waiting]) this.finish(job, () => job.reject(error));
    }
    this.pump();
  }

  private onAnswer(thread: Thread, message: Exclude<FromWorker, { type: 'ready' }>): void {
    const index = thread.inFlight.findIndex((entry) => entry.job.id === message.job);
    if (index < 0) return;
    const [{ job, chunk }] = thread.inFlight.splice(index, 1);
    job.inFlight--;
    if (message.type === 'failed') {
      this.finish(job, () => job.reject(new Error(`the ${this.backend} backend failed: ${message.message}`)));
      return this.pump();
    }
    this.countAttempts(message.attempts);
    if (!job.settled) this.record(job, chunk, message);
    this.pump();
  }

  /** Account for one scanned chunk of a live search: a verified nonce ends it, else it goes on. */
  private record(job: Job, chunk: Chunk, scanned: Extract<FromWorker, { type: 'scanned' }>): void {
    job.attempts += scanned.attempts;
    const now = performance.now();
    if (scanned.nonce === null) {
      this.adaptChunk(job, scanned.attempts, scanned.ms);
    } else if (this.verified(job, chunk, scanned.nonce)) {
      const found: Found = { nonce: scanned.nonce, attempts: job.attempts, elapsedMs: now - job.started };
      return this.finish(job, () => job.resolve(found));
    } else {
      // The kernel stopped at a nonce that does not pass: scan the rest of its chunk again.
      const done = Math.max(1, scanned.attempts);
      if (done < chunk.count) job.returned.unshift({ start: chunk.start + BigInt(done), count: chunk.count - done });
    }
    if (job.options.onProgress !== undefined && now - job.lastProgress >= PROGRESS_INTERVAL_MS) {
      job.lastProgress = now;
      const elapsedMs = now - job.started;
      try {
        job.options.onProgress({ attempts: job.attempts, elapsedMs, rate: (job.attempts * 1000) / elapsedMs });
      } catch (error) {
        return this.finish(job, () => job.reject(error));
      }
    }
    if (job.inFlight === 0 && !this.hasWork(job)) this.finish(job, () => job.reject(new RangeExhaustedError(job.attempts)));
  }

  private verified(job: Job, chunk: Chunk, nonce: bigint): boolean {
    if (nonce >= chunk.start && nonce < chunk.start + BigInt(chunk.count) && attempt(job.task, nonce)) return true;
    this.rejectedCandidates++;
    this.warn(
      `the ${this.backend} kernel reported nonce ${nonce} for a ${job.task.kernel} search in ` +
        `[${chunk.start}, +${chunk.count}), but it does not pass; searching on`,
    );
    return false;
  }

  /** Size the next chunks of this search from the rate its last full chunk ran at. */
  private adaptChunk(job: Job, attempts: number, ms: number): void {
    if (this.fixedChunk !== undefined || ms <= 0 || attempts === 0) return;
    const ideal = Math.round((attempts / ms) * CHUNK_TARGET_MS);
    job.chunk = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK[this.backend], ideal));
    this.chunkByKernel.set(job.task.kernel, job.chunk);
  }

  private hasWork(job: Job): boolean {
    return job.returned.length > 0 || job.next < job.end;
  }

  private takeChunk(job: Job): Chunk | undefined {
    const returned = job.returned.shift();
    if (returned !== undefined || job.next >= job.end) return returned;
    const remaining = job.end - job.next;
    const count = remaining < BigInt(job.chunk) ? Number(remaining) : job.chunk;
    const chunk = { start: job.next, count };
    job.next += BigInt(count);
    return chunk;
  }

  /** Give every ready thread chunks until each holds CHUNKS_PER_THREAD or no search has any left. */
  private pump(): void {
    if (this.closed) return;
    for (const thread of this.workers) {
      while (thread.ready && thread.inFlight.length < CHUNKS_PER_THREAD) {
        const next = this.nextChunk();
        if (next === undefined) return;
        this.send(thread, next.job, next.chunk);
      }
    }
  }

  /** The next chunk in round-robin order over the active searches, urgent ones first. */
  private nextChunk(): { job: Job; chunk: Chunk } | undefined {
    return this.nextChunkOf((job) => job.options.urgent === true) ?? this.nextChunkOf(() => true);
  }

  private nextChunkOf(eligible: (job: Job) => boolean): { job: Job; chunk: Chunk } | undefined {
    for (let tried = 0; tried < this.active.length; tried++) {
      const index = (this.turn + tried) % this.active.length;
      const job = this.active[index];
      if (!eligible(job)) continue;
      const chunk = this.takeChunk(job);
      if (chunk !== undefined) {
        this.turn = (index + 1) % this.active.length;
        return { job, chunk };
      }
    }
    return undefined;
  }

  private send(thread: Thread, job: Job, chunk: Chunk): void {
    if (!thread.knownJobs.has(job.id)) {
      thread.knownJobs.add(job.id);
      this.post(thread, { type: 'job', job: job.id, slot: job.slot, task: job.task });
    }
    thread.inFlight.push({ job, chunk });
    job.inFlight++;
    this.post(thread, { type: 'scan', job: job.id, start: chunk.start, count: chunk.count });
  }

  private post(thread: Thread, message: ToWorker): void {
    thread.worker.postMessage(message);
  }

  /** Give waiting searches a flag slot; a search with an empty range ends at once. */
  private activateWaiting(): void {
    while (this.freeSlots.length > 0 && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      job.slot = this.freeSlots.pop()!;
      Atomics.store(this.live, job.slot, job.id);
      this.active.push(job);
      if (!this.hasWork(job)) this.finish(job, () => job.reject(new RangeExhaustedError(0)));
    }
    this.updateRefs();
  }

  /** End a search once: raise its flag so threads skip its queued chunks, then settle it. */
  private finish(job: Job, settle: () => void): void {
    if (job.settled) return;
    job.settled = true;
    job.options.signal?.removeEventListener('abort', job.onAbort);
    if (job.slot >= 0) {
      Atomics.store(this.live, job.slot, 0);
      this.freeSlots.push(job.slot);
      const index = this.active.indexOf(job);
      this.active.splice(index, 1);
      if (index < this.turn) this.turn--;
      if (this.turn >= this.active.length) this.turn = 0;
    } else {
      this.waiting.splice(this.waiting.indexOf(job), 1);
    }
    for (const thread of this.workers) {
      if (thread.knownJobs.delete(job.id)) this.post(thread, { type: 'forget', job: job.id });
    }
    settle();
    this.activateWaiting();
  }

  /** Idle threads do not keep the process alive; busy or starting ones do. */
  private updateRefs(): void {
    const busy = this.active.length > 0;
    for (const thread of this.workers) {
      if (busy || !thread.ready) thread.worker.ref();
      else thread.worker.unref();
    }
  }

  private countAttempts(attempts: number): void {
    if (attempts === 0) return;
    const now = performance.now();
    this.totalAttempts += attempts;
    this.recent.push({ at: now, attempts });
    this.forgetOldAttempts(now);
  }

  private forgetOldAttempts(now: number): void {
    let stale = 0;
    while (stale < this.recent.length && this.recent[stale].at < now - RATE_WINDOW_MS) stale++;
    if (stale > 0) this.recent.splice(0, stale);
  }
}
