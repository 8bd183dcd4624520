/**
 * Expected attempts of a search: how many nonces, on average, a search tries before one passes.
 * Progress reports, estimates of time left and the dashboard's effective hash rates use it.
 * @module
 */
import type { SearchTask } from './search.js';

const TWO_64 = 2 ** 64;

/** 1 / (probability that one attempt passes), as a float (it may pass 2^53). */
export function expectedAttempts(task: SearchTask): number {
  switch (task.kernel) {
    case 'sha256-text':
    case 'sha1-text':
      return 2 ** task.zeroBits;
    case 'sha256d-header':
      // The hash is a 256-bit value; it passes when it is <= target.
      return 2 ** 256 / (Number(task.target) + 1);
    case 'sha512d-bitmessage':
      return TWO_64 / (Number(task.target) + 1);
    case 'blake2b-nano':
      // Passes when value >= threshold: 2^64 - threshold values of 2^64 do.
      return TWO_64 / Number((1n << 64n) - task.threshold);
  }
}
