/**
 * Why the gate turned a request away. Every refusal carries a code that each front door maps to
 * its own error shape: a `0:<message>` line on TCP, an HTTP status with `{"error"}` over HTTP.
 * @module
 */

export type RefusalCode =
  /** The input is not a challenge, stamp or token at all. */
  | 'malformed'
  /** The signature does not match: forged or tampered with. */
  | 'forged'
  | 'expired'
  /** Signed by this secret but for another purpose (another gate sharing the secret). */
  | 'wrong-purpose'
  /** The stamp's resource is not this challenge. */
  | 'wrong-challenge'
  /** The stamp's hash does not reach the challenge's bits (or the stamp claims fewer). */
  | 'insufficient'
  /** The challenge was already redeemed. */
  | 'spent'
  /** Too many requests from this source. */
  | 'rate-limited'
  /** The server cannot take the request now (spent store full, upstream down). */
  | 'busy'
  /** A site behind the gate needs a pass and the request shows none. */
  | 'no-pass'
  /** A policy rule turns the request away. */
  | 'denied';

/** HTTP status of each refusal. */
export const REFUSAL_STATUS: Readonly<Record<RefusalCode, number>> = {
  malformed: 400,
  forged: 403,
  expired: 403,
  'wrong-purpose': 403,
  'wrong-challenge': 403,
  insufficient: 403,
  spent: 409,
  'rate-limited': 429,
  busy: 503,
  'no-pass': 401,
  denied: 403,
};

export class GateRefusal extends Error {
  override readonly name = 'GateRefusal';
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
  }
}
