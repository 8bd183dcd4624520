/**
 * Every error a client can get, in one registry: each `PP_ERR_*` code says what it means and how
 * it looks on each wire. Code throws {@link PowerplantError} (or {@link InputError}) with a code and
 * a specific message; each door turns it into its protocol's shape through this table alone:
 *
 * - `http`: the status on the HTTP doors (Nano `/pow`, the gate's HTTP API). The Nano node RPC keeps
 *   its protocol's convention instead: always HTTP 200 with `{"error"}`, since a node ignores a
 *   work peer's other answers.
 * - `websocket`: on the Nostr door, `answer` for an `{"error","id"?}` answer on a connection that
 *   stays open, or the close code when the error ends the connection.
 * - `stratum`: the code of a Stratum `[code, message, null]` error.
 * - `metanoia`: the `status` of a Metanoia `{"status","error"}` answer.
 * - `powtcp`: whether the gate's TCP door answers `0:<message>` and goes on (`answer`) or sends it
 *   as its last line and closes (`close`).
 *
 * A wire that never carries an error leaves it out. docs/api.md's error tables are generated from
 * this registry (test/errors.test.ts keeps them in step).
 * @module
 */

export interface ErrorWires {
  /** What the error means, as docs/api.md says it. */
  readonly meaning: string;
  readonly http?: number;
  readonly websocket?: 'answer' | number;
  readonly stratum?: number;
  readonly metanoia?: number;
  readonly powtcp?: 'answer' | 'close';
}

export const ERRORS = {
  PP_ERR_INVALID: {
    meaning: 'the request is not valid; the message names the field and why',
    websocket: 'answer',
    http: 400,
    stratum: 20,
    metanoia: 400,
    powtcp: 'answer',
  },
  PP_ERR_TOO_LARGE: {
    meaning: 'a message, body or line is over its size limit',
    http: 413,
    websocket: 1009,
    stratum: 20,
    powtcp: 'close',
  },
  PP_ERR_TOO_MANY_REQUESTS: {
    meaning: 'too many requests waiting on one connection',
    websocket: 'answer',
    metanoia: 400,
    powtcp: 'close',
  },
  PP_ERR_TOO_MANY_CONNECTIONS: {
    meaning: 'too many connections open (in all, or from one address)',
    http: 503,
    stratum: 20,
    metanoia: 503,
    powtcp: 'close',
  },
  PP_ERR_TOO_MANY_ERRORS: {
    meaning: 'a connection earned too many errors (Stratum: rejected shares) and is closed',
    websocket: 1008,
    stratum: 20,
    metanoia: 400,
    powtcp: 'close',
  },
  PP_ERR_IDLE_TIMEOUT: {
    meaning: 'a connection went too long without completing a request',
    http: 408,
    websocket: 1000,
    metanoia: 408,
    powtcp: 'close',
  },
  PP_ERR_RATE_LIMITED: {
    meaning: 'too many requests from one address; slow down',
    http: 429,
    powtcp: 'close',
  },
  PP_ERR_BUSY: {
    meaning: 'the server cannot take the request now (queue or store full); try again later',
    websocket: 'answer',
    http: 503,
    metanoia: 503,
    powtcp: 'answer',
  },
  PP_ERR_OVER_BUDGET: {
    meaning: 'this connection or address already has its most jobs, or expected attempts, waiting; wait for an answer first',
    websocket: 'answer',
    http: 429,
    metanoia: 429,
  },
  PP_ERR_SHUTDOWN: {
    meaning: 'the server is shutting down',
    http: 503,
    websocket: 1001,
    metanoia: 503,
  },
  PP_ERR_TIMEOUT: {
    meaning: 'no solution within the job timeout',
    websocket: 'answer',
    http: 504,
    metanoia: 504,
  },
  PP_ERR_CANCELLED: {
    meaning: 'the request was withdrawn (Nano: by a work_cancel for its hash)',
    websocket: 'answer',
    http: 409,
    metanoia: 409,
  },
  PP_ERR_EXHAUSTED: {
    meaning: 'every nonce was searched and none passes: the answer asked for does not exist',
    websocket: 'answer',
    http: 404,
    metanoia: 404,
  },
  PP_ERR_FAILED: {
    meaning: 'no source of hash power could finish the job',
    websocket: 'answer',
    http: 500,
    metanoia: 500,
  },
  PP_ERR_INTERNAL: {
    meaning: 'an unexpected failure on the server (logged there)',
    websocket: 'answer',
    http: 500,
    stratum: 20,
    metanoia: 500,
    powtcp: 'close',
  },
  PP_ERR_UNAVAILABLE: {
    meaning: "the gate's resource file, upstream service or the website behind its proxy cannot be reached",
    http: 502,
    powtcp: 'close',
  },
  PP_ERR_UPSTREAM_TIMEOUT: { meaning: 'the website behind the gate did not answer in time', http: 504 },
  PP_ERR_NO_PASS: { meaning: 'a route behind the gate needs a pass and the request shows none: solve the challenge first', http: 401 },
  PP_ERR_DENIED: { meaning: 'a gate policy rule refuses the request', http: 403 },
  PP_ERR_TOKEN_REQUIRED: { meaning: 'the dashboard asks for its token (dashboard.token): ?token= once, or Authorization: Bearer', http: 401 },
  PP_ERR_FORGED: { meaning: 'a challenge or pass token whose signature does not match', http: 403, powtcp: 'answer' },
  PP_ERR_EXPIRED: { meaning: 'a challenge or pass token past its lifetime', http: 403, powtcp: 'answer' },
  PP_ERR_WRONG_PURPOSE: {
    meaning: 'a challenge or pass token of another gate sharing the secret',
    http: 403,
    powtcp: 'answer',
  },
  PP_ERR_WRONG_CHALLENGE: { meaning: "the stamp's resource is not this challenge", http: 403, powtcp: 'answer' },
  PP_ERR_INSUFFICIENT: {
    meaning: "the stamp's hash does not reach the challenge's bits, or a pass was earned with fewer bits than the route asks",
    http: 403,
    powtcp: 'answer',
  },
  PP_ERR_SPENT: { meaning: 'the challenge (or a form pass) was already redeemed', http: 409, powtcp: 'answer' },
  PP_ERR_WRONG_RESULTS: { meaning: 'a miner sent too many wrong results and gets no more work', metanoia: 403 },
  PP_ERR_JOB_NOT_FOUND: { meaning: 'the share is for an unknown, stale or full job', stratum: 21 },
  PP_ERR_DUPLICATE_SHARE: { meaning: 'the same share was submitted before', stratum: 22 },
  PP_ERR_LOW_DIFFICULTY: { meaning: 'the share misses the share target', stratum: 23 },
  PP_ERR_UNAUTHORIZED: { meaning: 'the worker was not authorized on this connection', stratum: 24 },
  PP_ERR_NOT_SUBSCRIBED: { meaning: 'a submit before mining.subscribe', stratum: 25 },
} as const satisfies Record<`PP_ERR_${string}`, ErrorWires>;

export type ErrorCode = keyof typeof ERRORS;

/** An error a client sees: its code picks the shape on each wire, its message says what exactly. */
export class PowerplantError extends Error {
  override readonly name: string = 'PowerplantError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }

  get wires(): ErrorWires {
    return ERRORS[this.code];
  }
}

/** A user's input was wrong; the message says how. Commands exit with code 2 on it. */
export class InputError extends PowerplantError {
  override readonly name: string = 'InputError';
  constructor(message: string) {
    super('PP_ERR_INVALID', message);
  }
}

/**
 * The registry entry for anything thrown while answering: a PowerplantError's own, or
 * PP_ERR_INTERNAL for the unexpected (which the door logs and answers as 'internal error').
 */
export function wiresOf(error: unknown): ErrorWires {
  return error instanceof PowerplantError ? error.wires : ERRORS.PP_ERR_INTERNAL;
}

/** The text a client sees for `error`: its message when it is ours, never an internal detail. */
export function clientMessage(error: unknown): string {
  return error instanceof PowerplantError ? error.message : 'internal error';
}

/** A short lower-case name of a code for metrics labels: PP_ERR_WRONG_PURPOSE → wrong-purpose. */
export function reasonOf(code: ErrorCode): string {
  return code.slice('PP_ERR_'.length).toLowerCase().replaceAll('_', '-');
}
