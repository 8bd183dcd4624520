/**
 * The job broker: every front door submits here, every source of hash power works from here.
 *
 *   submit → cache hit? → answer
 *          → same job in flight? → join it (one search, several clients)
 *          → free search slot? → run it on every source that accepts the scheme
 *          → room in the queue? → wait for a slot
 *          → else BrokerError 'busy'
 *   source reports → scheme.verify → first valid answer resolves every client, aborts the job
 *                                  → invalid answers are counted by source and dropped
 *
 * A client that aborts or times out withdraws; the search stops only when no client is left.
 * @module
 */
import type { Logger } from 'pino';
import { silentLogger } from '../log.js';
import { sourceKind, type Metrics } from '../metrics.js';
import { expectedAttempts } from '../schemes/expected.js';
import type { Scheme } from '../schemes/scheme.js';
import { nonceSpace, type SearchTask } from '../schemes/search.js';
import { ResultCache } from './cache.js';
import { RangeAllocator } from './ranges.js';
import {
  BrokerError,
  type Broker,
  type BrokerStats,
  type NonceRange,
  type Source,
  type SourceJob,
  type SubmitOptions,
} from './types.js';

export interface BrokerOptions {
  /** Jobs waiting for a search slot beyond which submit fails with 'busy'. */
  readonly queueLimit: number;
  /** Searches running at once. */
  readonly maxActiveJobs: number;
  /** Verified solutions kept for reuse (0 disables the cache). */
  readonly cacheSize: number;
  /** A client's wait when its submit names no timeout, in milliseconds. */
  readonly jobTimeoutMs: number;
  readonly metrics?: Metrics;
  readonly logger?: Logger;
}

type AnyScheme = Scheme<unknown, unknown>;

const DEFAULT_PROGRESS_INTERVAL_MS = 1000;

interface Client {
  resolve(solution: unknown): void;
  reject(error: BrokerError): void;
  /** Drop the timer and the abort listener. */
  detach(): void;
  readonly door: string;
  /** performance.now() at submit. */
  readonly since: number;
}

interface Flight {
  readonly id: string;
  readonly key: string;
  readonly scheme: AnyScheme;
  readonly input: unknown;
  readonly task: SearchTask;
  readonly controller: AbortController;
  readonly clients: Set<Client>;
  readonly ranges: RangeAllocator;
  /** Names of the sources offered this job that have not abandoned it. */
  readonly working: Set<string>;
  state: 'queued' | 'running' | 'settled';
  /** Nonces the sources counted, and performance.now() when the search started. */
  attempts: number;
  runningSince: number;
}

export function createBroker(options: BrokerOptions): Broker {
  const { metrics } = options;
  const log = (options.logger ?? silentLogger).child({ component: 'broker' });
  const cache = new ResultCache(options.cacheSize);
  const sources = new Set<Source>();
  const flights = new Map<string, Flight>();
  const queue: Flight[] = [];
  const idleWaiters: (() => void)[] = [];
  let active = 0;
  let lastId = 0;
  let closing = false;

  const count = (flight: { scheme: AnyScheme }, outcome: string, clients = 1): void => {
    metrics?.jobs.inc({ scheme: flight.scheme.name, outcome }, clients);
  };

  const updateGauges = (): void => {
    metrics?.queueDepth.set(queue.length);
    metrics?.activeJobs.set(active);
  };

  /** Take a flight out of every structure and stop its sources. */
  function end(flight: Flight): void {
    if (flight.state === 'settled') return;
    if (flight.state === 'running') active -= 1;
    else queue.splice(queue.indexOf(flight), 1);
    flight.state = 'settled';
    flights.delete(flight.key);
    flight.controller.abort(new BrokerError('cancelled', 'the job is over'));
    pump();
    if (flights.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
  }

  function fail(flight: Flight, error: BrokerError): void {
    count(flight, error.code, flight.clients.size);
    for (const client of flight.clients) {
      client.detach();
      client.reject(error);
    }
    flight.clients.clear();
    end(flight);
  }

  function settle(flight: Flight, solution: unknown, source: string): void {
    cache.store(flight.scheme, flight.input, solution);
    count(flight, 'solved', flight.clients.size);
    metrics?.wins.inc({ source: sourceKind(source) });
    metrics?.solvedWork.inc({ source: sourceKind(source), scheme: flight.scheme.name }, expectedAttempts(flight.task));
    log.debug({ job: flight.id, scheme: flight.scheme.name, source }, 'job solved');
    const now = performance.now();
    for (const client of flight.clients) {
      metrics?.timeToSolution.observe({ scheme: flight.scheme.name, door: client.door }, (now - client.since) / 1000);
      client.detach();
      client.resolve(solution);
    }
    flight.clients.clear();
    end(flight);
  }

  function withdraw(flight: Flight, client: Client, error: BrokerError): void {
    if (!flight.clients.delete(client)) return;
    client.detach();
    client.reject(error);
    count(flight, error.code);
    if (flight.clients.size === 0) {
      log.debug({ job: flight.id, reason: error.code }, 'job abandoned by every client');
      end(flight);
    }
  }

  /** Verify a candidate; the first valid one settles the flight. */
  function report(flight: Flight, source: string, candidate: () => unknown): boolean {
    if (flight.state !== 'running') return false;
    let solution: unknown;
    let reason: string;
    try {
      solution = candidate();
      const verdict = flight.scheme.verify(flight.input, solution);
      if (verdict.valid) {
        settle(flight, solution, source);
        return true;
      }
      reason = verdict.reason;
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    metrics?.invalidCandidates.inc({ source: sourceKind(source) });
    log.warn({ job: flight.id, scheme: flight.scheme.name, source, reason }, 'invalid candidate refused');
    return false;
  }

  function sourceJob(flight: Flight): SourceJob {
    const space = flight.ranges.space;
    return {
      id: flight.id,
      scheme: flight.scheme,
      input: flight.input,
      task: flight.task,
      signal: flight.controller.signal,
      claim: (size: bigint) => (flight.state === 'running' ? flight.ranges.claim(size) : null),
      release: (range: NonceRange) => flight.ranges.release(range),
      finish(range: NonceRange) {
        flight.ranges.finish(range);
        if (flight.state === 'running' && flight.ranges.exhausted) {
          fail(flight, new BrokerError('exhausted', 'every nonce was searched and none passes the target'));
        }
      },
      abandon(source: string, reason: string) {
        flight.working.delete(source);
        log.error({ job: flight.id, source, reason }, 'source abandoned a job');
        if (flight.state === 'running' && flight.working.size === 0) {
          fail(flight, new BrokerError('failed', `no source of hash power could finish the job: ${reason}`));
        }
      },
      countAttempts(attempts: number, source: string) {
        if (!(attempts > 0)) return;
        flight.attempts += attempts;
        metrics?.attempts.inc({ source: sourceKind(source), scheme: flight.scheme.name }, attempts);
      },
      reportNonce: (nonce: bigint, source: string) =>
        report(flight, source, () => {
          if (nonce < 0n || nonce >= space) throw new RangeError(`nonce ${nonce} is outside [0, ${space})`);
          return flight.scheme.solution(flight.input, nonce);
        }),
      reportSolution: (solution: unknown, source: string) => report(flight, source, () => solution),
    };
  }

  function offer(flight: Flight, job: SourceJob, source: Source): void {
    if (!source.accepts(flight.scheme.name)) return;
    flight.working.add(source.name);
    try {
      source.run(job);
    } catch (error) {
      log.error({ job: flight.id, source: source.name, err: error }, 'source failed to start a job');
    }
  }

  const jobs = new WeakMap<Flight, SourceJob>();

  function start(flight: Flight): void {
    flight.state = 'running';
    flight.runningSince = performance.now();
    active += 1;
    const job = sourceJob(flight);
    jobs.set(flight, job);
    const eligible = [...sources].filter((source) => source.accepts(flight.scheme.name));
    if (eligible.length === 0) {
      fail(flight, new BrokerError('failed', `no source of hash power works on ${flight.scheme.name} jobs`));
      return;
    }
    for (const source of eligible) {
      if (flight.state !== 'running') break;
      offer(flight, job, source);
    }
  }

  function pump(): void {
    while (active < options.maxActiveJobs && queue.length > 0) {
      const next = queue[0];
      if (next === undefined) break;
      queue.shift();
      start(next);
    }
    updateGauges();
  }

  function attach<Solution>(flight: Flight, submit: SubmitOptions, resolve: (s: Solution) => void, reject: (e: BrokerError) => void): void {
    const timeoutMs = submit.timeoutMs ?? options.jobTimeoutMs;
    const onAbort = (): void => withdraw(flight, client, new BrokerError('cancelled', 'the request was cancelled'));
    const timer = setTimeout(
      () => withdraw(flight, client, new BrokerError('timeout', `no solution within ${timeoutMs} ms`)),
      timeoutMs,
    );
    const { onProgress } = submit;
    const expected = onProgress === undefined ? 0 : expectedAttempts(flight.task);
    const ticker =
      onProgress === undefined
        ? undefined
        : setInterval(() => {
            const seconds = flight.state === 'running' ? (performance.now() - flight.runningSince) / 1000 : 0;
            onProgress({ attempts: flight.attempts, rate: seconds > 0 ? flight.attempts / seconds : 0, expected });
          }, submit.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
    const client: Client = {
      resolve: (solution) => resolve(solution as Solution),
      reject,
      detach() {
        clearTimeout(timer);
        clearInterval(ticker);
        submit.signal?.removeEventListener('abort', onAbort);
      },
      door: submit.door ?? 'none',
      since: performance.now(),
    };
    flight.clients.add(client);
    submit.signal?.addEventListener('abort', onAbort, { once: true });
  }

  return {
    submit<Input, Solution>(scheme: Scheme<Input, Solution>, input: Input, submit: SubmitOptions = {}): Promise<Solution> {
      const anyScheme = scheme as unknown as AnyScheme;
      return new Promise<Solution>((resolve, reject) => {
        if (closing) {
          count({ scheme: anyScheme }, 'shutdown');
          throw new BrokerError('shutdown', 'the server is shutting down');
        }
        if (submit.signal?.aborted === true) throw new BrokerError('cancelled', 'the request was cancelled');
        const cached = cache.lookup(anyScheme, input);
        if (cached !== undefined) {
          metrics?.cacheHits.inc({ scheme: scheme.name });
          count({ scheme: anyScheme }, 'cached');
          resolve(cached.solution as Solution);
          return;
        }
        metrics?.cacheMisses.inc({ scheme: scheme.name });
        const key = `${scheme.name}|${scheme.key(input)}`;
        const existing = flights.get(key);
        if (existing !== undefined) {
          metrics?.dedupeJoins.inc({ scheme: scheme.name });
          attach(existing, submit, resolve, reject);
          return;
        }
        if (active >= options.maxActiveJobs && queue.length >= options.queueLimit) {
          count({ scheme: anyScheme }, 'busy');
          throw new BrokerError('busy', `the server is busy: ${active} jobs running and ${queue.length} waiting`);
        }
        const task = scheme.task(input);
        const flight: Flight = {
          id: String(++lastId),
          key,
          scheme: anyScheme,
          input,
          task,
          controller: new AbortController(),
          clients: new Set(),
          ranges: new RangeAllocator(nonceSpace(task)),
          working: new Set(),
          state: 'queued',
          attempts: 0,
          runningSince: 0,
        };
        flights.set(key, flight);
        queue.push(flight);
        attach(flight, submit, resolve, reject);
        pump();
      });
    },

    addSource(source: Source) {
      sources.add(source);
      // A source that arrives mid-job (a miner connecting) joins the searches already running.
      for (const flight of flights.values()) {
        const job = jobs.get(flight);
        if (flight.state === 'running' && job !== undefined) offer(flight, job, source);
      }
      return () => {
        sources.delete(source);
      };
    },

    stats(): BrokerStats {
      let waiting = 0;
      for (const flight of flights.values()) waiting += flight.clients.size;
      return { active, queued: queue.length, waiting, cached: cache.size, sources: sources.size, closed: closing };
    },

    async close(closeOptions = {}) {
      closing = true;
      const graceMs = closeOptions.graceMs ?? 0;
      if (graceMs > 0 && flights.size > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => idleWaiters.push(resolve)),
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, graceMs);
          }),
        ]);
        clearTimeout(timer);
      }
      const shutdown = new BrokerError('shutdown', 'the server is shutting down');
      for (const flight of [...flights.values()]) fail(flight, shutdown);
    },
  };
}
