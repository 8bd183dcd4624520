/**
 * The worker-thread engine. Its lanes are worker threads: N on the CPU backend and one per chosen
 * OpenCL device, which only waits on its device. They scan disjoint chunks of each search's nonce
 * range, handed out from a per-search cursor (chunks.ts) and taken from the searches in round-robin
 * order, so concurrent searches share the lanes evenly; each lane's chunks are sized from its own
 * rate (a GPU's chunk is about one launch), so the range is shared by measured rate. A lane checks
 * a nonce its kernel reports with the reference `attempt()` before it answers, so a kernel bug is
 * counted and searched past, off the main thread; the broker verifies every result again on its own.
 * @module
 */
import { Worker } from 'node:worker_threads';
import { nonceSpace, type KernelName, type SearchTask } from '../schemes/search.js';
import type { BackendName } from './backends.js';
import { ChunkCursor, ChunkSizer, type Chunk } from './chunks.js';
import {
  RangeExhaustedError,
  type Engine,
  type EngineStats,
  type Found,
  type LaneStats,
  type SearchOptions,
} from './engine.js';
import { deviceLane, type OpenclDevice } from './gpu.js';
import type { KernelChoice } from './kernel-selection.js';
import { RateWindow } from './rate.js';
import type { FromWorker, ToWorker, WorkerConfig } from './worker.js';

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** Chunks a thread holds at once: the one it scans and the next, so it never idles on a round trip. */
const CHUNKS_PER_THREAD = 2;
const PROGRESS_INTERVAL_MS = 200;
/** Searches scanned at once (one cancel flag each in shared memory); more wait for a free slot. */
const JOB_SLOTS = 1024;
/** A search whose chunks killed this many threads fails instead of killing more. */
const MAX_CRASHES_PER_JOB = 3;
const MAX_JOB_ID = 0x7fffffff;

export interface PoolOptions {
  /** The concrete backend every thread loads. */
  readonly backend: BackendName;
  /** The kernel variant of every family, selected once on the main thread; every thread runs it. */
  readonly kernels: Readonly<Record<KernelName, KernelChoice>>;
  /** CPU threads; 0 makes a pool of the devices alone. */
  readonly threads: number;
  /** Fixed chunk size in nonces; adaptive when left out. */
  readonly chunk?: number;
  /** Run the search threads at the lowest scheduling priority. */
  readonly nice?: boolean;
  /** OpenCL devices that search beside the threads, one lane each. */
  readonly gpus?: readonly OpenclDevice[];
  /** Where pool trouble is reported (a rejected kernel result, a thread that would not start). */
  readonly onWarning?: (message: string) => void;
}

interface Job {
  readonly id: number;
  /** Index of its flag in the shared array, -1 while waiting for one. */
  slot: number;
  readonly task: SearchTask;
  readonly options: SearchOptions;
  readonly cursor: ChunkCursor;
  inFlight: number;
  attempts: number;
  crashes: number;
  readonly started: number;
  lastProgress: number;
  settled: boolean;
  readonly resolve: (found: Found) => void;
  readonly reject: (reason: unknown) => void;
  readonly onAbort: () => void;
}

/** What one thread searches with: the CPU backend, or one OpenCL device. */
type Lane = { readonly kind: 'cpu' } | { readonly kind: 'opencl'; readonly device: OpenclDevice };

const CPU_LANE: Lane = { kind: 'cpu' };

/** The lane's label in stats and metrics: 'cpu' for every CPU thread, 'opencl:N' per device. */
const laneLabel = (lane: Lane): string => (lane.kind === 'cpu' ? 'cpu' : deviceLane(lane.device));

interface Thread {
  readonly lane: Lane;
  readonly worker: Worker;
  ready: boolean;
  /** Chunks sent and not yet answered, oldest first (a worker answers in order). */
  readonly inFlight: { readonly job: Job; readonly chunk: Chunk }[];
  readonly knownJobs: Set<number>;
  readonly chunks: ChunkSizer;
  failure?: unknown;
  /** Set when the lane is taken out of the pool for good (a device that failed a scan). */
  retired?: boolean;
}

const writeWarning = (message: string): void => {
  process.stderr.write(`powerplant: warning: ${message}\n`);
};

export class WorkerPool implements Engine {
  readonly backend: BackendName;
  readonly threads: number;
  readonly kernels: Readonly<Record<KernelName, KernelChoice>>;
  private readonly fixedChunk: number | undefined;
  private readonly nice: boolean;
  private readonly warn: (message: string) => void;
  private readonly live = new Int32Array(new SharedArrayBuffer(JOB_SLOTS * Int32Array.BYTES_PER_ELEMENT));
  private readonly freeSlots = Array.from({ length: JOB_SLOTS }, (_, slot) => JOB_SLOTS - 1 - slot);
  private readonly workers: Thread[] = [];
  private readonly active: Job[] = [];
  private readonly waiting: Job[] = [];
  /** Round-robin position in `active`: the search that gives the next chunk. */
  private turn = 0;
  private lastJobId = 0;
  private readonly attempts = new RateWindow();
  /** Attempts per lane label, kept across thread restarts. */
  private readonly laneAttempts = new Map<string, RateWindow>();
  private readonly gpus: readonly OpenclDevice[];
  private rejectedCandidates = 0;
  private workerRestarts = 0;
  private closed = false;

  private constructor(options: PoolOptions) {
    this.backend = options.backend;
    this.threads = options.threads;
    this.kernels = options.kernels;
    this.fixedChunk = options.chunk;
    this.nice = options.nice ?? false;
    this.warn = options.onWarning ?? writeWarning;
    this.gpus = options.gpus ?? [];
    for (const lane of [CPU_LANE, ...this.gpus.map((device): Lane => ({ kind: 'opencl', device }))]) {
      this.laneAttempts.set(laneLabel(lane), new RateWindow());
    }
  }

  /**
   * Start the threads and wait until each has loaded its backend (an OpenCL lane has built its
   * kernels). A CPU thread that fails to start fails the pool; a device that fails is left out
   * with a warning.
   */
  static async start(options: PoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      await Promise.all([
        ...Array.from({ length: options.threads }, () => pool.spawn(CPU_LANE)),
        ...pool.gpus.map((device) => pool.spawn({ kind: 'opencl', device }).catch(() => undefined)),
      ]);
      if (pool.workers.length === 0) throw new Error('no lane of the engine started (every OpenCL device failed)');
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** The OpenCL devices searching in the pool now. */
  get devices(): readonly OpenclDevice[] {
    return this.workers.flatMap((thread) => (thread.lane.kind === 'opencl' && thread.ready ? [thread.lane.device] : []));
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
        cursor: new ChunkCursor(start, end),
        inFlight: 0,
        attempts: 0,
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
    const lanes = [...this.laneAttempts].map(([lane, attempts]): LaneStats => ({
      lane,
      threads: this.workers.filter((thread) => laneLabel(thread.lane) === lane).length,
      totalAttempts: attempts.total,
      rate: attempts.rate(),
    }));
    return {
      threads: this.workers.filter((thread) => thread.lane.kind === 'cpu').length,
      lanes,
      activeJobs: this.active.length,
      queuedJobs: this.waiting.length,
      totalAttempts: this.attempts.total,
      rate: this.attempts.rate(),
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
  private spawn(lane: Lane): Promise<void> {
    const variants = Object.fromEntries(Object.entries(this.kernels).map(([family, choice]) => [family, choice.variant]));
    const opencl = lane.kind === 'opencl' ? lane.device.index : null;
    const config: WorkerConfig = { backend: this.backend, opencl, variants, nice: this.nice, live: this.live };
    const thread: Thread = {
      lane,
      worker: new Worker(WORKER_URL, { workerData: config }),
      ready: false,
      inFlight: [],
      knownJobs: new Set(),
      chunks: new ChunkSizer(lane.kind === 'cpu' ? this.backend : 'opencl', this.fixedChunk),
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
      if (!job.settled) job.cursor.giveBack(chunk);
    }
    const culprit = thread.retired ? undefined : thread.inFlight[0]?.job;
    if (culprit !== undefined && !culprit.settled && ++culprit.crashes >= MAX_CRASHES_PER_JOB) {
      this.finish(culprit, () =>
        culprit.reject(new Error(`worker threads died ${culprit.crashes} times on this search: ${reason}`)),
      );
    }
    if (thread.retired) {
      // Said when it was retired; its searches go on without it.
    } else if (thread.ready) {
      this.workerRestarts++;
      // A replacement that fails to start reports itself through onExit, below.
      this.spawn(thread.lane).catch(() => undefined);
    } else {
      this.warn(`${this.describeLane(thread.lane)} failed to start (${reason}); the engine runs with ${this.workers.length} lanes`);
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
      if (thread.lane.kind === 'opencl') return this.retire(thread, job, chunk, message.message);
      this.finish(job, () => job.reject(new Error(`the ${this.backend} backend failed: ${message.message}`)));
      return this.pump();
    }
    this.attempts.add(message.attempts);
    this.laneAttempts.get(laneLabel(thread.lane))?.add(message.attempts);
    if (message.nonce === null) thread.chunks.observe(job.task.kernel, message.attempts, message.ms);
    if (!job.settled) this.record(thread, job, chunk, message);
    this.pump();
  }

  /** A device that failed a scan leaves the pool; its chunks go to the other lanes. */
  private retire(thread: Thread, job: Job, chunk: Chunk, reason: string): void {
    thread.retired = true;
    if (!job.settled) job.cursor.giveBack(chunk);
    this.warn(`${this.describeLane(thread.lane)} failed a scan (${reason}); it leaves the engine`);
    void thread.worker.terminate();
    this.pump();
  }

  private describeLane(lane: Lane): string {
    return lane.kind === 'cpu' ? `a ${this.backend} worker thread` : `OpenCL device ${lane.device.index} (${lane.device.name})`;
  }

  /** Account for one scanned chunk of a live search: a checked nonce ends it, else it goes on. */
  private record(thread: Thread, job: Job, chunk: Chunk, scanned: Extract<FromWorker, { type: 'scanned' }>): void {
    job.attempts += scanned.attempts;
    const now = performance.now();
    if (scanned.nonce === null) {
      // Nothing found: the search goes on.
    } else if (this.accepted(thread, job, chunk, scanned.nonce, scanned.passes)) {
      const found: Found = { nonce: scanned.nonce, attempts: job.attempts, elapsedMs: now - job.started };
      return this.finish(job, () => job.resolve(found));
    } else {
      // The kernel stopped at a nonce that does not pass: scan the rest of its chunk again.
      const done = Math.max(1, scanned.attempts);
      if (done < chunk.count) job.cursor.giveBack({ start: chunk.start + BigInt(done), count: chunk.count - done });
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
    if (job.inFlight === 0 && !job.cursor.hasWork()) this.finish(job, () => job.reject(new RangeExhaustedError(job.attempts)));
  }

  /** A reported nonce counts when it lies in its chunk and passed the lane's reference check. */
  private accepted(thread: Thread, job: Job, chunk: Chunk, nonce: bigint, passes: boolean): boolean {
    if (passes && nonce >= chunk.start && nonce < chunk.start + BigInt(chunk.count)) return true;
    this.rejectedCandidates++;
    const kernel = thread.lane.kind === 'cpu' ? `the ${this.backend} kernel` : `the kernel of ${this.describeLane(thread.lane)}`;
    this.warn(
      `${kernel} reported nonce ${nonce} for a ${job.task.kernel} search in ` +
        `[${chunk.start}, +${chunk.count}), but it does not pass; searching on`,
    );
    return false;
  }

  /** Give every ready thread chunks until each holds CHUNKS_PER_THREAD or no search has any left. */
  private pump(): void {
    if (this.closed) return;
    for (const thread of this.workers) {
      while (thread.ready && !thread.retired && thread.inFlight.length < CHUNKS_PER_THREAD) {
        const next = this.nextChunk(thread.chunks);
        if (next === undefined) return;
        this.send(thread, next.job, next.chunk);
      }
    }
  }

  /** The next chunk, sized for the lane, in round-robin order over the active searches, urgent ones first. */
  private nextChunk(sizes: ChunkSizer): { job: Job; chunk: Chunk } | undefined {
    return this.nextChunkOf(sizes, (job) => job.options.urgent === true) ?? this.nextChunkOf(sizes, () => true);
  }

  private nextChunkOf(sizes: ChunkSizer, eligible: (job: Job) => boolean): { job: Job; chunk: Chunk } | undefined {
    for (let tried = 0; tried < this.active.length; tried++) {
      const index = (this.turn + tried) % this.active.length;
      const job = this.active[index];
      if (!eligible(job)) continue;
      const chunk = job.cursor.take(sizes.size(job.task.kernel));
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
      if (!job.cursor.hasWork()) this.finish(job, () => job.reject(new RangeExhaustedError(0)));
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
}
