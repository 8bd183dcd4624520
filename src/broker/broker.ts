/**
 * The job broker: every front door submits here, every source of hash power works from here.
 *
 *   submit → cache hit? → answer
 *          → client or address over its bounds? → PP_ERR_OVER_BUDGET
 *          → same job in flight? → join it (one search, several clients)
 *          → free search slot? → run it on every source that accepts the scheme
 *          → room in the queue? → wait for a slot (shared fairly between addresses)
 *          → else PP_ERR_BUSY
 *   source reports → scheme.verify → first valid answer resolves every client, aborts the job
 *                                  → invalid answers are counted by source and dropped
 *
 * A client that aborts or times out withdraws; the search stops only when no client is left.
 * The pieces: flight.ts (a search and its clients), slots.ts (search slots and the queue),
 * source-job.ts (what sources see, and verification), cache.ts (verified results), ledger.ts (what
 * each client and address has in flight).
 * @module
 */
import type { Logger } from 'pino';
import { silentLogger } from '../log.js';
import { sourceKind, type Metrics } from '../metrics.js';
import { familyOf, type Scheme } from '../schemes/scheme.js';
import { expectedAttempts, nonceSpace, type SearchTask } from '../schemes/search.js';
import { ResultCache } from './cache.js';
import { attachClient, type AnyScheme, type Client, type Flight } from './flight.js';
import { RangeAllocator } from './ranges.js';
import { ClientLedger, type ClientBounds } from './ledger.js';
import { SearchSlots } from './slots.js';
import { sourceJob, type FlightOutcomes } from './source-job.js';
import { PowerplantError, reasonOf } from '../errors.js';
import type { Broker, BrokerStats, ClientIdentity, Source, SubmitOptions } from './types.js';

export interface BrokerOptions extends Partial<ClientBounds> {
  /** Jobs waiting for a search slot beyond which submit fails with PP_ERR_BUSY. */
  readonly queueLimit: number;
  /** Searches running at once. */
  readonly maxActiveJobs: number;
  /** Search slots kept for quick jobs (default 0). */
  readonly quickSlots?: number;
  /** Expected attempts up to which a job is quick. */
  readonly quickJobAttempts?: number;
  /** Verified solutions kept for reuse (0 disables the cache). */
  readonly cacheSize: number;
  /** A client's wait when its submit names no timeout, in milliseconds. */
  readonly jobTimeoutMs: number;
  readonly metrics?: Metrics;
  readonly logger?: Logger;
}

/** Who a submit that names no client is: one client, alone at its address. */
const LOCAL_CLIENT: ClientIdentity = { id: 'local', address: 'local', door: 'local' };

export function createBroker(options: BrokerOptions): Broker {
  const { metrics } = options;
  const log = (options.logger ?? silentLogger).child({ component: 'broker' });
  const cache = new ResultCache(options.cacheSize);
  const sources = new Set<Source>();
  const flights = new Map<string, Flight>();
  const slotPolicy = {
    maxActive: options.maxActiveJobs,
    queueLimit: options.queueLimit,
    quickSlots: options.quickSlots ?? 0,
    quickJobAttempts: options.quickJobAttempts ?? 0,
  };
  const ledger = new ClientLedger({
    maxJobsPerClient: options.maxJobsPerClient ?? Infinity,
    maxJobsPerAddress: options.maxJobsPerAddress ?? Infinity,
    maxAttemptsPerAddress: options.maxAttemptsPerAddress ?? Infinity,
  });
  const slots = new SearchSlots(slotPolicy, start, (active, queued) => {
    metrics?.queueDepth.set(queued);
    metrics?.activeJobs.set(active);
  });
  const idleWaiters: (() => void)[] = [];
  let lastId = 0;
  let closing = false;

  const count = (scheme: AnyScheme, outcome: string, clients = 1): void => {
    metrics?.jobs.inc({ scheme: scheme.name, outcome }, clients);
  };

  /** Take a flight out of every structure and stop its sources. */
  function end(flight: Flight): void {
    if (flight.state === 'settled') return;
    slots.leave(flight);
    flight.state = 'settled';
    flights.delete(flight.key);
    flight.controller.abort(new PowerplantError('PP_ERR_CANCELLED', 'the job is over'));
    slots.pump();
    if (flights.size === 0) for (const resolve of idleWaiters.splice(0)) resolve();
  }

  /** Answer every client of a flight, then end it. */
  function finish(flight: Flight, answer: (client: Client) => void): void {
    for (const client of flight.clients) {
      client.detach();
      answer(client);
    }
    flight.clients.clear();
    end(flight);
  }

  function fail(flight: Flight, error: PowerplantError): void {
    count(flight.scheme, reasonOf(error.code), flight.clients.size);
    finish(flight, (client) => client.reject(error));
  }

  const outcomes: FlightOutcomes = {
    solved(flight, solution, source) {
      cache.store(flight.family, flight.scheme, flight.input, solution);
      count(flight.scheme, 'solved', flight.clients.size);
      metrics?.wins.inc({ source: sourceKind(source) });
      metrics?.solvedWork.inc({ source: sourceKind(source), scheme: flight.scheme.name }, flight.expectedAttempts);
      log.debug({ job: flight.id, scheme: flight.scheme.name, source }, 'job solved');
      const now = performance.now();
      finish(flight, (client) => {
        metrics?.timeToSolution.observe({ scheme: flight.scheme.name, door: client.door }, (now - client.since) / 1000);
        client.resolve(solution);
      });
    },
    refused(flight, source, reason) {
      metrics?.invalidCandidates.inc({ source: sourceKind(source) });
      log.warn({ job: flight.id, scheme: flight.scheme.name, source, reason }, 'invalid candidate refused');
    },
    failed: fail,
    abandoned(flight, source, reason) {
      log.error({ job: flight.id, source, reason }, 'source abandoned a job');
    },
    counted(flight, source, attempts) {
      metrics?.attempts.inc({ source: sourceKind(source), scheme: flight.scheme.name }, attempts);
    },
  };

  function withdraw(flight: Flight, client: Client, error: PowerplantError): void {
    if (!flight.clients.delete(client)) return;
    client.detach();
    client.reject(error);
    count(flight.scheme, reasonOf(error.code));
    if (flight.clients.size === 0) {
      log.debug({ job: flight.id, reason: reasonOf(error.code) }, 'job abandoned by every client');
      end(flight);
    }
  }

  function offer(flight: Flight, source: Source): void {
    if (flight.job === undefined || !source.accepts(flight.scheme.name)) return;
    flight.working.add(source.name);
    try {
      source.run(flight.job);
    } catch (error) {
      log.error({ job: flight.id, source: source.name, err: error }, 'source failed to start a job');
    }
  }

  /** A flight got a search slot: offer it to every source that works on its scheme. */
  function start(flight: Flight): void {
    flight.runningSince = performance.now();
    flight.job = sourceJob(flight, outcomes);
    const eligible = [...sources].filter((source) => source.accepts(flight.scheme.name));
    if (eligible.length === 0) {
      fail(flight, new PowerplantError('PP_ERR_FAILED', `no source of hash power works on ${flight.scheme.name} jobs`));
      return;
    }
    for (const source of eligible) {
      if (flight.state !== 'running') break;
      offer(flight, source);
    }
  }

  function newFlight(scheme: AnyScheme, input: unknown, key: string, family: string, task: SearchTask, address: string): Flight {
    const expected = expectedAttempts(task);
    return {
      id: String(++lastId),
      key,
      family,
      scheme,
      input,
      task,
      expectedAttempts: expected,
      quick: expected <= slotPolicy.quickJobAttempts,
      address,
      controller: new AbortController(),
      clients: new Set(),
      ranges: new RangeAllocator(nonceSpace(task)),
      working: new Set(),
      state: 'queued',
      attempts: 0,
      runningSince: 0,
    };
  }

  return {
    submit<Input, Solution, Candidate>(scheme: Scheme<Input, Solution, Candidate>, input: Input, submit: SubmitOptions = {}): Promise<Solution> {
      const anyScheme = scheme as unknown as AnyScheme;
      return new Promise<Solution>((resolve, reject) => {
        if (closing) {
          count(anyScheme, 'shutdown');
          throw new PowerplantError('PP_ERR_SHUTDOWN', 'the server is shutting down');
        }
        if (submit.signal?.aborted === true) throw new PowerplantError('PP_ERR_CANCELLED', 'the request was cancelled');
        const family = familyOf(scheme, input);
        const cached = cache.lookup(family, anyScheme, input);
        if (cached !== undefined) {
          metrics?.cacheHits.inc({ scheme: scheme.name });
          count(anyScheme, 'cached');
          resolve(cached.solution as Solution);
          return;
        }
        metrics?.cacheMisses.inc({ scheme: scheme.name });
        const key = scheme.key(input);
        const existing = flights.get(key);
        const task = existing?.task ?? scheme.task(input);
        const identity = submit.client ?? LOCAL_CLIENT;
        const held = ledger.take(identity, expectedAttempts(task));
        if ('refused' in held) {
          count(anyScheme, reasonOf('PP_ERR_OVER_BUDGET'));
          throw new PowerplantError('PP_ERR_OVER_BUDGET', held.refused);
        }
        const client = { ...submit, client: identity, timeoutMs: submit.timeoutMs ?? options.jobTimeoutMs };
        const answer = (solution: unknown): void => {
          held.release();
          resolve(solution as Solution);
        };
        const refuse = (error: PowerplantError): void => {
          held.release();
          reject(error);
        };
        if (existing !== undefined) {
          metrics?.dedupeJoins.inc({ scheme: scheme.name });
          attachClient(existing, client, answer, refuse, withdraw);
          return;
        }
        if (slots.full) {
          held.release();
          count(anyScheme, 'busy');
          throw new PowerplantError('PP_ERR_BUSY', `the server is busy: ${slots.active} jobs running and ${slots.queued} waiting`);
        }
        const flight = newFlight(anyScheme, input, key, family, task, identity.address);
        flights.set(key, flight);
        attachClient(flight, client, answer, refuse, withdraw);
        slots.admit(flight);
      });
    },

    addSource(source: Source) {
      sources.add(source);
      // A source that arrives mid-job (a miner connecting) joins the searches already running.
      for (const flight of flights.values()) if (flight.state === 'running') offer(flight, source);
      return () => {
        sources.delete(source);
      };
    },

    stats(): BrokerStats {
      let waiting = 0;
      for (const flight of flights.values()) waiting += flight.clients.size;
      return { active: slots.active, queued: slots.queued, waiting, cached: cache.size, sources: sources.size, closed: closing };
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
      const shutdown = new PowerplantError('PP_ERR_SHUTDOWN', 'the server is shutting down');
      for (const flight of [...flights.values()]) fail(flight, shutdown);
    },
  };
}
