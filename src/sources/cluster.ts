/**
 * The cluster as a source of hash power. For each job the broker offers:
 *
 *   shared result cache has a solution? → report it (the broker verifies it)
 *   first server to claim the job id (SET NX)? → owner: post the job for workers, search leased
 *       ranges on the local engine too, verify worker results through the broker, take the job
 *       down (cancel) when it is over
 *   else → follower: the local engine stays idle (the job is searched once, cluster-wide); wait for
 *       the owner's cancel, then take the cached result, or take the job over if the owner left
 *       without one
 *   Redis down (at the start or at any point) → the local engine searches the job here
 *
 * @module
 */
import type { Logger } from 'pino';
import type { NonceRange, Source, SourceJob } from '../broker/types.js';
import { parseReport, type JobRecord, type WorkerReport } from '../cluster/board.js';
import type { Cluster } from '../cluster/cluster.js';
import { decodeValue, encodeValue } from '../cluster/codec.js';
import { clusterJobId } from '../stores/keys.js';
import { searchLeases } from '../cluster/search.js';
import type { Engine } from '../engine/engine.js';
import { pause } from '../pause.js';
import type { SchemeName } from '../schemes/scheme.js';
import { nonceSpace } from '../schemes/search.js';

/** The largest block a job offers the cluster: offsets stay exact in Redis's Lua numbers (doubles). */
export const MAX_CLUSTER_BLOCK = 1n << 52n;

type Mode = 'starting' | 'owner' | 'follower' | 'local' | 'done';

interface Tracked {
  readonly job: SourceJob;
  readonly id: string;
  readonly family: string;
  mode: Mode;
  /** Stops this server's cluster-side work on the job (its lease search, timers). */
  stop: AbortController;
  block?: NonceRange;
  solution?: { readonly value: unknown };
  timer?: NodeJS.Timeout;
  checking?: boolean;
}

export interface ClusterSourceOptions {
  readonly cluster: Cluster;
  /** The local engine's source: searches a job here when the cluster cannot. */
  readonly local: Source;
  /** The local engine, which also searches the leased ranges of the jobs this server owns. */
  readonly engine: Engine;
}

export function createClusterSource(options: ClusterSourceOptions): Source {
  const { cluster, local, engine } = options;
  const { link, board, leases, claims, results, settings, serverId } = cluster;
  const log: Logger = cluster.logger.child({ component: 'cluster-source' });
  const owned = new Map<string, Tracked>();
  const following = new Map<string, Tracked>();

  /** Remember a solution this server saw accepted, for the shared cache. */
  const accepted = (t: Tracked, ok: boolean, value: () => unknown): boolean => {
    if (ok) t.solution = { value: value() };
    return ok;
  };

  function stopClusterWork(t: Tracked): void {
    t.stop.abort();
    t.stop = new AbortController();
    clearInterval(t.timer);
    t.timer = undefined;
    if (owned.get(t.id) === t) owned.delete(t.id);
    if (following.get(t.id) === t) following.delete(t.id);
  }

  /** Search the job on this server alone: Redis is down, or the cluster part failed. */
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
    const encoded = await results.load(t.family);
    if (encoded === undefined) return false;
    const value = decodeValue(encoded);
    return accepted(t, t.job.reportSolution(value, 'cluster-cache'), () => value);
  }

  async function begin(t: Tracked): Promise<void> {
    if (!link.up) return goLocal(t, 'redis is down');
    try {
      if (await fromCache(t)) return;
      if (t.mode !== 'starting' || t.job.signal.aborted) return;
      if (await claims.claim(t.id, serverId, settings.leaseMs)) await own(t);
      else follow(t);
    } catch (error) {
      goLocal(t, error);
    }
  }

  async function own(t: Tracked): Promise<void> {
    // The previous owner saves its result before it lets go: look once more before searching again.
    if (t.mode !== 'starting' || t.job.signal.aborted || (await fromCache(t))) return claims.release(t.id, serverId);
    const space = nonceSpace(t.job.task);
    const block = t.job.claim(space < MAX_CLUSTER_BLOCK ? space : MAX_CLUSTER_BLOCK);
    if (block === null) return claims.release(t.id, serverId);
    t.block = block;
    t.mode = 'owner';
    owned.set(t.id, t);
    const record: JobRecord = {
      scheme: t.job.scheme.name,
      task: t.job.task,
      base: block.start,
      size: block.end - block.start,
      leaseMs: settings.leaseMs,
      owner: serverId,
      maxInvalid: settings.maxInvalid,
    };
    await board.post(t.id, record, settings.leaseMs);
    // Every client left while the job was being posted: end() has run already.
    if (t.mode !== 'owner') return board.takeDown(t.id);
    log.debug({ job: t.job.id, cluster: t.id }, 'job offered to the cluster');
    t.timer = setInterval(() => void keepAlive(t), Math.max(10, settings.leaseMs / 3));
    void searchOwn(t, record);
  }

  async function keepAlive(t: Tracked): Promise<void> {
    try {
      const still = await claims.renew(t.id, serverId, settings.leaseMs);
      await board.keepAlive(t.id, settings.leaseMs);
      if (!still && t.mode === 'owner') goLocal(t, 'ownership of the job expired');
    } catch (error) {
      goLocal(t, error);
    }
  }

  /** This server's engine takes leased ranges like any worker, until the job is over. */
  async function searchOwn(t: Tracked, record: JobRecord): Promise<void> {
    const signal = t.stop.signal;
    try {
      while (t.mode === 'owner' && !signal.aborted) {
        const end = await searchLeases({
          leases,
          engine,
          jobId: t.id,
          record,
          holder: `server:${serverId}`,
          rangeSize: settings.rangeSize,
          signal,
          releaseOnStop: () => false,
          onFound: async (nonce) => accepted(t, t.job.reportNonce(nonce, 'engine'), () => t.job.scheme.solution(t.job.input, nonce)),
          onExhausted: async () => exhausted(t),
        });
        if (end !== 'none') return;
        // Every range is handed out: wait, then take over any whose holder's lease ran out.
        await pause(settings.leaseMs / 2, signal);
      }
    } catch (error) {
      if (t.mode === 'owner' && !signal.aborted) goLocal(t, error);
    }
  }

  function exhausted(t: Tracked): void {
    if (t.mode === 'owner' && t.block !== undefined) t.job.finish(t.block);
  }

  async function onReport(report: WorkerReport): Promise<void> {
    const t = owned.get(report.job);
    if (t === undefined || t.mode !== 'owner' || t.block === undefined) return;
    const block = t.block;
    try {
      if ((await board.invalidCount(report.worker)) >= settings.maxInvalid) {
        log.warn({ worker: report.worker }, 'result ignored: this worker sent too many invalid results');
        return;
      }
      if ('exhausted' in report) {
        if (await leases.searchedOut(t.id)) exhausted(t);
        return;
      }
      const nonce = BigInt(report.nonce);
      const inBlock = nonce >= block.start && nonce < block.end;
      const ok = inBlock && accepted(t, t.job.reportNonce(nonce, `worker:${report.worker}`), () => t.job.scheme.solution(t.job.input, nonce));
      if (!ok && t.mode === 'owner' && !t.job.signal.aborted) {
        const count = await board.countInvalid(report.worker);
        log.warn({ worker: report.worker, invalid: count, inBlock }, 'invalid result from a worker');
      }
    } catch (error) {
      log.warn({ err: error, worker: report.worker }, 'could not handle a worker result');
    }
  }

  function follow(t: Tracked): void {
    if (t.mode !== 'starting' || t.job.signal.aborted) return;
    t.mode = 'follower';
    following.set(t.id, t);
    log.debug({ job: t.job.id, cluster: t.id }, 'job owned by another server; waiting for its result');
    t.timer = setInterval(() => void recheck(t), settings.leaseMs);
    // The owner may have finished between our claim and now.
    void recheck(t);
  }

  /** A follower looks for the result; if the owner is gone without one, it tries to own the job. */
  async function recheck(t: Tracked): Promise<void> {
    if (t.mode !== 'follower' || t.checking === true) return;
    t.checking = true;
    try {
      if (await fromCache(t)) return;
      if (t.mode === 'follower' && !(await claims.owned(t.id))) {
        stopClusterWork(t);
        t.mode = 'starting';
        await begin(t);
      }
    } catch (error) {
      goLocal(t, error);
    } finally {
      t.checking = false;
    }
  }

  /** The job is over here (solved, cancelled, timed out): share the result and take the job down. */
  async function end(t: Tracked): Promise<void> {
    const wasOwner = t.mode === 'owner';
    stopClusterWork(t);
    t.mode = 'done';
    if (!wasOwner || !link.up) return;
    try {
      if (t.solution !== undefined) await results.save(t.family, encodeValue(t.solution.value), settings.resultTtlMs);
      // Release before the cancel, so a follower that finds no result can take the job at once.
      await claims.release(t.id, serverId);
      await board.takeDown(t.id);
    } catch (error) {
      log.warn({ err: error, cluster: t.id }, 'could not take the job down; its keys expire by themselves');
    }
  }

  void link.listen(cluster.keys.results(serverId), (text) => {
    const report = parseReport(text);
    if (report !== undefined) void onReport(report);
  });
  void link.listen(cluster.keys.cancel, (id) => {
    const t = following.get(id);
    if (t !== undefined) void recheck(t);
  });
  link.on('down', () => {
    for (const t of [...owned.values(), ...following.values()]) goLocal(t, 'redis is down');
  });

  return {
    name: 'cluster',
    accepts: (scheme: SchemeName) => local.accepts(scheme),
    run(job: SourceJob) {
      const t: Tracked = { job, id: clusterJobId(job.key), family: job.family, mode: 'starting', stop: new AbortController() };
      // The job aborts inside the report that solved it; end() runs once `accepted` has noted the solution.
      job.signal.addEventListener('abort', () => queueMicrotask(() => void end(t)), { once: true });
      void begin(t);
    },
  };
}
