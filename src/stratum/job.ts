/**
 * Stratum v1 jobs as data: the `mining.notify` parameters, and the 80-byte header a miner builds
 * from them with its extranonces. Pure functions, shared by the coordinator (to check shares) and
 * the agent (to search). Byte orders follow reference section 4: prevhash arrives with each 4-byte
 * word swapped; version, nbits, ntime and nonce are big-endian hex of little-endian header fields.
 * @module
 */
import { InputError, hexBytes } from '../schemes/bits.js';
import { sha256d } from '../schemes/bitcoin.js';

/** One job, as `mining.notify` carries it (hex strings as on the wire). */
export interface StratumJob {
  readonly jobId: string;
  /** The previous block hash, in Stratum's word-swapped order (64 hex). */
  readonly prevhash: string;
  readonly coinb1: string;
  readonly coinb2: string;
  readonly merkleBranch: readonly string[];
  /** Big-endian hex of the header fields (8 hex each). */
  readonly version: string;
  readonly nbits: string;
  readonly ntime: string;
  /** True when older jobs are stale (a new block). */
  readonly cleanJobs: boolean;
}

/** The parts of a header a miner chooses: its extranonces, ntime and nonce (hex as on the wire). */
export interface ShareFields {
  readonly extranonce1: string;
  readonly extranonce2: string;
  readonly ntime: string;
  readonly nonce: string;
  /** The header's version when the miner rolls version bits (BIP 310); the job's otherwise. */
  readonly version?: string;
}

const MAX_HEX_BYTES = 100_000;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;
const MAX_BRANCH = 32;

/** Hex of any even length (bounded), for the coinbase parts. */
function anyHex(value: unknown, label: string): string {
  if (typeof value !== 'string' || value.length > 2 * MAX_HEX_BYTES || !HEX.test(value)) {
    throw new InputError(`${label} must be an even number of hex characters`);
  }
  return value.toLowerCase();
}

const word = (value: unknown, label: string): string => Buffer.from(hexBytes(value, 8, label)).toString('hex');

/** Swap the bytes of every 4-byte word (its own inverse): header order ↔ Stratum prevhash order. */
export function swapWords(bytes: Uint8Array): Uint8Array {
  if (bytes.length % 4 !== 0) throw new RangeError('length must be a multiple of 4');
  const swapped = new Uint8Array(bytes.length);
  for (let i = 0; i < bytes.length; i += 4) {
    swapped[i] = bytes[i + 3];
    swapped[i + 1] = bytes[i + 2];
    swapped[i + 2] = bytes[i + 1];
    swapped[i + 3] = bytes[i];
  }
  return swapped;
}

/** root = sha256d(coinbase), then root = sha256d(root || h) for each branch hash h. */
export function merkleRoot(coinbase: Uint8Array, branch: readonly Uint8Array[]): Uint8Array {
  let root: Uint8Array = sha256d(coinbase);
  for (const hash of branch) root = sha256d(Buffer.concat([root, hash]));
  return root;
}

/** A 32-bit header field: big-endian hex on the wire, little-endian in the header. */
const littleEndian = (hex: string): Buffer => Buffer.from(hex, 'hex').reverse();

/** The coinbase a share hashed: coinb1 || extranonce1 || extranonce2 || coinb2. */
export const coinbaseOf = (job: StratumJob, share: ShareFields): Buffer =>
  Buffer.from(job.coinb1 + share.extranonce1 + share.extranonce2 + job.coinb2, 'hex');

/** The 80-byte header a miner hashes for a job and its share fields. */
export function buildHeader(job: StratumJob, share: ShareFields): Uint8Array {
  const branch = job.merkleBranch.map((hash) => Buffer.from(hash, 'hex'));
  return Buffer.concat([
    littleEndian(share.version ?? job.version),
    swapWords(Buffer.from(job.prevhash, 'hex')),
    merkleRoot(coinbaseOf(job, share), branch),
    littleEndian(share.ntime),
    littleEndian(job.nbits),
    littleEndian(share.nonce),
  ]);
}

/** The `mining.notify` params of a job. */
export function notifyParams(job: StratumJob): (string | string[] | boolean)[] {
  return [job.jobId, job.prevhash, job.coinb1, job.coinb2, [...job.merkleBranch], job.version, job.nbits, job.ntime, job.cleanJobs];
}

/** Validate `mining.notify` params from a coordinator (the agent trusts nothing either). */
export function parseNotify(params: unknown): StratumJob {
  if (!Array.isArray(params) || params.length < 9) throw new InputError('mining.notify needs 9 params');
  const [jobId, prevhash, coinb1, coinb2, branch, version, nbits, ntime, cleanJobs] = params as unknown[];
  if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 64) throw new InputError('job_id must be a short string');
  if (!Array.isArray(branch) || branch.length > MAX_BRANCH) throw new InputError(`merkle_branch must be a list of at most ${MAX_BRANCH} hashes`);
  return {
    jobId,
    prevhash: Buffer.from(hexBytes(prevhash, 64, 'prevhash')).toString('hex'),
    coinb1: anyHex(coinb1, 'coinb1'),
    coinb2: anyHex(coinb2, 'coinb2'),
    merkleBranch: branch.map((hash: unknown, i) => Buffer.from(hexBytes(hash, 64, `merkle_branch[${i}]`)).toString('hex')),
    version: word(version, 'version'),
    nbits: word(nbits, 'nbits'),
    ntime: word(ntime, 'ntime'),
    cleanJobs: cleanJobs === true,
  };
}

/** A 32-bit value as the 8 big-endian hex digits Stratum uses. */
export const hex32 = (value: number): string => (value >>> 0).toString(16).padStart(8, '0');

/** Hex of `size` bytes holding `value` big-endian (an extranonce2 counter). */
export function counterHex(value: bigint, size: number): string {
  return value.toString(16).padStart(size * 2, '0').slice(-size * 2);
}
