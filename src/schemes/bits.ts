/**
 * Small shared helpers for the scheme modules: leading-zero-bit counting, hex and integer guards.
 * Each guard takes a label, throws a {@link InputError} with a specific message, and returns its
 * input parsed.
 * @module
 */

import { InputError } from '../errors.js';

export { InputError };

/** Number of leading zero bits of a byte string (0..8 × length). */
export function leadingZeroBits(bytes: Uint8Array): number {
  let bits = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

const HEX = /^[0-9a-fA-F]*$/;

/** Parse exactly `length` hex characters (either case) into bytes. */
export function hexBytes(value: unknown, length: number, label: string): Uint8Array {
  if (typeof value !== 'string') throw new InputError(`${label} must be a string of ${length} hex characters`);
  if (value.length !== length || !HEX.test(value)) {
    throw new InputError(`${label} must be ${length} hex characters`);
  }
  return Uint8Array.from(Buffer.from(value, 'hex'));
}

/** An integer in [min, max], given as a number or a decimal string (for values past 2^53). */
export function integer(value: unknown, min: bigint, max: bigint, label: string): bigint {
  let parsed: bigint;
  if (typeof value === 'number' && Number.isSafeInteger(value)) parsed = BigInt(value);
  else if (typeof value === 'bigint') parsed = value;
  else if (typeof value === 'string' && /^[0-9]{1,40}$/.test(value)) parsed = BigInt(value);
  else throw new InputError(`${label} must be an integer`);
  if (parsed < min || parsed > max) throw new InputError(`${label} must be between ${min} and ${max}`);
  return parsed;
}

/** A small integer in [min, max] as a JS number. */
export function smallInteger(value: unknown, min: number, max: number, label: string): number {
  return Number(integer(value, BigInt(min), BigInt(max), label));
}

/** `value` as `bytes` little-endian bytes (targets and thresholds as the kernels take them). */
export function littleEndianBytes(value: bigint, bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) out[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
