/**
 * The engine's public face: search a task over a nonce range, with cancellation and progress.
 * Implemented by the worker-thread pool (pool.ts) and by the in-thread search (inline.ts), which
 * is the reference search of the tests.
 * @module
 */
import type { KernelName, SearchTask } from '../schemes/search.js';
import { deviceLane, type OpenclDevice } from './gpu.js';
import type { KernelChoice } from './kernel-selection.js';

export interface Progress {
  /** Attempts made so far by every thread on this search. */
  readonly attempts: number;
  readonly elapsedMs: number;
  /** Attempts per second over the whole search so far. */
  readonly rate: number;
}

export interface SearchOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: Progress) => void;
  /** First nonce to try (default 0). */
  readonly start?: bigint;
  /** One past the last nonce to try (default: the task's whole nonce space). */
  readonly end?: bigint;
  /** A short search someone waits on: its chunks go before those of searches that are not urgent. */
  readonly urgent?: boolean;
}

export interface Found {
  readonly nonce: bigint;
  readonly attempts: number;
  readonly elapsedMs: number;
}

/** Thrown when a search covered its whole range without a passing nonce. */
export class RangeExhaustedError extends Error {
  override readonly name = 'RangeExhaustedError';
  constructor(readonly attempts: number) {
    super(`no nonce in the range passes (${attempts} attempts)`);
  }
}

/**
 * Count one search's attempts as they grow: its progress reports and its end (Found, or
 * RangeExhaustedError) each carry the total so far, and `count` hears only what is new.
 */
export function countGrowth(count: (attempts: number) => void): (total: number) => void {
  let counted = 0;
  return (total) => {
    if (total <= counted) return;
    count(total - counted);
    counted = total;
  };
}

/** One kind of lane of the pool: every CPU thread together ('cpu'), or one OpenCL device ('opencl:N'). */
export interface LaneStats {
  readonly lane: string;
  /** Threads of this lane alive (one per OpenCL device; 0 once a device has left). */
  readonly threads: number;
  readonly totalAttempts: number;
  /** Attempts per second over the last few seconds. */
  readonly rate: number;
}

/** Pool-wide figures for metrics: what the engine's threads are doing now. */
export interface EngineStats {
  /** CPU worker threads alive. */
  readonly threads: number;
  /** The same figures per lane. */
  readonly lanes: readonly LaneStats[];
  /** Searches being scanned, and searches waiting for a free slot. */
  readonly activeJobs: number;
  readonly queuedJobs: number;
  /** Attempts since the engine started, and attempts per second over the last few seconds. */
  readonly totalAttempts: number;
  readonly rate: number;
  /** Nonces a kernel reported that failed the reference check (each one a kernel bug). */
  readonly rejectedCandidates: number;
  /** Worker threads that died and were replaced. */
  readonly workerRestarts: number;
}

export interface Engine {
  /** 'native', 'wasm' or 'js'. */
  readonly backend: string;
  readonly threads: number;
  /** The kernel variant each family runs on, and how it was chosen (measured, cached, pinned, fixed). */
  readonly kernels?: Readonly<Record<KernelName, KernelChoice>>;
  /** OpenCL devices searching beside the threads. */
  readonly devices?: readonly OpenclDevice[];
  /**
   * Find a passing nonce in [start, end). Rejects with the signal's reason (an AbortError) when
   * aborted, and with RangeExhaustedError when the range holds none.
   */
  search(task: SearchTask, options?: SearchOptions): Promise<Found>;
  close(): Promise<void>;
  /** Pool-wide hash rate and load; engines that run on the calling thread may leave it out. */
  stats?(): EngineStats;
}

/** An OpenCL device searching in the engine, with its lane and that lane's attempts per second. */
export interface EngineDevice extends OpenclDevice {
  readonly lane: string;
  readonly rate: number;
}

/** The engine's OpenCL devices and their lanes' rates (for /healthz and the dashboard). */
export function engineDevices(engine: Engine): EngineDevice[] {
  const lanes = engine.stats?.().lanes ?? [];
  return (engine.devices ?? []).map((device) => {
    const lane = deviceLane(device);
    return { ...device, lane, rate: Math.round(lanes.find((each) => each.lane === lane)?.rate ?? 0) };
  });
}
