/**
 * Work handed out to remote workers that poll for it (Metanoia miners): a nonce range of an open
 * job out, found nonces back in. A door serves this handle over its protocol; the source behind it
 * (src/sources/remote-miners.ts) is one of the broker's sources, so jobs reach it from the broker
 * and every nonce reported goes back through the broker's verification.
 * @module
 */
import type { NonceRange } from './types.js';

/** A range of one open job, handed to one worker. */
export interface Handout<Input> {
  readonly input: Input;
  readonly range: NonceRange;
  /**
   * The worker reported `nonce` as its find in this range: the nonces up to it count as searched
   * (its attempts), and unless the job is over the unsearched rest goes back to the job, so a
   * report the job did not accept leaves no nonce unsearched (the whole range when `nonce` lies
   * outside it).
   */
  report(nonce: bigint): void;
  /** The worker searched the range to its end without a passing nonce (counted as searched). */
  finish(): void;
  /** The worker left before the end: the range goes back to the job. */
  release(): void;
}

export interface RemoteWork<Input> {
  /** Workers waiting for work right now. */
  readonly waitingWorkers: number;
  /** Wait up to `timeoutMs` for a range of some open job for `worker`; null on timeout or when `signal` aborts. */
  next(worker: string, timeoutMs: number, signal: AbortSignal): Promise<Handout<Input> | null>;
  /** The inputs of the open jobs that `matches` picks. */
  openInputs(matches: (input: Input) => boolean): Input[];
  /** Report a nonce to the open jobs that `matches` picks; true when one accepted it (verified by the broker). */
  report(matches: (input: Input) => boolean, nonce: bigint, worker: string): boolean;
}
