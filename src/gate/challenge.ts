/**
 * Gate challenges: stateless to issue, authenticated with HMAC-SHA-256, fixed-width lowercase hex
 * so that no field can shift into another, hashcash's lower-casing leaves them unchanged and they
 * hold no ':' (a challenge is used verbatim as a hashcash resource).
 *
 *     v1 | expiry (8 hex: u32 unix seconds) | algorithm (2 hex: 01 sha1, 02 sha256)
 *        | bits (2 hex) | purpose (16 hex) | random (32 hex) | tag (32 hex)    = 94 characters
 *
 * The tag is HMAC-SHA-256 (challenge key), truncated to 16 bytes, over the 62 characters before it.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { maxBits, type StampAlgorithm } from '../schemes/hashcash.js';
import { deriveKey, purposeHex, TAG_HEX, tagHex, tagMatches } from './mac.js';
import { PowerplantError } from '../errors.js';

export const CHALLENGE_VERSION = 'v1';
/** Length of the signed body and of the whole challenge, in characters. */
const BODY_LENGTH = 2 + 8 + 2 + 2 + 16 + 32;
export const CHALLENGE_LENGTH = BODY_LENGTH + TAG_HEX;
const CHALLENGE_SHAPE = new RegExp(`^${CHALLENGE_VERSION}[0-9a-f]{${CHALLENGE_LENGTH - 2}}$`);

const ALGORITHM_CODES: Readonly<Record<StampAlgorithm, string>> = { sha1: '01', sha256: '02' };

export interface Challenge {
  /** The challenge as sent to clients (and used as the stamp's resource). */
  readonly text: string;
  /** Unix time in seconds after which it is refused. */
  readonly expires: number;
  readonly algorithm: StampAlgorithm;
  /** Leading zero bits the stamp's hash must have. */
  readonly bits: number;
  /** 32 hex characters of randomness: the challenge's id in the spent store. */
  readonly id: string;
}

export interface IssueOptions {
  readonly bits: number;
  readonly algorithm: StampAlgorithm;
  readonly ttlS: number;
  /** Current time in milliseconds. */
  readonly nowMs: number;
}

const hex = (value: number, digits: number): string => value.toString(16).padStart(digits, '0');

/** The fields anyone (a client, too) can read from a challenge, without checking its tag. */
export function readChallenge(text: string): Challenge {
  if (!CHALLENGE_SHAPE.test(text)) {
    throw new PowerplantError('PP_ERR_INVALID', `challenge must be '${CHALLENGE_VERSION}' and ${CHALLENGE_LENGTH - 2} lowercase hex characters`);
  }
  const code = text.slice(10, 12);
  const algorithm = code === ALGORITHM_CODES.sha1 ? 'sha1' : code === ALGORITHM_CODES.sha256 ? 'sha256' : null;
  if (algorithm === null) throw new PowerplantError('PP_ERR_INVALID', `challenge algorithm code '${code}' is unknown`);
  return {
    text,
    expires: parseInt(text.slice(2, 10), 16),
    algorithm,
    bits: parseInt(text.slice(12, 14), 16),
    id: text.slice(30, 62),
  };
}

/** Issues and opens the challenges of one gate (one secret, one purpose). */
export class ChallengeCodec {
  readonly #key: Buffer;
  readonly #purpose: string;

  constructor(secret: Uint8Array, purpose: string) {
    this.#key = deriveKey(secret, 'challenge');
    this.#purpose = purposeHex(purpose);
  }

  issue({ bits, algorithm, ttlS, nowMs }: IssueOptions): Challenge {
    if (!Number.isInteger(bits) || bits < 0 || bits > Math.min(255, maxBits(algorithm))) {
      throw new RangeError(`bits must be an integer in 0..${Math.min(255, maxBits(algorithm))}`);
    }
    const expires = Math.floor(nowMs / 1000) + ttlS;
    if (!Number.isInteger(ttlS) || ttlS < 1 || expires > 0xffffffff) throw new RangeError('ttlS must be a positive integer');
    const id = randomBytes(16).toString('hex');
    const body = `${CHALLENGE_VERSION}${hex(expires, 8)}${ALGORITHM_CODES[algorithm]}${hex(bits, 2)}${this.#purpose}${id}`;
    return { text: body + tagHex(this.#key, body), expires, algorithm, bits, id };
  }

  /** The challenge if its tag, purpose and expiry check out; a PowerplantError saying why not otherwise. */
  open(text: string, nowMs: number): Challenge {
    const challenge = readChallenge(text);
    if (!tagMatches(this.#key, text.slice(0, BODY_LENGTH), text.slice(BODY_LENGTH))) {
      throw new PowerplantError('PP_ERR_FORGED', 'challenge signature is invalid');
    }
    // Only a challenge signed by our secret gets this far, so these fields are ours.
    if (text.slice(14, 30) !== this.#purpose) throw new PowerplantError('PP_ERR_WRONG_PURPOSE', 'challenge is for another purpose');
    if (challenge.expires * 1000 <= nowMs) throw new PowerplantError('PP_ERR_EXPIRED', 'challenge expired');
    return challenge;
  }
}
