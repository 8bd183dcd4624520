/**
 * An engine for cluster tests whose searches wait (until aborted) while `held`, and run on the
 * in-thread JS reference otherwise; it counts the searches it was asked for. With the servers'
 * engines held, what solves a job is known.
 * @module
 */
import type { Engine, Found, SearchOptions } from '../../src/engine/engine.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import type { SearchTask } from '../../src/schemes/search.js';

export class HeldEngine implements Engine {
  readonly backend = 'js';
  readonly threads = 1;
  searches = 0;
  readonly #inline = createInlineEngine(referenceBackend);

  constructor(public held = true) {}

  search(task: SearchTask, options: SearchOptions = {}): Promise<Found> {
    this.searches += 1;
    if (!this.held) return this.#inline.search(task, options);
    return new Promise<Found>((_resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted === true) reject(signal.reason);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }

  async close(): Promise<void> {}
}
