/**
 * The one interface every layer uses to speak to a proof-of-work scheme. A scheme is pure and
 * synchronous: it names a job (its key, and the family whose solutions may answer it), turns a
 * validated input into a search for the engine, turns a found nonce into a candidate solution, and
 * verifies a candidate by an independent code path (node:crypto or @noble/hashes, never the
 * kernels). Everything the broker needs of a scheme is here, so the broker knows none by name.
 * @module
 */
import type { SearchTask } from './search.js';

export type SchemeName = 'nostr' | 'nano' | 'bitmessage' | 'bitcoin' | 'hashcash';

/** The outcome of a check: valid, or why not. */
export type Check = { readonly valid: true } | { readonly valid: false; readonly reason: string };

/** A valid verdict carries the verified solution, with what the check computed (e.g. a hash value). */
export type Verdict<Solution = unknown> =
  | { readonly valid: true; readonly solution: Solution }
  | { readonly valid: false; readonly reason: string };

/**
 * A scheme's jobs (`Input`), what a search or a peer offers as an answer (`Candidate`), and what
 * verification makes of a good one (`Solution`; the candidate itself unless the check adds to it).
 */
export interface Scheme<Input, Solution, Candidate = Solution> {
  readonly name: SchemeName;
  /** Identity of a job, unique across schemes (it starts with the scheme's name): one key, one search. */
  key(input: Input): string;
  /**
   * Jobs whose solutions may answer each other: a cached solution of a family answers a job of it
   * when it verifies for that job (a Nano hash's work at one threshold answers every lower one).
   * The key when the scheme leaves it out.
   */
  family?(input: Input): string;
  /** What the engine searches for this input. */
  task(input: Input): SearchTask;
  /** The candidate for a nonce the engine (or a remote miner) reported. */
  solution(input: Input, nonce: bigint): Candidate;
  /** Independent check of a candidate against the input's target. */
  verify(input: Input, candidate: Candidate): Verdict<Solution>;
}

/** The family of a job (see Scheme.family). */
export const familyOf = <Input>(scheme: Scheme<Input, unknown, unknown>, input: Input): string => scheme.family?.(input) ?? scheme.key(input);
