/**
 * Hands out disjoint nonce ranges of [0, space) to the sources of one job. Released ranges (a
 * miner left before finishing) are handed out again before fresh space, and the allocator knows
 * when every nonce has been searched without success.
 * @module
 */
import type { NonceRange } from './types.js';

export class RangeAllocator {
  private cursor = 0n;
  private readonly released: NonceRange[] = [];
  /** Nonces claimed and neither released nor finished. */
  private outstanding = 0n;

  constructor(readonly space: bigint) {}

  /** A range of at most `size` nonces nobody else holds, or null when the space is handed out. */
  claim(size: bigint): NonceRange | null {
    if (size < 1n) throw new RangeError('a claimed range must hold at least one nonce');
    const reused = this.released.shift();
    if (reused !== undefined) {
      if (reused.end - reused.start > size) {
        this.released.unshift({ start: reused.start + size, end: reused.end });
        return this.hand({ start: reused.start, end: reused.start + size });
      }
      return this.hand(reused);
    }
    if (this.cursor >= this.space) return null;
    const end = this.cursor + size < this.space ? this.cursor + size : this.space;
    const range = { start: this.cursor, end };
    this.cursor = end;
    return this.hand(range);
  }

  /** Put back a range (or the unsearched part of one) so another source can take it. */
  release(range: NonceRange): void {
    if (range.end <= range.start) return;
    this.outstanding -= range.end - range.start;
    this.released.push(range);
  }

  /** Record that a range was searched to its end without a passing nonce. */
  finish(range: NonceRange): void {
    if (range.end <= range.start) return;
    this.outstanding -= range.end - range.start;
  }

  /** Every nonce was searched and none passed. */
  get exhausted(): boolean {
    return this.cursor >= this.space && this.released.length === 0 && this.outstanding <= 0n;
  }

  private hand(range: NonceRange): NonceRange {
    this.outstanding += range.end - range.start;
    return range;
  }
}
