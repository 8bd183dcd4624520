/**
 * A flight: one search in the broker, shared by every client that asked for the same job, and the
 * way a client joins it and leaves it (its own abort, or its timeout).
 * @module
 */
import type { Scheme } from '../schemes/scheme.js';
import type { SearchTask } from '../schemes/search.js';
import type { RangeAllocator } from './ranges.js';
import { PowerplantError } from '../errors.js';
import type { SourceJob, SubmitOptions } from './types.js';

export type AnyScheme = Scheme<unknown, unknown, unknown>;

/** A client waiting on a flight. */
export interface Client {
  resolve(solution: unknown): void;
  reject(error: PowerplantError): void;
  /** Drop the timer and the abort listener. */
  detach(): void;
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
  readonly controller: AbortController;
  readonly clients: Set<Client>;
  readonly ranges: RangeAllocator;
  /** Names of the sources offered this job that have not abandoned it. */
  readonly working: Set<string>;
  state: 'queued' | 'running' | 'settled';
  /** What the sources see of it, once it runs. */
  job?: SourceJob;
}

/**
 * Add a client to a flight. It leaves through `withdraw` when its signal aborts ('cancelled') or
 * after `timeoutMs` ('timeout').
 */
export function attachClient(
  flight: Flight,
  options: SubmitOptions & { readonly timeoutMs: number },
  resolve: (solution: unknown) => void,
  reject: (error: PowerplantError) => void,
  withdraw: (flight: Flight, client: Client, error: PowerplantError) => void,
): void {
  const { signal, timeoutMs } = options;
  const onAbort = (): void => withdraw(flight, client, new PowerplantError('PP_ERR_CANCELLED', 'the request was cancelled'));
  const timer = setTimeout(() => withdraw(flight, client, new PowerplantError('PP_ERR_TIMEOUT', `no solution within ${timeoutMs} ms`)), timeoutMs);
  const client: Client = {
    resolve,
    reject,
    detach() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
  flight.clients.add(client);
  signal?.addEventListener('abort', onAbort, { once: true });
}
