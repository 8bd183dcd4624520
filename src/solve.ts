/**
 * One proof of work from a library caller: search with the engine, then check the solution by the
 * scheme's independent verifier before returning it.
 * @module
 */
import { createEngine, type Engine, type EngineOptions, type SearchOptions } from './engine/index.js';
import type { Scheme, Verdict } from './schemes/scheme.js';

export interface SolveOptions extends EngineOptions, Pick<SearchOptions, 'signal' | 'onProgress'> {
  /** Search on this engine (left open) instead of starting and closing a pool of its own. */
  readonly engine?: Engine;
}

/** Mine one solution of `scheme` for `input`; rejects when the search is aborted through `signal`. */
export async function solve<Input, Solution, Candidate>(
  scheme: Scheme<Input, Solution, Candidate>,
  input: Input,
  options: SolveOptions = {},
): Promise<Solution> {
  const engine = options.engine ?? (await createEngine(options));
  try {
    const found = await engine.search(scheme.task(input), { signal: options.signal, onProgress: options.onProgress });
    const verdict = scheme.verify(input, scheme.solution(input, found.nonce));
    if (!verdict.valid) throw new Error(`the engine returned a solution that does not verify: ${verdict.reason}`);
    return verdict.solution;
  } finally {
    if (options.engine === undefined) await engine.close();
  }
}

/**
 * Check a candidate by the scheme's independent verifier (node:crypto or @noble/hashes); a valid
 * verdict carries the verified solution.
 */
export function verify<Input, Solution, Candidate>(scheme: Scheme<Input, Solution, Candidate>, input: Input, candidate: Candidate): Verdict<Solution> {
  return scheme.verify(input, candidate);
}
