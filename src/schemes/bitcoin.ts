/**
 * Bitcoin block headers: 80 bytes (version, prev hash, merkle root, time, bits, nonce, all
 * little-endian), hash = sha256d, shown byte-reversed. A header passes when its hash, read as a
 * little-endian integer, is <= the target (from nBits, or a share target from a difficulty).
 * @module
 */
import { createHash } from 'node:crypto';
import { InputError, hexBytes } from './bits.js';
import type { Scheme } from './scheme.js';
import type { HeaderTask } from './search.js';

export const MAX_TARGET = (1n << 256n) - 1n;
/** The target of difficulty 1 (pool "diff1"). */
export const DIFF1_TARGET = 0x00000000ffff0000000000000000000000000000000000000000000000000000n;

export interface BitcoinJob {
  /** 80 bytes; the nonce field is overwritten by the search. */
  readonly header: Uint8Array;
  readonly target: bigint;
}

export interface BitcoinSolution {
  /** The 80-byte header with its nonce, as hex. */
  readonly header: string;
  /** The block hash in display (byte-reversed) order. */
  readonly hash: string;
  readonly nonce: number;
}

export function parseHeader(raw: unknown, label = 'header'): Uint8Array {
  return hexBytes(raw, 160, label);
}

/** A 256-bit target given as 64 hex digits (big-endian, as displayed). */
export function parseTarget(raw: unknown, label = 'target'): bigint {
  return BigInt('0x' + Buffer.from(hexBytes(raw, 64, label)).toString('hex'));
}

export const sha256d = (data: Uint8Array): Buffer =>
  createHash('sha256').update(createHash('sha256').update(data).digest()).digest();

/** The header's hash as a little-endian integer (the value compared with targets). */
export function hashValue(header: Uint8Array): bigint {
  return BigInt('0x' + sha256d(header).reverse().toString('hex'));
}

/** The block hash as displayed: byte-reversed hex. */
export function blockHash(header: Uint8Array): string {
  return sha256d(header).reverse().toString('hex');
}

/** The compact nBits field of a header (bytes 72..75, little-endian). */
export const headerBits = (header: Uint8Array): number => Buffer.from(header).readUInt32LE(72);

/** Expand compact nBits: mantissa × 256^(exponent − 3). */
export function targetFromBits(bits: number): bigint {
  if (!Number.isInteger(bits) || bits < 0 || bits > 0xffffffff) throw new InputError('nBits must be a 32-bit value');
  const exponent = bits >>> 24;
  const mantissa = BigInt(bits & 0x007fffff);
  if (bits & 0x00800000) throw new InputError('nBits has its sign bit set (negative target)');
  const target = exponent <= 3 ? mantissa >> BigInt(8 * (3 - exponent)) : mantissa << BigInt(8 * (exponent - 3));
  if (target > MAX_TARGET) throw new InputError('nBits encodes a target wider than 256 bits');
  if (target === 0n) throw new InputError('nBits encodes a zero target');
  return target;
}

/** Compress a target to nBits (rounding down, as Bitcoin does). */
export function bitsFromTarget(target: bigint): number {
  let size = (target.toString(16).length + 1) >> 1;
  let mantissa = size <= 3 ? target << BigInt(8 * (3 - size)) : target >> BigInt(8 * (size - 3));
  if (mantissa & 0x800000n) {
    mantissa >>= 8n;
    size += 1;
  }
  return ((size << 24) | Number(mantissa)) >>> 0;
}

/** Decimal places kept when turning a fractional share difficulty into an exact ratio. */
const DIFFICULTY_SCALE = 10n ** 12n;

/** Share target = floor(diff1 / difficulty), exact for difficulties with up to 12 decimals. */
export function shareTarget(difficulty: number): bigint {
  if (!Number.isFinite(difficulty) || difficulty <= 0) throw new InputError('share difficulty must be a positive number');
  const scaled = BigInt(Math.round(difficulty * Number(DIFFICULTY_SCALE)));
  if (scaled === 0n) throw new InputError('share difficulty is too small');
  const target = (DIFF1_TARGET * DIFFICULTY_SCALE) / scaled;
  return target > MAX_TARGET ? MAX_TARGET : target;
}

/** The share difficulty a hash value reaches: diff1 / value. */
export function difficultyOf(value: bigint): number {
  return Number(DIFF1_TARGET) / Number(value === 0n ? 1n : value);
}

export function withNonce(header: Uint8Array, nonce: number): Uint8Array {
  const copy = Uint8Array.from(header);
  new DataView(copy.buffer).setUint32(76, nonce, true);
  return copy;
}

export const bitcoin: Scheme<BitcoinJob, BitcoinSolution> = {
  name: 'bitcoin',
  key: (job) => `bitcoin:${Buffer.from(job.header.subarray(0, 76)).toString('hex')}:${job.target.toString(16)}`,
  task: (job): HeaderTask => ({ kernel: 'sha256d-header', header: job.header, target: job.target }),
  solution(job, nonce) {
    const header = withNonce(job.header, Number(nonce));
    return { header: Buffer.from(header).toString('hex'), hash: blockHash(header), nonce: Number(nonce) };
  },
  verify(job, solution) {
    const header = parseHeader(solution.header);
    if (!Buffer.from(header.subarray(0, 76)).equals(Buffer.from(job.header.subarray(0, 76)))) {
      return { valid: false, reason: 'header differs from the job (only the nonce may change)' };
    }
    if (solution.hash !== blockHash(header) || solution.nonce !== Buffer.from(header).readUInt32LE(76)) {
      return { valid: false, reason: "hash or nonce does not match the header's" };
    }
    const value = hashValue(header);
    if (value > job.target) return { valid: false, reason: `block hash ${blockHash(header)} is above the target` };
    return { valid: true, solution };
  },
};
