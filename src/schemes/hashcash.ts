/**
 * Hashcash v1 stamps, `1:bits:date:resource:ext:rand:counter`: valid when SHA-1 of the whole stamp
 * has `bits` leading zero bits. The counter comes last, so the engine hashes a constant prefix and
 * a decimal counter (digits are valid base64 characters, so stock hashcash accepts our stamps).
 * The SHA-256 form (for browsers and the gate) is the same stamp format hashed with SHA-256.
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';
import { InputError, leadingZeroBits, smallInteger } from './bits.js';
import type { Scheme } from './scheme.js';
import type { TextTask } from './search.js';

export type StampAlgorithm = 'sha1' | 'sha256';

export interface HashcashJob {
  readonly resource: string;
  readonly bits: number;
  /** YYMMDD, YYMMDDhhmm or YYMMDDhhmmss (UTC). */
  readonly date: string;
  readonly ext: string;
  /** Random salt in the base64 alphabet. */
  readonly rand: string;
  readonly algorithm: StampAlgorithm;
}

export interface HashcashSolution {
  readonly stamp: string;
}

export interface Stamp {
  readonly bits: number;
  readonly date: string;
  readonly resource: string;
  readonly ext: string;
  readonly rand: string;
  readonly counter: string;
}

export const maxBits = (algorithm: StampAlgorithm): number => (algorithm === 'sha1' ? 160 : 256);

const BASE64_CHARS = /^[A-Za-z0-9+/=]+$/;
const DATE = /^\d{6}(\d{4}(\d{2})?)?$/;
/** Counter digits: enough for ~2^12 times the expected work, at most 19. */
const counterWidth = (bits: number): number => Math.min(19, Math.max(4, Math.ceil((bits + 12) * Math.log10(2))));

/** A resource may hold anything but the field separator and whitespace. */
export function parseResource(raw: unknown, label = 'resource'): string {
  if (typeof raw !== 'string' || raw.length === 0) throw new InputError(`${label} must be a non-empty string`);
  if (raw.length > 512) throw new InputError(`${label} must be at most 512 characters`);
  if (/[:\s]/.test(raw)) throw new InputError(`${label} must not contain ':' or whitespace`);
  return raw;
}

export function parseBits(raw: unknown, algorithm: StampAlgorithm = 'sha1', label = 'bits'): number {
  return smallInteger(raw, 0, maxBits(algorithm), label);
}

/** Today's date as hashcash writes it: YYMMDD in UTC. */
export function stampDate(now = new Date()): string {
  return now.toISOString().slice(2, 10).replace(/-/g, '');
}

/** 16 random base64 characters (96 bits), like hashcash's own salt. */
export const randomSalt = (): string => randomBytes(12).toString('base64');

export function newJob(resource: string, bits: number, algorithm: StampAlgorithm = 'sha1', now = new Date()): HashcashJob {
  return { resource: parseResource(resource), bits: parseBits(bits, algorithm), date: stampDate(now), ext: '', rand: randomSalt(), algorithm };
}

const stampPrefix = (job: HashcashJob): string => `1:${job.bits}:${job.date}:${job.resource}:${job.ext}:${job.rand}:`;

/** Split a v1 stamp into its fields, with a specific message for each way it can be malformed. */
export function parseStamp(raw: unknown): Stamp {
  if (typeof raw !== 'string') throw new InputError('stamp must be a string');
  if (raw.length > 1024) throw new InputError('stamp must be at most 1024 characters');
  const fields = raw.split(':');
  if (fields.length !== 7) throw new InputError(`stamp must have 7 ':'-separated fields, got ${fields.length}`);
  const [version, bits, date, resource, ext, rand, counter] = fields as [string, string, string, string, string, string, string];
  if (version !== '1') throw new InputError(`stamp version must be 1, got '${version}'`);
  if (!/^\d{1,3}$/.test(bits)) throw new InputError('stamp bits must be a decimal number');
  if (!DATE.test(date)) throw new InputError('stamp date must be YYMMDD, YYMMDDhhmm or YYMMDDhhmmss');
  if (resource.length === 0) throw new InputError('stamp resource is empty');
  if (!BASE64_CHARS.test(rand)) throw new InputError('stamp rand must be base64 characters');
  if (!BASE64_CHARS.test(counter)) throw new InputError('stamp counter must be base64 characters');
  return { bits: Number(bits), date, resource, ext, rand, counter };
}

/** Leading zero bits of the stamp's hash. */
export function stampValue(stamp: string, algorithm: StampAlgorithm = 'sha1'): number {
  return leadingZeroBits(createHash(algorithm).update(stamp, 'utf8').digest());
}

export interface StampCheck {
  /** Required resource (compared exactly). */
  readonly resource?: string;
  /** Required bits (the stamp must claim and reach at least this many). */
  readonly bits?: number;
  readonly algorithm?: StampAlgorithm;
}

/** Check a stamp on its own: its claimed bits are reached, and it meets the requirements given. */
export function checkStamp(stamp: string, check: StampCheck = {}): { valid: true; value: number; stamp: Stamp } | { valid: false; reason: string } {
  const fields = parseStamp(stamp);
  const value = stampValue(stamp, check.algorithm);
  // Stock hashcash lower-cases resources when minting and compares them without case.
  if (check.resource !== undefined && fields.resource.toLowerCase() !== check.resource.toLowerCase()) {
    return { valid: false, reason: `stamp is for resource '${fields.resource}', not '${check.resource}'` };
  }
  if (check.bits !== undefined && fields.bits < check.bits) {
    return { valid: false, reason: `stamp claims ${fields.bits} bits, ${check.bits} required` };
  }
  if (value < fields.bits) return { valid: false, reason: `stamp hash has ${value} leading zero bits, it claims ${fields.bits}` };
  return { valid: true, value, stamp: fields };
}

export const hashcash: Scheme<HashcashJob, HashcashSolution> = {
  name: 'hashcash',
  key: (job) => `hashcash:${job.algorithm}:${stampPrefix(job)}`,
  task: (job): TextTask => ({
    kernel: job.algorithm === 'sha1' ? 'sha1-text' : 'sha256-text',
    prefix: Buffer.from(stampPrefix(job), 'utf8'),
    suffix: new Uint8Array(0),
    width: counterWidth(job.bits),
    zeroBits: job.bits,
  }),
  solution: (job, nonce) => ({ stamp: stampPrefix(job) + nonce.toString().padStart(counterWidth(job.bits), '0') }),
  verify(job, solution) {
    if (!solution.stamp.startsWith(stampPrefix(job))) return { valid: false, reason: 'stamp is not for this job' };
    const verdict = checkStamp(solution.stamp, { resource: job.resource, bits: job.bits, algorithm: job.algorithm });
    return verdict.valid ? { valid: true, solution } : verdict;
  },
};
