/**
 * The job board in Redis: what an owning server posts for workers (the job's record, its range
 * cursor, an announcement), what workers send back (results on the owner's channel), and the
 * cancel every worker and waiting server hears when the job is over.
 * @module
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { SearchTask } from '../schemes/search.js';
import { decodeTask, encodeTask } from './codec.js';
import type { ClusterKeys } from '../stores/keys.js';

/** A job as workers see it. Nonces of the block run over [base, base + size). */
export interface JobRecord {
  readonly scheme: string;
  readonly task: SearchTask;
  readonly base: bigint;
  readonly size: bigint;
  /** How long a claimed range stays leased without renewal. */
  readonly leaseMs: number;
  /** The owning server: results go to its channel. */
  readonly owner: string;
  /** Invalid results past which a worker's results are ignored and it gets no more ranges. */
  readonly maxInvalid: number;
}

const digits = z.string().regex(/^\d{1,20}$/);
const RecordSchema = z.object({
  scheme: z.string().min(1),
  task: z.string(),
  base: digits.transform(BigInt),
  size: digits.transform(BigInt),
  lease: digits.transform(Number),
  owner: z.string().min(1),
  maxInvalid: digits.transform(Number),
});

/** What a worker sends its job's owner: a nonce (absolute), or word that the block is searched out. */
export type WorkerReport =
  | { readonly job: string; readonly worker: string; readonly nonce: string }
  | { readonly job: string; readonly worker: string; readonly exhausted: true };

const ReportSchema = z.union([
  z.strictObject({ job: z.string().max(64), worker: z.string().max(200), nonce: z.string().regex(/^\d{1,20}$/) }),
  z.strictObject({ job: z.string().max(64), worker: z.string().max(200), exhausted: z.literal(true) }),
]);

/** A worker report from its JSON text, or undefined when it is not one. */
export function parseReport(text: string): WorkerReport | undefined {
  try {
    const parsed = ReportSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export class JobBoard {
  constructor(
    private readonly redis: Redis,
    readonly keys: ClusterKeys,
  ) {}

  /** Offer a job: its record, a fresh cursor and lease set, and an announcement to idle workers. */
  async post(id: string, record: JobRecord, ttlMs: number): Promise<void> {
    const k = this.keys;
    await this.redis
      .multi()
      .del(k.job(id), k.cursor(id), k.leases(id))
      .hset(k.job(id), {
        scheme: record.scheme,
        task: encodeTask(record.task),
        base: record.base.toString(),
        size: record.size.toString(),
        lease: String(record.leaseMs),
        owner: record.owner,
        maxInvalid: String(record.maxInvalid),
      })
      .pexpire(k.job(id), ttlMs)
      .set(k.cursor(id), '0', 'PX', ttlMs)
      .sadd(k.openJobs, id)
      .publish(k.offers, id)
      .exec();
  }

  /** The owner is alive: keep its job's keys for another `ttlMs`. */
  async keepAlive(id: string, ttlMs: number): Promise<void> {
    const k = this.keys;
    await this.redis.multi().pexpire(k.job(id), ttlMs).pexpire(k.cursor(id), ttlMs).pexpire(k.leases(id), ttlMs).exec();
  }

  /** The job is over: remove it and tell everyone (workers abort their search of it). */
  async takeDown(id: string): Promise<void> {
    const k = this.keys;
    await this.redis.multi().del(k.job(id), k.cursor(id), k.leases(id)).srem(k.openJobs, id).publish(k.cancel, id).exec();
  }

  /** Ids of the jobs on offer; ids whose record expired (their owner died) are dropped. */
  async openJobs(): Promise<string[]> {
    return this.redis.smembers(this.keys.openJobs);
  }

  async forget(id: string): Promise<void> {
    await this.redis.srem(this.keys.openJobs, id);
  }

  /** A job's record; undefined when it is over or unreadable. */
  async read(id: string): Promise<JobRecord | undefined> {
    const raw = await this.redis.hgetall(this.keys.job(id));
    const parsed = RecordSchema.safeParse(raw);
    if (!parsed.success) return undefined;
    const { scheme, task, base, size, lease, owner, maxInvalid } = parsed.data;
    try {
      return { scheme, task: decodeTask(task), base, size, leaseMs: lease, owner, maxInvalid };
    } catch {
      return undefined;
    }
  }

  async report(owner: string, report: WorkerReport): Promise<void> {
    await this.redis.publish(this.keys.results(owner), JSON.stringify(report));
  }

  /** Count one invalid result against a worker; returns its total. */
  async countInvalid(worker: string): Promise<number> {
    return this.redis.hincrby(this.keys.invalid, worker, 1);
  }

  async invalidCount(worker: string): Promise<number> {
    return Number((await this.redis.hget(this.keys.invalid, worker)) ?? 0);
  }
}
