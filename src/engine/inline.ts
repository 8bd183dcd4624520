/**
 * Search on the calling thread, chunk by chunk, yielding to the event loop between chunks so that
 * cancellation and progress work. With the JS reference backend this is the reference search.
 * @module
 */
import { nonceSpace, type SearchTask } from '../schemes/search.js';
import type { Backend } from './backend.js';
import { kernelChoices } from './backends.js';
import { RangeExhaustedError, type Engine, type Found, type SearchOptions } from './engine.js';

const CHUNK = 4096;
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createInlineEngine(backend: Backend, chunk = CHUNK): Engine {
  return {
    backend: backend.name,
    threads: 1,
    kernels: kernelChoices(backend),
    async search(task: SearchTask, options: SearchOptions = {}): Promise<Found> {
      const { signal, onProgress } = options;
      const end = options.end ?? nonceSpace(task);
      const started = performance.now();
      let attempts = 0;
      for (let next = options.start ?? 0n; next < end; ) {
        signal?.throwIfAborted();
        const count = Number(end - next < BigInt(chunk) ? end - next : BigInt(chunk));
        const result = backend.scan(task, next, count);
        attempts += result.attempts;
        const elapsedMs = performance.now() - started;
        if (result.nonce !== null) return { nonce: result.nonce, attempts, elapsedMs };
        next += BigInt(count);
        onProgress?.({ attempts, elapsedMs, rate: elapsedMs > 0 ? (attempts * 1000) / elapsedMs : 0 });
        await yieldToLoop();
      }
      throw new RangeExhaustedError(attempts);
    },
    async close() {},
  };
}
