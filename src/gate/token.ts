/**
 * Pass tokens: what a visitor gets for a verified solution and shows to protected routes. Signed
 * like challenges but under their own key, so neither can stand in for the other:
 *
 *     t2 | expiry (8 hex: u32 unix seconds) | bits (2 hex) | purpose (16 hex) | challenge id (32 hex) | tag (32 hex)
 *
 * A token is not single-use: it opens the gate until it expires (token_ttl_s). It carries the bits
 * of the challenge that earned it, so a route that asks for more work (policy rules) can refuse it.
 * @module
 */
import { deriveKey, purposeHex, TAG_HEX, tagHex, tagMatches } from './mac.js';
import { PowerplantError } from '../errors.js';

export const TOKEN_VERSION = 't2';
const BODY_LENGTH = 2 + 8 + 2 + 16 + 32;
export const TOKEN_LENGTH = BODY_LENGTH + TAG_HEX;
const TOKEN_SHAPE = new RegExp(`^${TOKEN_VERSION}[0-9a-f]{${TOKEN_LENGTH - 2}}$`);

export interface Pass {
  readonly token: string;
  /** Unix time in seconds. */
  readonly expires: number;
  /** The id of the challenge that earned it. */
  readonly challengeId: string;
  /** The bits of that challenge. */
  readonly bits: number;
}

/** Signs and checks the tokens of one gate; holding the secret and the purpose is enough to check. */
export class TokenCodec {
  readonly #key: Buffer;
  readonly #purpose: string;

  constructor(secret: Uint8Array, purpose: string) {
    this.#key = deriveKey(secret, 'token');
    this.#purpose = purposeHex(purpose);
  }

  /** A pass for the challenge `challengeId`, solved at `bits`. */
  issue(challengeId: string, ttlS: number, nowMs: number, bits = 0): Pass {
    if (!/^[0-9a-f]{32}$/.test(challengeId)) throw new RangeError('challengeId must be 32 lowercase hex characters');
    if (!Number.isInteger(bits) || bits < 0 || bits > 255) throw new RangeError('bits must be an integer in 0..255');
    const expires = Math.floor(nowMs / 1000) + ttlS;
    if (!Number.isInteger(ttlS) || ttlS < 1 || expires > 0xffffffff) throw new RangeError('ttlS must be a positive integer');
    const body = `${TOKEN_VERSION}${expires.toString(16).padStart(8, '0')}${bits.toString(16).padStart(2, '0')}${this.#purpose}${challengeId}`;
    return { token: body + tagHex(this.#key, body), expires, challengeId, bits };
  }

  /** The pass if the token is ours, for our purpose and unexpired; a PowerplantError otherwise. */
  check(token: unknown, nowMs: number): Pass {
    if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) throw new PowerplantError('PP_ERR_INVALID', 'pass token is malformed');
    if (!tagMatches(this.#key, token.slice(0, BODY_LENGTH), token.slice(BODY_LENGTH))) {
      throw new PowerplantError('PP_ERR_FORGED', 'pass token signature is invalid');
    }
    if (token.slice(12, 28) !== this.#purpose) throw new PowerplantError('PP_ERR_WRONG_PURPOSE', 'pass token is for another purpose');
    const expires = parseInt(token.slice(2, 10), 16);
    if (expires * 1000 <= nowMs) throw new PowerplantError('PP_ERR_EXPIRED', 'pass token expired');
    return { token, expires, challengeId: token.slice(28, 60), bits: parseInt(token.slice(10, 12), 16) };
  }
}
