/** A client's search of one nonce range, where a range with no passing nonce is an answer, not an error. */
import { RangeExhaustedError, type Engine, type SearchOptions } from '../engine/engine.js';
import type { SearchTask } from '../schemes/search.js';

export async function searchRange(engine: Engine, task: SearchTask, options: SearchOptions): Promise<{ readonly nonce: bigint | null; readonly attempts: number }> {
  try {
    return await engine.search(task, options);
  } catch (error) {
    if (!(error instanceof RangeExhaustedError)) throw error;
    return { nonce: null, attempts: error.attempts };
  }
}
