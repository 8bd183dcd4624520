/**
 * A job another server owns: the local engine stays idle (the job is searched once, cluster-wide)
 * while this server waits for the owner's cancel, then takes the cached result, or takes the job
 * over when the owner left without one.
 * @module
 */
import type { ClusterSide, Tracked } from './tracked.js';

export function followerMode(side: ClusterSide): { follow(t: Tracked): void; recheck(t: Tracked): Promise<void> } {
  const { cluster, log, following } = side;

  function follow(t: Tracked): void {
    if (t.mode !== 'starting' || t.job.signal.aborted) return;
    t.mode = 'follower';
    following.set(t.id, t);
    log.debug({ job: t.job.id, cluster: t.id }, 'job owned by another server; waiting for its result');
    t.timer = setInterval(() => void recheck(t), cluster.settings.leaseMs);
    // The owner may have finished between our claim and now.
    void recheck(t);
  }

  /** Look for the result; if the owner is gone without one, try to own the job. */
  async function recheck(t: Tracked): Promise<void> {
    if (t.mode !== 'follower' || t.checking === true) return;
    t.checking = true;
    try {
      if (await side.fromCache(t)) return;
      if (t.mode === 'follower' && !(await cluster.claims.owned(t.id))) {
        side.stopClusterWork(t);
        t.mode = 'starting';
        await side.begin(t);
      }
    } catch (error) {
      side.goLocal(t, error);
    } finally {
      t.checking = false;
    }
  }

  return { follow, recheck };
}
