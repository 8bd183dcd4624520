/**
 * In-flight job dedupe across servers: the first server to claim a job id owns its search; the
 * others wait for its result. A claim expires unless renewed, so a server that dies mid-job hands
 * its jobs to whoever asks next.
 * @module
 */
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.js';

export interface JobClaims {
  /** Own job `id` for `ttlMs`: true when nobody owned it (this caller now does). */
  claim(id: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Extend an ownership; false when `owner` no longer holds it. */
  renew(id: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Give up an ownership (only `owner`'s own). */
  release(id: string, owner: string): Promise<void>;
  /** Whether somebody owns the job now. */
  owned(id: string): Promise<boolean>;
}

/** In-process: one map from id to owner and expiry. */
export class MemoryJobClaims implements JobClaims {
  readonly #owners = new Map<string, { readonly owner: string; expires: number }>();

  constructor(readonly now: () => number = Date.now) {}

  async claim(id: string, owner: string, ttlMs: number): Promise<boolean> {
    if (await this.owned(id)) return false;
    this.#owners.set(id, { owner, expires: this.now() + ttlMs });
    return true;
  }

  async renew(id: string, owner: string, ttlMs: number): Promise<boolean> {
    const entry = this.#live(id);
    if (entry?.owner !== owner) return false;
    entry.expires = this.now() + ttlMs;
    return true;
  }

  async release(id: string, owner: string): Promise<void> {
    if (this.#live(id)?.owner === owner) this.#owners.delete(id);
  }

  async owned(id: string): Promise<boolean> {
    return this.#live(id) !== undefined;
  }

  #live(id: string): { readonly owner: string; expires: number } | undefined {
    const entry = this.#owners.get(id);
    if (entry !== undefined && entry.expires <= this.now()) {
      this.#owners.delete(id);
      return undefined;
    }
    return entry;
  }
}

/** Extend or delete a key only while it still holds the caller's value (nobody else's claim is touched). */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

/** In Redis: one STRING per job, written with SET NX PX. */
export class RedisJobClaims implements JobClaims {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
  ) {}

  async claim(id: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.owner(id), owner, 'PX', ttlMs, 'NX')) === 'OK';
  }

  async renew(id: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(RENEW, 1, this.keys.owner(id), owner, ttlMs)) === 1;
  }

  async release(id: string, owner: string): Promise<void> {
    await this.redis.eval(RELEASE, 1, this.keys.owner(id), owner);
  }

  async owned(id: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.owner(id))) === 1;
  }
}
