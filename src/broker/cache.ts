/**
 * The broker's result cache: a bounded LRU of verified solutions. Entries are keyed by a job's
 * "family" — the scheme key, except for Nano where it is the root alone — and every hit is
 * re-verified against the asking job, so cached Nano work for a hash answers any request whose
 * threshold it reaches, and never one it does not.
 * @module
 */
import { toHex } from '../schemes/bits.js';
import type { NanoJob } from '../schemes/nano.js';
import type { Scheme } from '../schemes/scheme.js';

const isNanoJob = (input: unknown): input is NanoJob =>
  typeof input === 'object' && input !== null && (input as { root?: unknown }).root instanceof Uint8Array;

/** The cache key of a job: jobs of one family may answer each other when the solution verifies. */
export function cacheFamily(scheme: Scheme<unknown, unknown>, input: unknown): string {
  if (scheme.name === 'nano' && isNanoJob(input)) return `nano-root:${toHex(input.root)}`;
  return `${scheme.name}|${scheme.key(input)}`;
}

export class ResultCache {
  private readonly entries = new Map<string, unknown>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** A cached solution that verifies for this input, or undefined. */
  lookup(scheme: Scheme<unknown, unknown>, input: unknown): { readonly solution: unknown } | undefined {
    const family = cacheFamily(scheme, input);
    if (!this.entries.has(family)) return undefined;
    const solution = this.entries.get(family);
    let valid = false;
    try {
      valid = scheme.verify(input, solution).valid;
    } catch {
      valid = false;
    }
    if (!valid) return undefined;
    // Refresh its place in the LRU order.
    this.entries.delete(family);
    this.entries.set(family, solution);
    return { solution };
  }

  /**
   * Keep a verified solution. Searches of one Nano hash at two thresholds may run side by side:
   * when the cached work (from the higher one) also answers this job, it stays.
   */
  store(scheme: Scheme<unknown, unknown>, input: unknown, solution: unknown): void {
    if (this.capacity <= 0) return;
    if (this.lookup(scheme, input) !== undefined) return;
    const family = cacheFamily(scheme, input);
    this.entries.delete(family);
    this.entries.set(family, solution);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }
}
