/**
 * The contract between a scheme and the engine: what to hash, where the nonce goes, and when an
 * attempt passes. A scheme describes its search with one of these; the engine (native, WASM or
 * the JS reference) scans nonce ranges of it without knowing which protocol asked.
 * @module
 */

/**
 * One SHA-256 (or SHA-1) over `prefix || nonce || suffix`, the nonce written as exactly `width`
 * ASCII decimal digits (zero-padded). Passes when the digest has at least `zeroBits` leading zero
 * bits. Used by NIP-13 (SHA-256), hashcash v1 (SHA-1) and the gate's SHA-256 form.
 */
export interface TextTask {
  readonly kernel: 'sha256-text' | 'sha1-text';
  readonly prefix: Uint8Array;
  readonly suffix: Uint8Array;
  /** Digits in the nonce, 1..19 (so a nonce fits a uint64); the nonce space is [0, 10^width). */
  readonly width: number;
  /** Leading zero bits required, 0..160 (SHA-1) or 0..256 (SHA-256). */
  readonly zeroBits: number;
}

/**
 * sha256d of an 80-byte Bitcoin header whose bytes 76..79 receive the nonce (uint32 LE).
 * Passes when the hash, read as a little-endian 256-bit integer, is <= `target`.
 */
export interface HeaderTask {
  readonly kernel: 'sha256d-header';
  /** 80 bytes; the last four are ignored (the nonce goes there). */
  readonly header: Uint8Array;
  readonly target: bigint;
}

/**
 * Bitmessage: trialValue = first 8 bytes (big-endian) of SHA-512(SHA-512(nonce BE64 || initialHash)).
 * Passes when trialValue <= `target`.
 */
export interface BitmessageTask {
  readonly kernel: 'sha512d-bitmessage';
  /** 64 bytes. */
  readonly initialHash: Uint8Array;
  readonly target: bigint;
}

/**
 * Nano/Banano: value = BLAKE2b (8-byte digest) of (nonce LE64 || root), read as LE uint64.
 * Passes when value >= `threshold`.
 */
export interface NanoTask {
  readonly kernel: 'blake2b-nano';
  /** 32 bytes: the block hash or account public key. */
  readonly root: Uint8Array;
  readonly threshold: bigint;
}

export type SearchTask = TextTask | HeaderTask | BitmessageTask | NanoTask;
export type KernelName = SearchTask['kernel'];

export const KERNELS: readonly KernelName[] = [
  'sha256-text',
  'sha256d-header',
  'sha512d-bitmessage',
  'blake2b-nano',
  'sha1-text',
];

const U64_SPACE = 1n << 64n;

/** Size of the nonce space of a task: nonces run over [0, nonceSpace(task)). */
export function nonceSpace(task: SearchTask): bigint {
  switch (task.kernel) {
    case 'sha256-text':
    case 'sha1-text':
      return 10n ** BigInt(task.width);
    case 'sha256d-header':
      return 1n << 32n;
    case 'sha512d-bitmessage':
    case 'blake2b-nano':
      return U64_SPACE;
  }
}

/** The nonce as the fixed-width decimal digits a text task hashes. */
export function decimalNonce(nonce: bigint, width: number): string {
  return nonce.toString().padStart(width, '0');
}

/**
 * Attempts a search is expected to make before a nonce passes (the inverse of one attempt's
 * chance), at least 1. A float: hard jobs reach far past 2^53, and only their order matters.
 */
export function expectedAttempts(task: SearchTask): number {
  switch (task.kernel) {
    case 'sha256-text':
    case 'sha1-text':
      return 2 ** task.zeroBits;
    case 'sha256d-header':
      return 2 ** 256 / (Number(task.target) + 1);
    case 'sha512d-bitmessage':
      return 2 ** 64 / (Number(task.target) + 1);
    case 'blake2b-nano':
      return 2 ** 64 / Number(U64_SPACE - task.threshold);
  }
}
