/**
 * The shared result cache: verified solutions by job family (see broker/cache.ts), as encoded
 * text. The broker keeps its own in-process cache; this one lets every server of a cluster answer
 * from a solution any of them found. What comes out is verified again before it is used.
 * @module
 */
import type { Redis } from 'ioredis';
import type { ClusterKeys } from './keys.js';

export interface ResultStore {
  load(family: string): Promise<string | undefined>;
  save(family: string, encoded: string, ttlMs: number): Promise<void>;
}

/** In-process: a bounded map with expiry, oldest dropped first. */
export class MemoryResultStore implements ResultStore {
  readonly #entries = new Map<string, { readonly encoded: string; readonly expires: number }>();

  constructor(
    readonly capacity = 10_000,
    readonly now: () => number = Date.now,
  ) {}

  async load(family: string): Promise<string | undefined> {
    const entry = this.#entries.get(family);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.now()) {
      this.#entries.delete(family);
      return undefined;
    }
    return entry.encoded;
  }

  async save(family: string, encoded: string, ttlMs: number): Promise<void> {
    this.#entries.delete(family);
    this.#entries.set(family, { encoded, expires: this.now() + ttlMs });
    while (this.#entries.size > this.capacity) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }
}

/** In Redis: one STRING per family with an expiry (SET PX). */
export class RedisResultStore implements ResultStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
  ) {}

  async load(family: string): Promise<string | undefined> {
    return (await this.redis.get(this.keys.result(family))) ?? undefined;
  }

  async save(family: string, encoded: string, ttlMs: number): Promise<void> {
    await this.redis.set(this.keys.result(family), encoded, 'PX', Math.max(1, Math.round(ttlMs)));
  }
}
