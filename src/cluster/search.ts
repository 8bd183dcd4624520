/**
 * One holder's search of one cluster job: claim a range, search it on the engine while renewing
 * its lease, report what it finds, and go on until the job has no range left, is over, or the
 * holder stops. Workers and the owning server's own engine both search this way.
 * @module
 */
import { countGrowth, RangeExhaustedError, type Engine } from '../engine/engine.js';
import type { JobRecord } from './board.js';
import type { Lease, LeaseBook } from './leases.js';

export interface LeasedSearch {
  readonly leases: LeaseBook;
  readonly engine: Engine;
  readonly jobId: string;
  readonly record: JobRecord;
  /** Who holds the leases (a worker id); counted against when its results are invalid. */
  readonly holder: string;
  readonly rangeSize: bigint;
  /** Return 'paused' after this many ranges (a worker moves on to the next job); no limit when left out. */
  readonly maxRanges?: number;
  /** Stop searching (the job is over, or the holder shuts down). */
  readonly signal: AbortSignal;
  /** Hand the current range back when stopped, for another holder to take at once. */
  readonly releaseOnStop?: () => boolean;
  onClaim?(lease: Lease): void;
  /** The engine tried this many more nonces (during a range's search, and at its end). */
  onAttempts?(attempts: number): void;
  /** An absolute nonce the engine found; resolve true when the job needs nothing more from this holder. */
  onFound(nonce: bigint): Promise<boolean>;
  /** This holder finished the block's last range without a passing nonce. */
  onExhausted(): Promise<void>;
  onFinish?(lease: Lease): void;
}

export type SearchEnd = 'found' | 'none' | 'gone' | 'banned' | 'stopped' | 'paused';

export async function searchLeases(search: LeasedSearch): Promise<SearchEnd> {
  const { leases, engine, record, signal } = search;
  for (let ranges = 0; !signal.aborted; ranges++) {
    if (ranges === search.maxRanges) return 'paused';
    const lease = await leases.claim(search.jobId, search.holder, search.rangeSize);
    if (typeof lease === 'string') return lease;
    search.onClaim?.(lease);
    const heartbeat = setInterval(() => void leases.renew(lease).catch(() => undefined), Math.max(10, record.leaseMs / 3));
    const countUpTo = countGrowth((attempts) => search.onAttempts?.(attempts));
    try {
      const found = await engine.search(record.task, {
        signal,
        start: record.base + lease.start,
        end: record.base + lease.end,
        onProgress: (progress) => countUpTo(progress.attempts),
      });
      countUpTo(found.attempts);
      if (await search.onFound(found.nonce)) return 'found';
      // The owner refused it; the rest of the range is given up rather than searched past a bad kernel.
      await leases.finish(lease);
    } catch (error) {
      if (error instanceof RangeExhaustedError) {
        countUpTo(error.attempts);
        search.onFinish?.(lease);
        if (await leases.finish(lease)) await search.onExhausted();
        continue;
      }
      if (signal.aborted) {
        if (search.releaseOnStop?.() === true) await leases.release(lease).catch(() => undefined);
        return 'stopped';
      }
      await leases.release(lease).catch(() => undefined);
      throw error;
    } finally {
      clearInterval(heartbeat);
    }
  }
  return 'stopped';
}
