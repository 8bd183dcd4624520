/**
 * Nonce-range leases of a cluster job. A job's owner puts a block of its nonce space on offer;
 * workers (and the owner's own engine) claim disjoint ranges of it by offset. Each range is held
 * under a lease that its holder renews while it searches; a range whose lease ran out (its holder
 * died) is handed out again before fresh space. Every step is one Lua script, so claims are atomic
 * across any number of processes, and leases run on Redis's clock, not the callers'.
 * @module
 */
import type { Redis } from 'ioredis';
import type { ClusterKeys } from '../stores/keys.js';

/** Redis time in milliseconds, inside a script. */
const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

/**
 * KEYS: job, cursor, leases, invalid. ARGV: holder, wanted size.
 * Returns {kind, "start:end"}: kind is 'fresh' or 'reclaimed'; or {'none'} (all handed out),
 * {'gone'} (the job is over) or {'banned'} (the holder returned too many invalid results).
 */
const CLAIM = `${NOW}
if redis.call('EXISTS', KEYS[1]) == 0 then return {'gone'} end
local job = redis.call('HMGET', KEYS[1], 'size', 'lease', 'maxInvalid')
local bad = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0')
if bad >= tonumber(job[3]) then return {'banned'} end
local lease = tonumber(job[2])
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 1)
if #expired > 0 then
  redis.call('ZADD', KEYS[3], now + lease, expired[1])
  return {'reclaimed', expired[1]}
end
local size = tonumber(job[1])
local cursor = tonumber(redis.call('GET', KEYS[2]) or '0')
if cursor >= size then return {'none'} end
local stop = math.min(cursor + tonumber(ARGV[2]), size)
redis.call('SET', KEYS[2], string.format('%.0f', stop), 'KEEPTTL')
local member = string.format('%.0f:%.0f', cursor, stop)
redis.call('ZADD', KEYS[3], now + lease, member)
redis.call('PEXPIRE', KEYS[3], math.max(1, redis.call('PTTL', KEYS[1])))
return {'fresh', member}`;

/** KEYS: job, leases. ARGV: member. Extends a lease still on the books (not one already finished). */
const RENEW = `${NOW}
local lease = tonumber(redis.call('HGET', KEYS[1], 'lease') or '0')
if lease == 0 then return 0 end
return redis.call('ZADD', KEYS[2], 'XX', 'CH', now + lease, ARGV[1])`;

/** KEYS: job, cursor, leases. 1 when every range of the job's block was handed out and finished. */
const SEARCHED_OUT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local size = tonumber(redis.call('HGET', KEYS[1], 'size'))
local cursor = tonumber(redis.call('GET', KEYS[2]) or '0')
if cursor >= size and redis.call('ZCARD', KEYS[3]) == 0 then return 1 end
return 0`;

/** KEYS: job, cursor, leases. ARGV: member. Drops a searched range; 1 when it was the job's last. */
const FINISH = `redis.call('ZREM', KEYS[3], ARGV[1])
${SEARCHED_OUT}`;

/** A range of a job's block, as offsets from the block's start. */
export interface Lease {
  readonly jobId: string;
  readonly member: string;
  readonly start: bigint;
  readonly end: bigint;
  /** Handed out again after its previous holder's lease ran out. */
  readonly reclaimed: boolean;
}

export type ClaimResult = Lease | 'none' | 'gone' | 'banned';

export class LeaseBook {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
  ) {}

  async claim(jobId: string, holder: string, size: bigint): Promise<ClaimResult> {
    const k = this.keys;
    const reply = (await this.redis.eval(CLAIM, 4, k.job(jobId), k.cursor(jobId), k.leases(jobId), k.invalid, holder, size.toString())) as string[];
    const [kind, member] = reply;
    if (kind === 'none' || kind === 'gone' || kind === 'banned') return kind;
    const match = /^(\d+):(\d+)$/.exec(member ?? '');
    if ((kind !== 'fresh' && kind !== 'reclaimed') || match === null) throw new Error(`unexpected lease reply ${JSON.stringify(reply)}`);
    return { jobId, member: member!, start: BigInt(match[1]!), end: BigInt(match[2]!), reclaimed: kind === 'reclaimed' };
  }

  async renew(lease: Lease): Promise<void> {
    await this.redis.eval(RENEW, 2, this.keys.job(lease.jobId), this.keys.leases(lease.jobId), lease.member);
  }

  /** Hand a range back unsearched: its lease ends now, so the next claim takes it. */
  async release(lease: Lease): Promise<void> {
    await this.redis.zadd(this.keys.leases(lease.jobId), 'XX', 0, lease.member);
  }

  /** Record a range searched without success; true when it was the last of the job's block. */
  async finish(lease: Lease): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.eval(FINISH, 3, k.job(lease.jobId), k.cursor(lease.jobId), k.leases(lease.jobId), lease.member)) === 1;
  }

  /** Whether the job's whole block was searched without success (checked before believing a worker's word). */
  async searchedOut(jobId: string): Promise<boolean> {
    const k = this.keys;
    return (await this.redis.eval(SEARCHED_OUT, 3, k.job(jobId), k.cursor(jobId), k.leases(jobId))) === 1;
  }
}
