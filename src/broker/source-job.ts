/**
 * What a source sees of a flight (a SourceJob): nonce ranges to claim, release and finish, and the
 * way back for candidates, each verified by the scheme before the flight hears of it.
 * @module
 */
import type { Flight } from './flight.js';
import { PowerplantError } from '../errors.js';
import type { NonceRange, SourceJob } from './types.js';

/** What the broker does with a flight as its sources report. */
export interface FlightOutcomes {
  /** A candidate verified: the flight is solved with the verified solution. */
  solved(flight: Flight, solution: unknown, source: string): void;
  /** A candidate did not verify (counted and logged; the search goes on). */
  refused(flight: Flight, source: string, reason: string): void;
  /** The flight cannot be solved: every nonce searched, or no source left working on it. */
  failed(flight: Flight, error: PowerplantError): void;
  /** A source gave up on the flight for this reason. */
  abandoned(flight: Flight, source: string, reason: string): void;
  /** A source tried this many more nonces on the flight. */
  counted(flight: Flight, source: string, attempts: number): void;
}

export function sourceJob(flight: Flight, outcomes: FlightOutcomes): SourceJob {
  const space = flight.ranges.space;
  const running = (): boolean => flight.state === 'running';

  /** Verify a candidate; the first valid one solves the flight. */
  function report(source: string, candidate: () => unknown): boolean {
    if (!running()) return false;
    let reason: string;
    try {
      const verdict = flight.scheme.verify(flight.input, candidate());
      if (verdict.valid) {
        outcomes.solved(flight, verdict.solution, source);
        return true;
      }
      reason = verdict.reason;
    } catch (error) {
      reason = error instanceof Error ? error.message : String(error);
    }
    outcomes.refused(flight, source, reason);
    return false;
  }

  return {
    id: flight.id,
    key: flight.key,
    family: flight.family,
    scheme: flight.scheme,
    input: flight.input,
    task: flight.task,
    quick: flight.quick,
    signal: flight.controller.signal,
    claim: (size: bigint) => (running() ? flight.ranges.claim(size) : null),
    release: (range: NonceRange) => flight.ranges.release(range),
    finish(range: NonceRange) {
      flight.ranges.finish(range);
      if (running() && flight.ranges.exhausted) {
        outcomes.failed(flight, new PowerplantError('PP_ERR_EXHAUSTED', 'every nonce was searched and none passes the target'));
      }
    },
    abandon(source: string, reason: string) {
      flight.working.delete(source);
      outcomes.abandoned(flight, source, reason);
      if (running() && flight.working.size === 0) {
        outcomes.failed(flight, new PowerplantError('PP_ERR_FAILED', `no source of hash power could finish the job: ${reason}`));
      }
    },
    countAttempts(attempts: number, source: string) {
      if (!(attempts > 0)) return;
      flight.attempts += attempts;
      outcomes.counted(flight, source, attempts);
    },
    reportNonce: (nonce: bigint, source: string) =>
      report(source, () => {
        if (nonce < 0n || nonce >= space) throw new RangeError(`nonce ${nonce} is outside [0, ${space})`);
        return flight.scheme.solution(flight.input, nonce);
      }),
    reportSolution: (candidate: unknown, source: string) => report(source, () => candidate),
  };
}
