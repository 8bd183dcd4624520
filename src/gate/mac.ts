/**
 * The HMAC-SHA-256 pieces challenges and tokens share: one key per use derived from the gate
 * secret (so a challenge can never pass as a token), tags truncated to 16 bytes written as
 * lowercase hex, compared in constant time.
 * @module
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Tag length in bytes (128 bits) and in hex characters. */
export const TAG_BYTES = 16;
export const TAG_HEX = TAG_BYTES * 2;

/** The key for one use of the secret, e.g. 'challenge' or 'token'. */
export function deriveKey(secret: Uint8Array, use: string): Buffer {
  return createHmac('sha256', secret).update(`powerplant gate ${use} key v1`).digest();
}

/** The truncated tag of `body` as lowercase hex. */
export function tagHex(key: Uint8Array, body: string): string {
  return createHmac('sha256', key).update(body, 'latin1').digest('hex').slice(0, TAG_HEX);
}

/** Whether `tag` (lowercase hex, TAG_HEX characters) is the tag of `body`, in constant time. */
export function tagMatches(key: Uint8Array, body: string, tag: string): boolean {
  const expected = createHmac('sha256', key).update(body, 'latin1').digest().subarray(0, TAG_BYTES);
  const given = Buffer.from(tag, 'hex');
  return given.length === TAG_BYTES && timingSafeEqual(expected, given);
}

/** 8 bytes naming a gate's purpose, as 16 hex characters: challenges and tokens carry it. */
export function purposeHex(purpose: string): string {
  return createHash('sha256').update(`powerplant gate purpose\0${purpose}`, 'utf8').digest('hex').slice(0, 16);
}
