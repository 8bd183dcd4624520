/**
 * The gate's stores in Redis, shared by every server of a cluster, and the fallback that keeps a
 * gate answering while Redis is down: the in-process stores take over (docs/cluster.md weighs
 * what that costs: a stamp could be redeemed once more on another server during an outage).
 * @module
 */
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.js';
import { RATE_WINDOW_MS, type RateCounter } from '../gate/rate.js';
import type { SpentStore } from '../gate/spent.js';

/**
 * How much longer a mark in Redis lives than its challenge. The servers sharing it judge expiry by
 * their own clocks, so one running behind would still take a challenge after the mark, timed for a
 * clock ahead, had gone: the grace covers clocks up to a minute apart.
 */
export const SPENT_MARK_CLOCK_GRACE_MS = 60_000;

/** A spent mark is one SET NX PX: atomic, so two servers redeeming one stamp cannot both win. */
export class RedisSpentStore implements SpentStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
  ) {}

  async markSpent(id: string, ttlMs: number): Promise<boolean> {
    const px = Math.max(1, Math.round(ttlMs)) + SPENT_MARK_CLOCK_GRACE_MS;
    return (await this.redis.set(this.keys.spent(id), '1', 'PX', px, 'NX')) === 'OK';
  }
}

/**
 * The memory counter's sliding-window estimate, with the windows' counts in Redis: INCR the
 * current window's key (it expires after two windows) and read the previous one's.
 */
export class RedisRateCounter implements RateCounter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    readonly windowMs = RATE_WINDOW_MS,
    readonly now: () => number = Date.now,
  ) {}

  async hit(key: string): Promise<number> {
    const now = this.now();
    const window = Math.floor(now / this.windowMs);
    const current = this.keys.rate(key, window);
    const replies = await this.redis
      .multi()
      .incr(current)
      .pexpire(current, 2 * this.windowMs)
      .get(this.keys.rate(key, window - 1))
      .exec();
    if (replies === null) throw new Error('rate count transaction was discarded');
    const [[countError, count], , [previousError, previous]] = replies as [[Error | null, unknown], unknown, [Error | null, unknown]];
    if (countError !== null) throw countError;
    if (previousError !== null) throw previousError;
    const overlap = 1 - (now - window * this.windowMs) / this.windowMs;
    return Number(count) + Number(previous ?? 0) * overlap;
  }
}

/** Use `primary` while `available()` says so and it answers; otherwise `fallback`. */
async function preferring<T>(available: () => boolean, primary: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
  if (available()) {
    try {
      return await primary();
    } catch {
      // Redis failed mid-call: the link reports it down; this call is answered locally.
    }
  }
  return fallback();
}

export class FallbackSpentStore implements SpentStore {
  constructor(
    private readonly primary: SpentStore,
    private readonly fallback: SpentStore,
    private readonly available: () => boolean,
  ) {}

  /**
   * Every mark is kept in memory too, so what this server redeemed during an outage stays spent
   * here once Redis is back (Redis never hears of those marks).
   */
  async markSpent(id: string, ttlMs: number): Promise<boolean> {
    if (!(await this.fallback.markSpent(id, ttlMs))) return false;
    return preferring(this.available, () => this.primary.markSpent(id, ttlMs), async () => true);
  }
}

export class FallbackRateCounter implements RateCounter {
  constructor(
    private readonly primary: RateCounter,
    private readonly fallback: RateCounter,
    private readonly available: () => boolean,
  ) {}

  hit(key: string): Promise<number> {
    return preferring(this.available, () => this.primary.hit(key), () => this.fallback.hit(key));
  }
}
