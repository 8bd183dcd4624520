/**
 * A job this server owns in the cluster: it posts the job's block for workers, keeps its claim
 * alive, searches leased ranges on its own engine too, and verifies worker results through the
 * broker.
 * @module
 */
import type { JobRecord, WorkerReport } from '../../cluster/board.js';
import { searchLeases } from '../../cluster/search.js';
import { pause } from '../../pause.js';
import { nonceSpace } from '../../schemes/search.js';
import { reportFound, type ClusterSide, type Tracked } from './tracked.js';

/** The largest block a job offers the cluster: offsets stay exact in Redis's Lua numbers (doubles). */
export const MAX_CLUSTER_BLOCK = 1n << 52n;

export function ownerMode(side: ClusterSide): { own(t: Tracked): Promise<void>; onReport(report: WorkerReport): Promise<void> } {
  const { cluster, engine, log, owned } = side;
  const { board, leases, claims, settings, serverId } = cluster;

  async function own(t: Tracked): Promise<void> {
    // The previous owner saves its result before it lets go: look once more before searching again.
    if (t.mode !== 'starting' || t.job.signal.aborted || (await side.fromCache(t))) return claims.release(t.id, serverId);
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
      if (!still && t.mode === 'owner') side.goLocal(t, 'ownership of the job expired');
    } catch (error) {
      side.goLocal(t, error);
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
          onAttempts: (attempts) => t.job.countAttempts(attempts, 'engine'),
          onFound: async (nonce) => reportFound(t, nonce, 'engine'),
          onExhausted: async () => exhausted(t),
        });
        if (end !== 'none') return;
        // Every range is handed out: wait, then take over any whose holder's lease ran out.
        await pause(settings.leaseMs / 2, signal);
      }
    } catch (error) {
      if (t.mode === 'owner' && !signal.aborted) side.goLocal(t, error);
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
      const ok = inBlock && reportFound(t, nonce, `worker:${report.worker}`);
      if (!ok && t.mode === 'owner' && !t.job.signal.aborted) {
        const count = await board.countInvalid(report.worker);
        log.warn({ worker: report.worker, invalid: count, inBlock }, 'invalid result from a worker');
      }
    } catch (error) {
      log.warn({ err: error, worker: report.worker }, 'could not handle a worker result');
    }
  }

  return { own, onReport };
}
