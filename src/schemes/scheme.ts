/**
 * The one interface every layer uses to speak to a proof-of-work scheme. A scheme is pure and
 * synchronous: it turns a validated input into a search for the engine, turns a found nonce into
 * that scheme's solution, and verifies a solution by an independent code path (node:crypto or
 * @noble/hashes, never the kernels).
 * @module
 */
import type { SearchTask } from './search.js';

export type SchemeName = 'nostr' | 'nano' | 'bitmessage' | 'bitcoin' | 'hashcash';

export type Verdict = { readonly valid: true } | { readonly valid: false; readonly reason: string };

export interface Scheme<Input, Solution> {
  readonly name: SchemeName;
  /** Identity of a job: two inputs with the same key share one search. */
  key(input: Input): string;
  /** What the engine searches for this input. */
  task(input: Input): SearchTask;
  /** The scheme's solution for a nonce the engine (or a remote miner) reported. */
  solution(input: Input, nonce: bigint): Solution;
  /** Independent check of a solution against the input's target. */
  verify(input: Input, solution: Solution): Verdict;
}
