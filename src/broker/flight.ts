/**
 * A flight: one search in the broker, shared by every client that asked for the same job, and the
 * way a client joins it and leaves it (its own abort, or its timeout).
 * @module
 */
import type { Scheme } from '../schemes/scheme.js';
import type { SearchTask } from '../schemes/search.js';
import type { RangeAllocator } from './ranges.js';
import { PowerplantError } from '../errors.js';
import type { ClientIdentity, JobProgress, SourceJob, SubmitOptions } from './types.js';

export type AnyScheme = Scheme<unknown, unknown, unknown>;

/** How often a client that asked for progress hears of it, unless it names its own interval. */
const DEFAULT_PROGRESS_INTERVAL_MS = 1000;

/** A client waiting on a flight. */
export interface Client {
  resolve(solution: unknown): void;
  reject(error: PowerplantError): void;
  /** Drop the timers and the abort listener. */
  detach(): void;
  /** The front door that asked (ClientIdentity.door), for the time-to-solution histogram. */
  readonly door: string;
  /** performance.now() when it asked. */
  readonly since: number;
}

export interface Flight {
  readonly id: string;
  /** The job key (Scheme.key): one flight per key. */
  readonly key: string;
  /** The job family (Scheme.family): the result cache's key. */
  readonly family: string;
  readonly scheme: AnyScheme;
  readonly input: unknown;
  readonly task: SearchTask;
  /** Attempts its search is expected to take: the order of the queue and the quick slots go by it. */
  readonly expectedAttempts: number;
  /** At most broker.quick_job_attempts expected attempts: it may take a quick slot, and goes first. */
  readonly quick: boolean;
  /** The address of the client that started it: the queue shares slots between addresses. */
  readonly address: string;
  readonly controller: AbortController;
  readonly clients: Set<Client>;
  readonly ranges: RangeAllocator;
  /** Names of the sources offered this job that have not abandoned it. */
  readonly working: Set<string>;
  state: 'queued' | 'running' | 'settled';
  /** What the sources see of it, once it runs. */
  job?: SourceJob;
  /** Nonces its sources counted (SourceJob.countAttempts), and performance.now() when it started running. */
  attempts: number;
  runningSince: number;
}

/** The flight's progress as a waiting client sees it. */
function progressOf(flight: Flight): JobProgress {
  const seconds = flight.state === 'running' ? (performance.now() - flight.runningSince) / 1000 : 0;
  return { attempts: flight.attempts, rate: seconds > 0 ? flight.attempts / seconds : 0, expected: flight.expectedAttempts };
}

/**
 * Add a client to a flight. It leaves through `withdraw` when its signal aborts ('cancelled') or
 * after `timeoutMs` ('timeout'); with `onProgress` it hears how far the search got until then.
 */
export function attachClient(
  flight: Flight,
  options: SubmitOptions & { readonly timeoutMs: number; readonly client: ClientIdentity },
  resolve: (solution: unknown) => void,
  reject: (error: PowerplantError) => void,
  withdraw: (flight: Flight, client: Client, error: PowerplantError) => void,
): void {
  const { signal, timeoutMs, onProgress } = options;
  const onAbort = (): void => withdraw(flight, client, new PowerplantError('PP_ERR_CANCELLED', 'the request was cancelled'));
  const timer = setTimeout(() => withdraw(flight, client, new PowerplantError('PP_ERR_TIMEOUT', `no solution within ${timeoutMs} ms`)), timeoutMs);
  const ticker =
    onProgress === undefined
      ? undefined
      : setInterval(() => onProgress(progressOf(flight)), options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS);
  const client: Client = {
    resolve,
    reject,
    detach() {
      clearTimeout(timer);
      clearInterval(ticker);
      signal?.removeEventListener('abort', onAbort);
    },
    door: options.client.door,
    since: performance.now(),
  };
  flight.clients.add(client);
  signal?.addEventListener('abort', onAbort, { once: true });
}
