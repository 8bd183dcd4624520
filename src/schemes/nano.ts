/**
 * Nano and Banano work. value = BLAKE2b with an 8-byte digest over (nonce LE64 || root), read as
 * a little-endian uint64; work is valid when value >= threshold. On the wire `work` is the nonce
 * as 16 big-endian hex digits and `difficulty` the value as 16 hex digits (node RPC shapes);
 * inside, both stay bigints, and the value verification computed travels with the work.
 * @module
 */
import { blake2b } from '@noble/hashes/blake2.js';
import { InputError, hexBytes, toHex } from './bits.js';
import type { Scheme } from './scheme.js';
import type { NanoTask } from './search.js';

export const TWO_64 = 1n << 64n;
/** Nano send/change blocks, and the base of every multiplier. */
export const NANO_SEND = 0xfffffff800000000n;
/** Nano receive/open/epoch blocks. */
export const NANO_RECEIVE = 0xfffffe0000000000n;
/** Banano, every block. */
export const BANANO = 0xfffffe0000000000n;
/** The historical epoch-1 threshold (nanocurrency's validateWork default). */
export const EPOCH_1 = 0xffffffc000000000n;

export interface NanoJob {
  /** 32-byte root: previous block hash, or the account key for an open block. */
  readonly root: Uint8Array;
  readonly threshold: bigint;
}

/** Work offered for a job: the nonce. */
export interface NanoCandidate {
  readonly work: bigint;
}

/** Verified work, with its work value. */
export interface NanoSolution extends NanoCandidate {
  readonly value: bigint;
}

/** A work answer in the node's shapes. */
export interface WorkAnswer {
  readonly hash: string;
  readonly work: string;
  readonly difficulty: string;
  readonly multiplier: string;
}

export function parseRoot(raw: unknown, label = 'hash'): Uint8Array {
  return hexBytes(raw, 64, label);
}

/** A 16-hex-digit difficulty threshold (either case). */
export function parseDifficulty(raw: unknown, label = 'difficulty'): bigint {
  return BigInt('0x' + toHex(hexBytes(raw, 16, label)));
}

/** A 16-hex-digit work value as its uint64 nonce. */
export function parseWork(raw: unknown, label = 'work'): bigint {
  return BigInt('0x' + toHex(hexBytes(raw, 16, label)));
}

/** The threshold a multiplier means: 2^64 − (2^64 − base) / multiplier, as the node computes it. */
/** A decimal number as the node writes a multiplier: digits, an optional fraction and exponent. */
const DECIMAL = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function thresholdFromMultiplier(raw: unknown, base = NANO_SEND): bigint {
  // Number() alone would also read hex, binary, octal, Infinity and padded strings.
  const multiplier = typeof raw === 'string' && DECIMAL.test(raw) ? Number(raw) : raw;
  if (typeof multiplier !== 'number' || !Number.isFinite(multiplier) || multiplier <= 0) {
    throw new InputError('multiplier must be a positive decimal number');
  }
  const quotient = Number(TWO_64 - base) / multiplier;
  // A tiny multiplier overflows to Infinity, which BigInt refuses.
  if (!Number.isFinite(quotient)) throw new InputError('multiplier is too small');
  const span = BigInt(Math.floor(quotient));
  if (span < 1n) throw new InputError('multiplier is too large');
  if (span >= TWO_64) throw new InputError('multiplier is too small');
  return TWO_64 - span;
}

/** (2^64 − base) / (2^64 − difficulty), the node's multiplier of a difficulty. */
export function multiplierOf(difficulty: bigint, base = NANO_SEND): number {
  return Number(TWO_64 - base) / Number(TWO_64 - difficulty);
}

export const hex16 = (value: bigint): string => value.toString(16).padStart(16, '0');

/** The work value of a nonce for a root (independent of the kernels: @noble/hashes). */
export function workValue(root: Uint8Array, nonce: bigint): bigint {
  const message = new Uint8Array(40);
  new DataView(message.buffer).setBigUint64(0, nonce, true);
  message.set(root, 8);
  return new DataView(blake2b(message, { dkLen: 8 }).buffer).getBigUint64(0, true);
}

/** The node's answer shape for verified work. */
export function workAnswer(root: Uint8Array, solution: NanoSolution): WorkAnswer {
  return {
    hash: toHex(root).toUpperCase(),
    work: hex16(solution.work),
    difficulty: hex16(solution.value),
    multiplier: String(multiplierOf(solution.value)),
  };
}

export const nano: Scheme<NanoJob, NanoSolution, NanoCandidate> = {
  name: 'nano',
  key: (job) => `nano:${toHex(job.root)}:${hex16(job.threshold)}`,
  // Work for a root reaching one threshold reaches every lower one.
  family: (job) => `nano-root:${toHex(job.root)}`,
  task: (job): NanoTask => ({ kernel: 'blake2b-nano', root: job.root, threshold: job.threshold }),
  solution: (_job, nonce) => ({ work: nonce }),
  verify(job, { work }) {
    const value = workValue(job.root, work);
    if (value < job.threshold) {
      return { valid: false, reason: `work value ${hex16(value)} is below the threshold ${hex16(job.threshold)}` };
    }
    return { valid: true, solution: { work, value } };
  },
};
