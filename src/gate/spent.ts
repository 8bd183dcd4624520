/**
 * Spent marks: a challenge redeemed once is refused afterwards, until it would have expired anyway.
 * Marks are written only after a solution verifies, so nothing an unverified request sends can
 * create, refresh or evict one.
 * @module
 */

export interface SpentStore {
  /**
   * Mark `id` spent for `ttlMs`, atomically: true when it was not spent before (the caller wins),
   * false when an unexpired mark exists. Throws SpentStoreFullError rather than dropping a mark.
   */
  markSpent(id: string, ttlMs: number): Promise<boolean>;
}

/** The store holds `capacity` unexpired marks and will not evict any of them to make room. */
export class SpentStoreFullError extends Error {
  override readonly name = 'SpentStoreFullError';
}

/**
 * Default capacity: about 100 MB of marks. Each needs one verified solution of a challenge that is
 * still alive, so filling it takes a million solutions per challenge lifetime (see docs/gate.md).
 */
export const DEFAULT_SPENT_CAPACITY = 1_000_000;

/** Expired marks dropped from the oldest end on each write, to keep the map small without a timer. */
const SWEEP_PER_WRITE = 4;

/**
 * In-process store: a Map from id to expiry (ms), oldest first. Full sweeps happen only when full;
 * if every mark is still alive then, the write is refused (fail closed), never an eviction.
 */
export class MemorySpentStore implements SpentStore {
  readonly #marks = new Map<string, number>();

  constructor(
    readonly capacity = DEFAULT_SPENT_CAPACITY,
    readonly now: () => number = Date.now,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.#marks.size;
  }

  async markSpent(id: string, ttlMs: number): Promise<boolean> {
    // Everything below is synchronous, so two concurrent calls cannot both see the id absent.
    const now = this.now();
    const expiry = this.#marks.get(id);
    if (expiry !== undefined && expiry > now) return false;
    this.#sweep(now, SWEEP_PER_WRITE);
    if (expiry === undefined && this.#marks.size >= this.capacity) {
      this.#sweep(now, Infinity);
      if (this.#marks.size >= this.capacity) throw new SpentStoreFullError(`spent store holds ${this.capacity} live marks`);
    }
    this.#marks.delete(id);
    this.#marks.set(id, now + Math.max(1, ttlMs));
    return true;
  }

  /** Drop expired marks from the oldest end (all expired ones when `limit` is Infinity). */
  #sweep(now: number, limit: number): void {
    let dropped = 0;
    for (const [id, expiry] of this.#marks) {
      if (expiry <= now) {
        this.#marks.delete(id);
        if (++dropped >= limit) return;
      } else if (limit !== Infinity) {
        return;
      }
    }
  }
}
