/**
 * A cluster worker: takes nonce ranges of the jobs servers offer in Redis, searches them on its
 * engine, and sends what it finds to the job's owner, which verifies it. It wakes on every offer
 * (and polls, in case one was missed), and aborts a job's search the moment its cancel arrives.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Engine } from '../engine/engine.js';
import { silentLogger } from '../log.js';
import { JobBoard } from './board.js';
import { RedisLink } from './connection.js';
import { clusterKeys, DEFAULT_PREFIX } from '../stores/keys.js';
import { LeaseBook, type Lease } from './leases.js';
import { searchLeases, type SearchEnd } from './search.js';

/** Nonces per claimed range: about 0.4 s of one native Nano thread, far less than a lease. */
export const DEFAULT_WORKER_RANGE = 1n << 24n;
/** Look for jobs this often even when no offer was heard. */
const POLL_MS = 1000;

export interface ClusterWorkerOptions {
  readonly redis: string;
  readonly engine: Engine;
  /** Default: host name and a random suffix. */
  readonly id?: string;
  readonly prefix?: string;
  readonly rangeSize?: bigint;
  readonly logger?: Logger;
  /** Told of each claim and cancel as it happens (benchmarks time them). */
  readonly onEvent?: (event: WorkerEvent) => void;
}

export type WorkerEvent =
  | { readonly type: 'claim'; readonly job: string; readonly lease: Lease }
  | { readonly type: 'cancel'; readonly job: string }
  | { readonly type: 'report'; readonly job: string; readonly nonce: bigint };

/** What the worker has done, for tests, logs and the CLI's summary. */
export interface WorkerCounters {
  claimed: number;
  /** Claims of ranges whose previous holder's lease ran out. */
  reclaimed: number;
  /** Ranges searched to their end without a passing nonce. */
  finished: number;
  reported: number;
  /** Searches aborted by a job's cancel. */
  cancelled: number;
}

export type WorkerEnd = 'closed' | 'banned';

export class ClusterWorker {
  readonly id: string;
  readonly counters: WorkerCounters = { claimed: 0, reclaimed: 0, finished: 0, reported: 0, cancelled: 0 };
  readonly link: RedisLink;
  readonly #board: JobBoard;
  readonly #leases: LeaseBook;
  readonly #engine: Engine;
  readonly #rangeSize: bigint;
  readonly #log: Logger;
  readonly #onEvent: (event: WorkerEvent) => void;
  readonly #stop = new AbortController();
  /** Per job being searched: aborted by its cancel. */
  readonly #jobs = new Map<string, AbortController>();
  #wake: (() => void) | undefined;
  /** An offer arrived while the worker was busy: look again before idling. */
  #offered = false;
  #graceful = true;
  #done: Promise<WorkerEnd> | undefined;

  constructor(options: ClusterWorkerOptions) {
    this.id = options.id ?? `${hostname()}-${randomBytes(3).toString('hex')}`;
    const keys = clusterKeys(options.prefix ?? DEFAULT_PREFIX);
    this.#log = (options.logger ?? silentLogger).child({ component: 'worker', worker: this.id });
    this.link = new RedisLink(options.redis, this.#log);
    this.#board = new JobBoard(this.link.commands, keys);
    this.#leases = new LeaseBook(this.link.commands, keys);
    this.#engine = options.engine;
    this.#rangeSize = options.rangeSize ?? DEFAULT_WORKER_RANGE;
    if (this.#rangeSize < 1n) throw new RangeError('range size must be at least 1');
    this.#onEvent = options.onEvent ?? (() => {});
    void this.link.listen(keys.offers, () => {
      this.#offered = true;
      this.#wake?.();
    });
    void this.link.listen(keys.cancel, (job) => this.#cancel(job));
  }

  /** Connect and work until closed or banned; resolves with why it ended. */
  start(): Promise<WorkerEnd> {
    this.#done ??= (async () => {
      await this.link.connect();
      this.#log.info({ up: this.link.up }, 'worker started');
      try {
        return await this.#loop();
      } finally {
        await this.link.close();
      }
    })();
    return this.#done;
  }

  /** Stop: hand the range being searched back at once, disconnect. */
  async close(): Promise<void> {
    this.#stop.abort();
    this.#wake?.();
    await this.#done;
  }

  /** Stop as if the process died: leases are left to run out (tests of lease expiry). */
  async kill(): Promise<void> {
    this.#graceful = false;
    await this.close();
  }

  async #loop(): Promise<WorkerEnd> {
    while (!this.#stop.signal.aborted) {
      let worked = false;
      this.#offered = false;
      // While Redis is away the link says so once; the worker waits for it quietly.
      if (!this.link.up) {
        await this.#idle();
        continue;
      }
      try {
        for (const job of await this.#board.openJobs()) {
          if (this.#stop.signal.aborted) break;
          const end = await this.#work(job);
          if (end === 'banned') {
            this.#log.error('the cluster ignores this worker: too many of its results were invalid');
            return 'banned';
          }
          worked ||= end !== 'gone' && end !== 'none';
        }
      } catch (error) {
        this.#log.warn({ err: error }, 'cluster call failed; retrying');
      }
      if (!worked) await this.#idle();
    }
    return 'closed';
  }

  /** Search one range of a job. */
  async #work(jobId: string): Promise<SearchEnd> {
    const record = await this.#board.read(jobId);
    if (record === undefined) {
      // Its owner died and the record expired: the announcement is stale.
      await this.#board.forget(jobId);
      return 'gone';
    }
    const job = new AbortController();
    this.#jobs.set(jobId, job);
    try {
      return await searchLeases({
        leases: this.#leases,
        engine: this.#engine,
        jobId,
        record,
        holder: this.id,
        rangeSize: this.#rangeSize,
        // One range per job per pass: several open jobs share the worker.
        maxRanges: 1,
        signal: AbortSignal.any([this.#stop.signal, job.signal]),
        releaseOnStop: () => this.#graceful && !job.signal.aborted,
        onClaim: (lease) => {
          this.counters.claimed += 1;
          if (lease.reclaimed) this.counters.reclaimed += 1;
          this.#onEvent({ type: 'claim', job: jobId, lease });
        },
        onFinish: () => {
          this.counters.finished += 1;
        },
        onFound: async (nonce) => {
          this.counters.reported += 1;
          this.#onEvent({ type: 'report', job: jobId, nonce });
          await this.#board.report(record.owner, { job: jobId, worker: this.id, nonce: nonce.toString() });
          return true;
        },
        onExhausted: () => this.#board.report(record.owner, { job: jobId, worker: this.id, exhausted: true }),
      });
    } finally {
      this.#jobs.delete(jobId);
    }
  }

  #cancel(jobId: string): void {
    const job = this.#jobs.get(jobId);
    if (job === undefined) return;
    this.counters.cancelled += 1;
    this.#onEvent({ type: 'cancel', job: jobId });
    job.abort();
  }

  /** Wait for an offer, the poll interval, or close. */
  async #idle(): Promise<void> {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, POLL_MS);
      this.#wake = done;
      if (this.#stop.signal.aborted || this.#offered) done();
    });
  }
}
