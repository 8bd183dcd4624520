/**
 * Adaptive difficulty: a challenge's bits rise by one per doubling of its source's request rate
 * above a free allowance, and by one per doubling of the global rate above its allowance, within
 * [bitsMin, bitsMax]. A source past its hard limit gets no challenge at all.
 * @module
 */

export interface RateCounter {
  /** Count one request under `key` and return the key's rate: requests per window, this one included. */
  hit(key: string): Promise<number>;
}

export interface RatePolicy {
  readonly bitsMin: number;
  readonly bitsMax: number;
  /** Requests per window a source makes before its bits start to rise. */
  readonly sourceFree: number;
  /** Requests per window past which a source is refused. */
  readonly sourceLimit: number;
  /** Requests per window, all sources together, before everyone's bits start to rise. */
  readonly globalFree: number;
}

/** The window rates are counted in: the `_per_minute` config keys. */
export const RATE_WINDOW_MS = 60_000;
/** The defaults of those keys (config.ts), and of a Gate built without a policy. */
export const DEFAULT_RATE_POLICY: Omit<RatePolicy, 'bitsMin' | 'bitsMax'> = {
  sourceFree: 10,
  sourceLimit: 600,
  globalFree: 1200,
};

const extraBits = (rate: number, free: number): number => (rate <= free ? 0 : Math.floor(Math.log2(rate / free)));

/** Bits for a challenge given its source's rate and the global rate. */
export function adaptiveBits(policy: RatePolicy, sourceRate: number, globalRate: number): number {
  const bits = policy.bitsMin + extraBits(sourceRate, policy.sourceFree) + extraBits(globalRate, policy.globalFree);
  return Math.min(policy.bitsMax, bits);
}

/** Distinct keys one window may hold; later new keys share one bucket (their rate only goes up). */
export const DEFAULT_RATE_KEYS = 100_000;
export const OVERFLOW_KEY = '\0overflow';

/**
 * In-process sliding-window estimate: the current fixed window's count plus the previous window's
 * count weighted by how much of it still overlaps the sliding window.
 */
export class MemoryRateCounter implements RateCounter {
  #windowStart = 0;
  #current = new Map<string, number>();
  #previous = new Map<string, number>();

  constructor(
    readonly windowMs = RATE_WINDOW_MS,
    readonly maxKeys = DEFAULT_RATE_KEYS,
    readonly now: () => number = Date.now,
  ) {}

  async hit(key: string): Promise<number> {
    const now = this.now();
    this.#roll(now);
    const bucket = this.#current.has(key) || this.#current.size < this.maxKeys ? key : OVERFLOW_KEY;
    const count = (this.#current.get(bucket) ?? 0) + 1;
    this.#current.set(bucket, count);
    const overlap = 1 - (now - this.#windowStart) / this.windowMs;
    return count + (this.#previous.get(bucket) ?? 0) * overlap;
  }

  #roll(now: number): void {
    const elapsed = now - this.#windowStart;
    if (elapsed < this.windowMs) return;
    this.#previous = elapsed < 2 * this.windowMs ? this.#current : new Map();
    this.#current = new Map();
    this.#windowStart = now - (elapsed % this.windowMs);
  }
}
