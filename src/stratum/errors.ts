/**
 * Stratum's errors through the registry (src/errors.ts): each outcome name a rejected submit is
 * counted under stands for one `PP_ERR_*` code, and every error reply is `[code, message, null]`
 * with the registry's Stratum code for it.
 * @module
 */
import { clientMessage, ERRORS, PowerplantError, wiresOf, type ErrorCode } from '../errors.js';

/** The registry code behind each Stratum outcome name (the codes 20–25 of reference section 4). */
export const STRATUM_ERRORS = {
  other: 'PP_ERR_INVALID',
  jobNotFound: 'PP_ERR_JOB_NOT_FOUND',
  duplicate: 'PP_ERR_DUPLICATE_SHARE',
  lowDifficulty: 'PP_ERR_LOW_DIFFICULTY',
  unauthorized: 'PP_ERR_UNAUTHORIZED',
  notSubscribed: 'PP_ERR_NOT_SUBSCRIBED',
} as const satisfies Record<string, ErrorCode>;

export type StratumErrorName = keyof typeof STRATUM_ERRORS;
/** What became of a submit: 'accepted' or the name of its error. */
export type ShareOutcome = 'accepted' | StratumErrorName;

const NAME_OF_CODE = new Map(Object.entries(STRATUM_ERRORS).map(([name, code]) => [code as ErrorCode, name as StratumErrorName]));

/** A registry error thrown under its Stratum outcome name. */
export class StratumError extends PowerplantError {
  constructor(name: StratumErrorName, message: string) {
    super(STRATUM_ERRORS[name], message);
  }
}

/** The outcome a failed submit is counted under: its error's name, or 'other'. */
export function outcomeOf(error: unknown): StratumErrorName {
  return (error instanceof PowerplantError && NAME_OF_CODE.get(error.code)) || 'other';
}

/** Whether `error` is a verdict on a share (stale, duplicate, low difficulty) rather than a bad request. */
export function isShareVerdict(error: unknown): boolean {
  const outcome = outcomeOf(error);
  return outcome === 'jobNotFound' || outcome === 'duplicate' || outcome === 'lowDifficulty';
}

/** The `[code, message, null]` a miner gets for `error`; the unexpected is answered as PP_ERR_INTERNAL. */
export function errorReply(error: unknown): [number, string, null] {
  return [wiresOf(error).stratum ?? ERRORS.PP_ERR_INTERNAL.stratum, clientMessage(error), null];
}
