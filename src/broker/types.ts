/**
 * The broker's contract with the front doors (which submit jobs) and the sources of hash power
 * (local engine, upstream work servers, remote miners, cluster workers). Data flows one way:
 * door → broker → source → candidate → scheme.verify → broker → door.
 * @module
 */
import type { Scheme, SchemeName } from '../schemes/scheme.js';
import type { SearchTask } from '../schemes/search.js';

export interface SubmitOptions {
  /** Abort to withdraw this client's interest; the search stops when no client is left. */
  readonly signal?: AbortSignal;
  /** Give up (PP_ERR_TIMEOUT) after this many milliseconds. */
  readonly timeoutMs?: number;
  /** Who asks: the broker bounds each client's and each address's jobs and shares slots by address. */
  readonly client?: ClientIdentity;
  /** Told every `progressIntervalMs` (default 1000) while the client waits. */
  readonly onProgress?: (progress: JobProgress) => void;
  readonly progressIntervalMs?: number;
}

/** A door's client: one connection (or request stream) and the address it comes from. */
export interface ClientIdentity {
  /** Unique per connection while it is open. */
  readonly id: string;
  /** The source address (see net/connections.ts sourceKey). */
  readonly address: string;
  /** The front door it came through (a bounded name such as 'nano-http'), for the time-to-solution histogram. */
  readonly door: string;
}

/** How far a job's search has got, for a waiting client. */
export interface JobProgress {
  /** Nonces tried so far by the sources that count them (the engine, Metanoia miners). */
  readonly attempts: number;
  /** Attempts per second since the search started. */
  readonly rate: number;
  /** Attempts a search needs on average (expectedAttempts of the task). */
  readonly expected: number;
}

export interface NonceRange {
  readonly start: bigint;
  /** One past the last nonce. */
  readonly end: bigint;
}

/** What a source sees of a job. */
export interface SourceJob {
  readonly id: string;
  /** The job's key (Scheme.key): the same on every server, so a cluster names a job alike. */
  readonly key: string;
  /** The job's family (Scheme.family): where a shared result cache keeps its solution. */
  readonly family: string;
  readonly scheme: Scheme<unknown, unknown, unknown>;
  readonly input: unknown;
  readonly task: SearchTask;
  /** A quick job (see broker.quick_job_attempts): a source should serve it before others. */
  readonly quick: boolean;
  /** Aborted when the job is solved, cancelled or timed out. */
  readonly signal: AbortSignal;
  /** Take a nonce range no other source has; null when the whole space is handed out. */
  claim(size: bigint): NonceRange | null;
  /** Return a range that was not fully searched (a miner left): it will be handed out again. */
  release(range: NonceRange): void;
  /**
   * Say a claimed range was searched to its end without a passing nonce. When every nonce of the
   * space is finished the job fails with 'exhausted' instead of waiting for its timeout.
   */
  finish(range: NonceRange): void;
  /**
   * Say this source cannot go on with the job (an internal failure, not a miss). When no source
   * is left working on it, the job fails with 'failed' at once instead of waiting for its timeout.
   */
  abandon(source: string, reason: string): void;
  /** Count nonces tried on this job by a source (progress and powerplant_attempts_total). */
  countAttempts(attempts: number, source: string): void;
  /** Report a nonce; the broker verifies it and returns whether it was accepted. */
  reportNonce(nonce: bigint, source: string): boolean;
  /** Report a ready-made candidate (e.g. an upstream's work); verified like a nonce. */
  reportSolution(candidate: unknown, source: string): boolean;
}

export interface Source {
  readonly name: string;
  /** Whether this source works on jobs of that scheme. */
  accepts(scheme: SchemeName): boolean;
  /** Start working on a job; stop when job.signal aborts. Must not throw. */
  run(job: SourceJob): void;
}

export interface Broker {
  /** Solve a job: dedupe, cache, queue, race the sources, verify; resolves with a verified solution. */
  submit<Input, Solution, Candidate>(scheme: Scheme<Input, Solution, Candidate>, input: Input, options?: SubmitOptions): Promise<Solution>;
  /** Attach a source of hash power; returns a function that detaches it. */
  addSource(source: Source): () => void;
  /** Queue and cache figures for health checks and metrics. */
  stats(): BrokerStats;
  /**
   * Refuse new jobs ('shutdown'), give the jobs in flight up to `graceMs` (default 0) to finish,
   * then fail the rest with 'shutdown'.
   */
  close(options?: { readonly graceMs?: number }): Promise<void>;
}

export interface BrokerStats {
  /** Searches running now, and jobs waiting for a free search slot. */
  readonly active: number;
  readonly queued: number;
  /** Clients waiting on a job (several may share one search). */
  readonly waiting: number;
  readonly cached: number;
  readonly sources: number;
  readonly closed: boolean;
}
