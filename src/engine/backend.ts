/**
 * A backend scans one range of nonces of a task, synchronously, and says whether it found one.
 * The native addon, the WASM build and the JS reference each provide one; the thread pool calls
 * them chunk by chunk inside worker threads.
 * @module
 */
import type { KernelName, SearchTask } from '../schemes/search.js';
import type { KernelChoice } from './kernel-selection.js';

export interface ScanResult {
  /** The first passing nonce in the range, or null when none passed. */
  readonly nonce: bigint | null;
  /** Attempts made (up to the found nonce inclusive, or the whole count). */
  readonly attempts: number;
}

export interface Backend {
  /** 'native', 'wasm' or 'js'. */
  readonly name: 'native' | 'wasm' | 'js';
  /** Which kernel variant runs this task, e.g. 'sha-ni-x4', 'avx2-4way', 'scalar'. */
  kernel(task: SearchTask): string;
  /**
   * The variant of every family and how it was chosen, for backends that choose (native); asking
   * selects the families not yet used.
   */
  kernels?(): Readonly<Record<KernelName, KernelChoice>>;
  /**
   * Scan nonces [start, start + count) in increasing order and return the first that passes.
   * `start + count` never exceeds the task's nonce space.
   */
  scan(task: SearchTask, start: bigint, count: number): ScanResult;
}
