/**
 * Bitmessage proof of work. trialValue = first 8 bytes (big-endian) of
 * SHA-512(SHA-512(nonce BE64 || initialHash)); a nonce passes when trialValue <= target.
 * initialHash is SHA-512 of the object payload without its nonce.
 * @module
 */
import { createHash } from 'node:crypto';
import { InputError, integer } from './bits.js';
import type { Scheme } from './scheme.js';
import type { BitmessageTask } from './search.js';

const U64_MAX = (1n << 64n) - 1n;

export interface BitmessageJob {
  /** 64 bytes. */
  readonly initialHash: Uint8Array;
  readonly target: bigint;
}

export interface BitmessageSolution {
  readonly nonce: bigint;
  readonly trialValue: bigint;
}

/** initialHash given as base64 (88 characters) or hex (128 characters). */
export function parseInitialHash(raw: unknown, label = 'initialHash'): Uint8Array {
  if (typeof raw !== 'string') throw new InputError(`${label} must be a string`);
  if (/^[0-9a-fA-F]{128}$/.test(raw)) return Uint8Array.from(Buffer.from(raw, 'hex'));
  if (/^[A-Za-z0-9+/]{86}==$/.test(raw)) return Uint8Array.from(Buffer.from(raw, 'base64'));
  throw new InputError(`${label} must be 64 bytes as base64 (88 characters) or hex (128 characters)`);
}

/** A target of at least `min` (a door's floor on difficulty). */
export function parseTarget(raw: unknown, min = 1n, label = 'target'): bigint {
  return integer(raw, min, U64_MAX, label);
}

export function parseNonce(raw: unknown, label = 'nonce'): bigint {
  return integer(raw, 0n, U64_MAX, label);
}

export function trialValue(initialHash: Uint8Array, nonce: bigint): bigint {
  const nonceBytes = Buffer.alloc(8);
  nonceBytes.writeBigUInt64BE(nonce);
  const inner = createHash('sha512').update(nonceBytes).update(initialHash).digest();
  return createHash('sha512').update(inner).digest().readBigUInt64BE(0);
}

export interface TargetParameters {
  /** Object payload length in bytes, without the 8-byte nonce. */
  readonly payloadLength: number;
  /** Time to live in seconds (floored at 300). */
  readonly ttl: number;
  readonly nonceTrialsPerByte?: number;
  readonly payloadLengthExtraBytes?: number;
}

/** target = 2^64 / (trials × (L + extra + TTL × (L + extra) / 2^16)), L = payload + 8. */
export function targetFor(params: TargetParameters): bigint {
  const trials = BigInt(params.nonceTrialsPerByte ?? 1000);
  const extra = BigInt(params.payloadLengthExtraBytes ?? 1000);
  const length = BigInt(params.payloadLength) + 8n + extra;
  const ttl = BigInt(Math.max(300, params.ttl));
  return (1n << 64n) / (trials * (length + (ttl * length) / (1n << 16n)));
}

export const bitmessage: Scheme<BitmessageJob, BitmessageSolution> = {
  name: 'bitmessage',
  key: (job) => `bitmessage:${Buffer.from(job.initialHash).toString('hex')}:${job.target}`,
  task: (job): BitmessageTask => ({ kernel: 'sha512d-bitmessage', initialHash: job.initialHash, target: job.target }),
  solution: (job, nonce) => ({ nonce, trialValue: trialValue(job.initialHash, nonce) }),
  verify(job, solution) {
    const actual = trialValue(job.initialHash, solution.nonce);
    if (actual !== solution.trialValue) {
      return { valid: false, reason: `trialValue of nonce ${solution.nonce} is ${actual}, not ${solution.trialValue}` };
    }
    if (actual > job.target) return { valid: false, reason: `trialValue ${actual} is above the target ${job.target}` };
    return { valid: true, solution };
  },
};
