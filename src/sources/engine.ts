/**
 * The local engine as a source of hash power: it claims large nonce ranges from a job and scans
 * them on the engine's threads until the job is solved, cancelled, or the space runs out.
 * @module
 */
import type { Logger } from 'pino';
import type { Source, SourceJob } from '../broker/types.js';
import { countGrowth, RangeExhaustedError, type Engine } from '../engine/engine.js';
import { silentLogger } from '../log.js';

/** 2^32 nonces: minutes of work for the fastest kernel, small enough to leave room for miners. */
export const ENGINE_RANGE = 1n << 32n;

export interface EngineSourceOptions {
  readonly name?: string;
  /** Nonces claimed per range. */
  readonly rangeSize?: bigint;
  readonly logger?: Logger;
}

export function createEngineSource(engine: Engine, options: EngineSourceOptions = {}): Source {
  const name = options.name ?? 'engine';
  const rangeSize = options.rangeSize ?? ENGINE_RANGE;
  const log = (options.logger ?? silentLogger).child({ component: 'engine-source' });

  async function work(job: SourceJob): Promise<void> {
    for (let range = job.claim(rangeSize); range !== null && !job.signal.aborted; range = job.claim(rangeSize)) {
      const countUpTo = countGrowth((attempts) => job.countAttempts(attempts, name));
      try {
        const found = await engine.search(job.task, {
          signal: job.signal,
          start: range.start,
          end: range.end,
          urgent: job.quick,
          onProgress: (progress) => countUpTo(progress.attempts),
        });
        countUpTo(found.attempts);
        if (job.reportNonce(found.nonce, name)) return;
        // A refused nonce is a kernel bug; the nonces after it in the range are still unsearched.
        job.finish({ start: range.start, end: found.nonce + 1n });
        job.release({ start: found.nonce + 1n, end: range.end });
      } catch (error) {
        if (error instanceof RangeExhaustedError) {
          countUpTo(error.attempts);
          job.finish(range);
          continue;
        }
        if (job.signal.aborted) return;
        job.release(range);
        log.error({ job: job.id, err: error }, 'engine search failed');
        job.abandon(name, error instanceof Error ? error.message : String(error));
        return;
      }
    }
  }

  return {
    name,
    accepts: () => true,
    run(job) {
      void work(job);
    },
  };
}
