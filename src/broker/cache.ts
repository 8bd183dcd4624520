/**
 * The broker's result cache: a bounded LRU of verified solutions, keyed by a job's family (see
 * Scheme.family). Every hit is verified again against the asking job, so a cached solution answers
 * any job of its family it is good for (Nano work for a hash at any threshold it reaches), and
 * never one it is not.
 * @module
 */
import type { Scheme } from '../schemes/scheme.js';

type AnyScheme = Scheme<unknown, unknown, unknown>;

export class ResultCache {
  private readonly entries = new Map<string, unknown>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** A cached solution of `family` verified for this input (as the check returns it), or undefined. */
  lookup(family: string, scheme: AnyScheme, input: unknown): { readonly solution: unknown } | undefined {
    if (!this.entries.has(family)) return undefined;
    const cached = this.entries.get(family);
    let solution: unknown;
    try {
      const verdict = scheme.verify(input, cached);
      if (!verdict.valid) return undefined;
      solution = verdict.solution;
    } catch {
      return undefined;
    }
    // Refresh its place in the LRU order.
    this.entries.delete(family);
    this.entries.set(family, cached);
    return { solution };
  }

  /**
   * Keep a verified solution. Searches of one family may run side by side (one Nano hash at two
   * thresholds): when the cached solution (from the stronger one) also answers this job, it stays.
   */
  store(family: string, scheme: AnyScheme, input: unknown, solution: unknown): void {
    if (this.capacity <= 0) return;
    if (this.lookup(family, scheme, input) !== undefined) return;
    this.entries.delete(family);
    this.entries.set(family, solution);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }
}
