/**
 * One line from a Stratum client as a request: a JSON object with a string method and a list of
 * params. A malformed line becomes a BadRequest that keeps the id when there was one, since the
 * miner matches the error reply by it.
 * @module
 */
import { InputError } from '../errors.js';
import { parseJson, type JsonValue } from '../net/json.js';

export interface Request {
  readonly id: JsonValue;
  readonly method: string;
  readonly params: readonly JsonValue[];
}

/** A request that cannot be served, with its id when it had one. */
export class BadRequest extends InputError {
  constructor(
    message: string,
    readonly id: JsonValue = null,
  ) {
    super(message);
  }
}

export function parseRequest(line: string): Request {
  const parsed = parseJson(line);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BadRequest('a request must be a JSON object');
  const { id = null, method, params = [] } = parsed;
  if (typeof method !== 'string') throw new BadRequest('method must be a string', id);
  if (!Array.isArray(params)) throw new BadRequest('params must be a list', id);
  return { id, method, params };
}
