/** Small shared helpers for the kernel tests: byte literals, a replayable random generator, unsolvable tasks. */
import type { SearchTask } from '../../src/schemes/search.js';


export const text = (value: string): Uint8Array => new TextEncoder().encode(value);
export const hex = (value: string): Uint8Array => Uint8Array.from(Buffer.from(value, 'hex'));
export const U64 = 1n << 64n;

/** Deterministic pseudo-random numbers (xorshift32), so a failure replays exactly. */
export function generator(seed: number): { int(max: number): number; bytes(length: number): Uint8Array; u64(): bigint } {
  let state = seed >>> 0 || 1;
  const next = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state;
  };
  return {
    int: (max) => next() % max,
    bytes: (length) => Uint8Array.from({ length }, () => next() & 0xff),
    u64: () => (BigInt(next()) << 32n) | BigInt(next()),
  };
}

/** The task made (all but) unsolvable, so a scan must report attempts == count. */
export function impossible(task: SearchTask): SearchTask {
  switch (task.kernel) {
    case 'sha256d-header':
    case 'sha512d-bitmessage':
      return { ...task, target: 0n };
    case 'blake2b-nano':
      return { ...task, threshold: U64 - 1n };
    case 'sha256-text':
    case 'sha1-text':
      return { ...task, zeroBits: 64 };
  }
}
