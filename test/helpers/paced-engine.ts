/**
 * An in-thread engine on the JS reference that takes a pause after each chunk, so a search lasts
 * long enough for progress reports and live views to be seen, with a known nonce at its end.
 * @module
 */
import { RangeExhaustedError, type Engine, type Found, type SearchOptions } from '../../src/engine/engine.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { nonceSpace, type SearchTask } from '../../src/schemes/search.js';

export class PacedEngine implements Engine {
  readonly backend = 'js';
  readonly threads = 1;
  #total = 0;
  readonly #started = performance.now();

  constructor(
    private readonly chunk: number,
    private readonly pauseMs: number,
  ) {}

  async search(task: SearchTask, options: SearchOptions = {}): Promise<Found> {
    const started = performance.now();
    const end = options.end ?? nonceSpace(task);
    let attempts = 0;
    for (let next = options.start ?? 0n; next < end; next += BigInt(this.chunk)) {
      options.signal?.throwIfAborted();
      const result = referenceBackend.scan(task, next, Number(end - next < BigInt(this.chunk) ? end - next : BigInt(this.chunk)));
      attempts += result.attempts;
      this.#total += result.attempts;
      const elapsedMs = performance.now() - started;
      if (result.nonce !== null) return { nonce: result.nonce, attempts, elapsedMs };
      options.onProgress?.({ attempts, elapsedMs, rate: (attempts * 1000) / Math.max(elapsedMs, 1) });
      await new Promise((resolve) => setTimeout(resolve, this.pauseMs));
    }
    throw new RangeExhaustedError(attempts);
  }

  /** Figures like the pool's, so the server's hash-rate gauges have something to show. */
  stats() {
    const seconds = (performance.now() - this.#started) / 1000;
    const [totalAttempts, rate] = [this.#total, this.#total / Math.max(seconds, 1e-3)];
    return { threads: 1, activeJobs: 0, queuedJobs: 0, totalAttempts, rate, rejectedCandidates: 0, workerRestarts: 0, lanes: [{ lane: 'cpu', threads: 1, totalAttempts, rate }] };
  }

  async close(): Promise<void> {}
}
