/**
 * The Stratum door's error table: every reply error is `[code, message, null]` with one of these
 * codes, and every rejected share is counted under the name of its code.
 * @module
 */

/** Stratum error codes (reference section 4). */
export const STRATUM_ERRORS = {
  other: 20,
  jobNotFound: 21,
  duplicate: 22,
  lowDifficulty: 23,
  unauthorized: 24,
  notSubscribed: 25,
} as const;

export type StratumErrorName = keyof typeof STRATUM_ERRORS;
/** What became of a submit: 'accepted' or the name of its error code. */
export type ShareOutcome = 'accepted' | StratumErrorName;

const NAME_OF_CODE = new Map(Object.entries(STRATUM_ERRORS).map(([name, code]) => [code as number, name as StratumErrorName]));

/** An error a request gets as its reply. */
export class StratumError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  get outcome(): StratumErrorName {
    return NAME_OF_CODE.get(this.code) ?? 'other';
  }
}
