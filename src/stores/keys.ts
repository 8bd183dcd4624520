/**
 * Every Redis key and channel the cluster uses, under one prefix (so several clusters can share a
 * Redis). docs/cluster.md lists what each holds, its type and its expiry.
 * @module
 */
import { createHash } from 'node:crypto';

export interface ClusterKeys {
  /** SET of the ids of jobs open for workers. */
  readonly openJobs: string;
  /** HASH per job: scheme, task, base, size, lease, owner, maxInvalid. */
  job(id: string): string;
  /** STRING per job: the server that owns it (SET NX PX: in-flight dedupe across servers). */
  owner(id: string): string;
  /** STRING per job: the next unclaimed offset of the job's block. */
  cursor(id: string): string;
  /** ZSET per job: leased ranges "start:end" scored by lease expiry (ms, Redis clock). */
  leases(id: string): string;
  /** HASH: invalid results per worker id. */
  readonly invalid: string;
  /** STRING per job family: a verified solution, JSON. */
  result(family: string): string;
  /** STRING per gate challenge: its spent mark. */
  spent(id: string): string;
  /** STRING per rate key and window: the window's request count. */
  rate(key: string, window: number): string;
  /** Channel: a job id, published when a job is offered (wakes idle workers). */
  readonly offers: string;
  /** Channel: a job id, published when a job is over (workers stop, followers look for the result). */
  readonly cancel: string;
  /** Channel per server: worker results for the jobs that server owns. */
  results(serverId: string): string;
}

export const DEFAULT_PREFIX = 'powerplant:';

export function clusterKeys(prefix = DEFAULT_PREFIX): ClusterKeys {
  return {
    openJobs: `${prefix}jobs`,
    job: (id) => `${prefix}job:${id}`,
    owner: (id) => `${prefix}owner:${id}`,
    cursor: (id) => `${prefix}cursor:${id}`,
    leases: (id) => `${prefix}leases:${id}`,
    invalid: `${prefix}invalid`,
    result: (family) => `${prefix}result:${family}`,
    spent: (id) => `${prefix}spent:${id}`,
    rate: (key, window) => `${prefix}rate:${window}:${key}`,
    offers: `${prefix}offers`,
    cancel: `${prefix}cancel`,
    results: (serverId) => `${prefix}results:${serverId}`,
  };
}

/** The cluster id of a job: a hash of the broker's job key, so every server names a job alike. */
export function clusterJobId(jobKey: string): string {
  return createHash('sha256').update(jobKey).digest('hex').slice(0, 32);
}
