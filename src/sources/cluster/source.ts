/**
 * The cluster as a source of hash power. For each job the broker offers:
 *
 *   shared result cache has a solution? → report it (the broker verifies it)
 *   first server to claim the job id (SET NX)? → owner (owner.ts): post the job for workers, search
 *       leased ranges on the local engine too, verify worker results through the broker, take the
 *       job down (cancel) when it is over
 *   else → follower (follower.ts): wait for the owner's cancel, then take the cached result, or
 *       take the job over if the owner left without one
 *   Redis down (at the start or at any point) → the local engine searches the job here
 *
 * @module
 */
import type { Source, SourceJob } from '../../broker/types.js';
import { parseReport } from '../../cluster/board.js';
import type { Cluster } from '../../cluster/cluster.js';
import { decodeValue, encodeValue } from '../../cluster/codec.js';
import type { Engine } from '../../engine/engine.js';
import type { SchemeName } from '../../schemes/scheme.js';
import { clusterJobId } from '../../stores/keys.js';
import { followerMode } from './follower.js';
import { ownerMode } from './owner.js';
import type { ClusterSide, Tracked } from './tracked.js';

export interface ClusterSourceOptions {
  readonly cluster: Cluster;
  /** The local engine's source: searches a job here when the cluster cannot. */
  readonly local: Source;
  /** The local engine, which also searches the leased ranges of the jobs this server owns. */
  readonly engine: Engine;
}

export function createClusterSource(options: ClusterSourceOptions): Source {
  const { cluster, local, engine } = options;
  const { link, claims, results, settings, serverId } = cluster;
  const side: ClusterSide = {
    cluster,
    engine,
    log: cluster.logger.child({ component: 'cluster-source' }),
    owned: new Map(),
    following: new Map(),
    begin,
    goLocal,
    fromCache,
    stopClusterWork,
  };
  const { log, owned, following } = side;
  const owner = ownerMode(side);
  const follower = followerMode(side);

  function stopClusterWork(t: Tracked): void {
    t.stop.abort();
    t.stop = new AbortController();
    clearInterval(t.timer);
    t.timer = undefined;
    if (owned.get(t.id) === t) owned.delete(t.id);
    if (following.get(t.id) === t) following.delete(t.id);
  }

  function goLocal(t: Tracked, reason: unknown): void {
    if (t.mode === 'local' || t.mode === 'done' || t.job.signal.aborted) return;
    // A job that never reached the cluster is routine while Redis is down; one that leaves it is news.
    log[t.mode === 'starting' ? 'debug' : 'warn']({ job: t.job.id, reason: reason instanceof Error ? reason.message : reason }, 'job continues on the local engine');
    stopClusterWork(t);
    t.mode = 'local';
    if (t.block !== undefined) t.job.release(t.block);
    t.block = undefined;
    local.run(t.job);
  }

  async function fromCache(t: Tracked): Promise<boolean> {
    const encoded = await results.load(t.job.family);
    if (encoded === undefined) return false;
    const value = decodeValue(encoded);
    const ok = t.job.reportSolution(value, 'cluster-cache');
    if (ok) t.solution = { value };
    return ok;
  }

  async function begin(t: Tracked): Promise<void> {
    if (!link.up) return goLocal(t, 'redis is down');
    try {
      if (await fromCache(t)) return;
      if (t.mode !== 'starting' || t.job.signal.aborted) return;
      if (await claims.claim(t.id, serverId, settings.leaseMs)) await owner.own(t);
      else follower.follow(t);
    } catch (error) {
      goLocal(t, error);
    }
  }

  /** The job is over here (solved, cancelled, timed out): share the result and take the job down. */
  async function end(t: Tracked): Promise<void> {
    const wasOwner = t.mode === 'owner';
    stopClusterWork(t);
    t.mode = 'done';
    if (!wasOwner || !link.up) return;
    try {
      if (t.solution !== undefined) await results.save(t.job.family, encodeValue(t.solution.value), settings.resultTtlMs);
      // Release before the cancel, so a follower that finds no result can take the job at once.
      await claims.release(t.id, serverId);
      await cluster.board.takeDown(t.id);
    } catch (error) {
      log.warn({ err: error, cluster: t.id }, 'could not take the job down; its keys expire by themselves');
    }
  }

  void link.listen(cluster.keys.results(serverId), (text) => {
    const report = parseReport(text);
    if (report !== undefined) void owner.onReport(report);
  });
  void link.listen(cluster.keys.cancel, (id) => {
    const t = following.get(id);
    if (t !== undefined) void follower.recheck(t);
  });
  link.on('down', () => {
    for (const t of [...owned.values(), ...following.values()]) goLocal(t, 'redis is down');
  });

  return {
    name: 'cluster',
    accepts: (scheme: SchemeName) => local.accepts(scheme),
    run(job: SourceJob) {
      const t: Tracked = { job, id: clusterJobId(job.key), mode: 'starting', stop: new AbortController() };
      // The job aborts inside the report that solved it; end() runs once the solution is noted.
      job.signal.addEventListener('abort', () => queueMicrotask(() => void end(t)), { once: true });
      void begin(t);
    },
  };
}
