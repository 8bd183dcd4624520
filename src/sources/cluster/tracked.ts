/**
 * What the cluster source keeps of each job the broker offered it, and what its owner and
 * follower modes share of the source.
 * @module
 */
import type { Logger } from 'pino';
import type { NonceRange, SourceJob } from '../../broker/types.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { Engine } from '../../engine/engine.js';

/** starting: not placed yet; owner / follower: in the cluster; local: on this server alone; done: over. */
export type Mode = 'starting' | 'owner' | 'follower' | 'local' | 'done';

export interface Tracked {
  readonly job: SourceJob;
  /** The job's cluster id (a hash of the broker's job key). */
  readonly id: string;
  mode: Mode;
  /** Stops this server's cluster-side work on the job (its lease search, timers). */
  stop: AbortController;
  block?: NonceRange;
  solution?: { readonly value: unknown };
  timer?: NodeJS.Timeout;
  checking?: boolean;
}

/** What the modes use of the source. */
export interface ClusterSide {
  readonly cluster: Cluster;
  readonly engine: Engine;
  readonly log: Logger;
  readonly owned: Map<string, Tracked>;
  readonly following: Map<string, Tracked>;
  /** Place a job in the cluster: take the cached result, own it, or follow its owner. */
  begin(t: Tracked): Promise<void>;
  /** Search the job on this server alone: Redis is down, or the cluster part failed. */
  goLocal(t: Tracked, reason: unknown): void;
  /** Report the shared cache's solution for the job, if it has one; true when it was accepted. */
  fromCache(t: Tracked): Promise<boolean>;
  /** Stop the job's cluster-side work and forget it as owned or followed. */
  stopClusterWork(t: Tracked): void;
}

/** Report a candidate; remember a solution this server saw accepted, for the shared cache. */
export function reportFound(t: Tracked, nonce: bigint, source: string): boolean {
  const ok = t.job.reportNonce(nonce, source);
  if (ok) t.solution = { value: t.job.scheme.solution(t.job.input, nonce) };
  return ok;
}
