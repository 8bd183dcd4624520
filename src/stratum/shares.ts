/**
 * A `mining.submit` checked against its job: params, ntime window, rolled version bits (BIP 310,
 * within the negotiated mask), duplicates, then the header's hash against the block target and the
 * share target. A hash that meets the block target is a block even when it misses the share target.
 * @module
 */
import type { JsonValue } from '../net/json.js';
import { hashValue, shareTarget } from '../schemes/bitcoin.js';
import { StratumError } from './errors.js';
import { buildHeader, coinbaseOf, hex32, type StratumJob } from './job.js';
import type { WorkTemplate } from './work.js';

/** A job as the coordinator keeps it. */
export interface Job {
  readonly stratum: StratumJob;
  readonly template: WorkTemplate;
  /** extranonce1:extranonce2:ntime:nonce:version of the shares accepted on it. */
  readonly shares: Set<string>;
}

/** What the session knows that a submit is checked against. */
export interface Submitter {
  readonly extranonce1: string;
  readonly extranonce2Size: number;
  readonly workers: ReadonlySet<string>;
  /** Version bits the miner may roll (0: no version rolling negotiated). */
  readonly versionMask: number;
  /** Shares a job remembers for duplicate detection; a full job takes no more (they could not be told from resubmits). */
  readonly maxSharesPerJob: number;
  /** Seconds ntime may run ahead of the job's (Bitcoin allows two hours). */
  readonly maxNtimeDriftS: number;
  /** The job, and the difficulty it was sent to this miner with; undefined when stale or unknown. */
  jobFor(jobId: string): { readonly job: Job; readonly difficulty: number } | undefined;
}

export interface CheckedShare {
  readonly worker: string;
  readonly job: Job;
  readonly header: Uint8Array;
  readonly coinbase: Buffer;
  /** The header's hash as a little-endian number. */
  readonly value: bigint;
  /** The difficulty the share was mined at. */
  readonly difficulty: number;
  readonly isBlock: boolean;
  readonly key: string;
}

const HEX8 = /^[0-9a-fA-F]{8}$/;

const other = (message: string): StratumError => new StratumError('other', message);

/** The header version of a rolled share: the job's bits outside the mask, the miner's inside. */
function rolledVersion(jobVersion: string, versionBits: JsonValue, mask: number): string {
  if (typeof versionBits !== 'string' || !HEX8.test(versionBits)) throw other('version_bits must be 8 hex characters');
  if (mask === 0) throw other('version rolling was not negotiated (mining.configure)');
  const bits = parseInt(versionBits, 16);
  const base = parseInt(jobVersion, 16);
  // Miners send either the rolled bits alone or the whole version.
  const outside = (bits & ~mask) >>> 0;
  if (outside !== 0 && outside !== (base & ~mask) >>> 0) throw other('version_bits outside the negotiated mask');
  return hex32(((base & ~mask) | (bits & mask)) >>> 0);
}

/** Check a submit's params; throws StratumError with the code the miner gets. */
export function checkShare(submitter: Submitter, params: readonly JsonValue[]): CheckedShare {
  const [worker, jobId, extranonce2, ntime, nonce, versionBits] = params;
  if (typeof worker !== 'string' || !submitter.workers.has(worker)) throw new StratumError('unauthorized', 'unauthorized worker');
  if (typeof jobId !== 'string') throw other('job_id must be a string');
  const sent = submitter.jobFor(jobId);
  if (sent === undefined) throw new StratumError('jobNotFound', 'job not found (stale)');
  const { job, difficulty } = sent;
  if (job.shares.size >= submitter.maxSharesPerJob) throw new StratumError('jobNotFound', 'job not found (stale)');
  const size = submitter.extranonce2Size;
  if (typeof extranonce2 !== 'string' || extranonce2.length !== size * 2 || !/^[0-9a-fA-F]*$/.test(extranonce2)) {
    throw other(`extranonce2 must be ${size * 2} hex characters`);
  }
  if (typeof ntime !== 'string' || !HEX8.test(ntime)) throw other('ntime must be 8 hex characters');
  const time = parseInt(ntime, 16);
  const jobTime = parseInt(job.stratum.ntime, 16);
  if (time < jobTime || time > jobTime + submitter.maxNtimeDriftS) throw other('ntime out of range');
  if (typeof nonce !== 'string' || !HEX8.test(nonce)) throw other('nonce must be 8 hex characters');
  const version = versionBits === undefined ? undefined : rolledVersion(job.stratum.version, versionBits, submitter.versionMask);
  const share = {
    extranonce1: submitter.extranonce1,
    extranonce2: extranonce2.toLowerCase(),
    ntime: ntime.toLowerCase(),
    nonce: nonce.toLowerCase(),
    version,
  };
  const key = `${share.extranonce1}:${share.extranonce2}:${share.ntime}:${share.nonce}:${version ?? job.stratum.version}`;
  if (job.shares.has(key)) throw new StratumError('duplicate', 'duplicate share');
  const header = buildHeader(job.stratum, share);
  const value = hashValue(header);
  const isBlock = value <= job.template.target;
  if (!isBlock && value > shareTarget(difficulty)) throw new StratumError('lowDifficulty', 'low difficulty share');
  job.shares.add(key);
  return { worker, job, header, coinbase: coinbaseOf(job.stratum, share), value, difficulty, isBlock, key };
}
