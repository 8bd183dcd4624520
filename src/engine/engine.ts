/**
 * The engine's public face: search a task over a nonce range, with cancellation and progress.
 * Implemented by the worker-thread pool (pool.ts) and by the in-thread search (inline.ts), which
 * is the reference search of the tests.
 * @module
 */
import type { SearchTask } from '../schemes/search.js';

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

/** Pool-wide figures for metrics: what the engine's threads are doing now. */
export interface EngineStats {
  /** Worker threads alive. */
  readonly threads: number;
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
  /**
   * Find a passing nonce in [start, end). Rejects with the signal's reason (an AbortError) when
   * aborted, and with RangeExhaustedError when the range holds none.
   */
  search(task: SearchTask, options?: SearchOptions): Promise<Found>;
  close(): Promise<void>;
  /** Pool-wide hash rate and load; engines that run on the calling thread may leave it out. */
  stats?(): EngineStats;
}
