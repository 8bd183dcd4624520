/** Small shared helpers for the kernel tests: byte literals and a replayable random generator. */

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
