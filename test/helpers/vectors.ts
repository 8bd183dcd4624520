/** Known answers (test/vectors/*.json, each with its source), shared by every test that pins them. */
import { readFileSync } from 'node:fs';
import { packagePath } from '../../src/paths.js';
import type { TextTask } from '../../src/schemes/search.js';
import { text } from './random.js';

interface NostrVectors {
  readonly events: readonly { readonly source: string; readonly bits: number; readonly event: { id: string; pubkey: string; created_at: number; kind: number; tags: string[][]; content: string; sig?: string } }[];
}
interface NanoVectors {
  readonly vectors: readonly { readonly root: string; readonly work: string; readonly value: string }[];
}
export interface BitmessageVector {
  readonly source: string;
  readonly initialHash: string;
  readonly initialHashBase64?: string;
  readonly target: string;
  readonly nonce: string;
  readonly trialValue: string;
}
interface BitmessageVectors {
  readonly vectors: readonly BitmessageVector[];
  readonly targets: { readonly cases: readonly { readonly payloadLength: number; readonly ttl: number; readonly target: string }[] };
}
interface BitcoinVectors {
  readonly headers: readonly { readonly source: string; readonly header: string; readonly hash: string }[];
}

/** One file of test/vectors/, each vector with its source named. */
const load = <T>(name: string): T => JSON.parse(readFileSync(packagePath('test', 'vectors', `${name}.json`), 'utf8')) as T;

const nostr = load<NostrVectors>('nostr');
/** NIP-13's own example: 21 leading zero bits, committed target 20. */
export const NIP13_EXAMPLE = nostr.events[0]!.event;
/** nostril's 44-bit event: content with a newline, a nonce tag without a target. */
export const NOSTRIL_EXAMPLE = nostr.events[1]!.event;

/** Nano work (root, work, value): send-valid, receive-only, three more valid, Banano-valid, invalid. */
export const NANO_VECTORS: readonly (readonly [root: string, work: string, value: string])[] = load<NanoVectors>('nano').vectors.map(
  ({ root, work, value }) => [root, work, value] as const,
);

const bitmessage = load<BitmessageVectors>('bitmessage');
/** Bitmessage (initialHash, target, first nonce from 1, its trialValue). */
export const BITMESSAGE_VECTORS = bitmessage.vectors;
/** The Bitmessage target formula: payload length and TTL → target. */
export const BITMESSAGE_TARGETS = bitmessage.targets.cases;

/** Bitcoin headers and their block hashes (display order): genesis, block 100000, block 125552. */
export const BITCOIN_HEADERS: readonly (readonly [header: string, hash: string])[] = load<BitcoinVectors>('bitcoin').headers.map(
  ({ header, hash }) => [header, hash] as const,
);
export const GENESIS_HEADER = BITCOIN_HEADERS[0]![0];

/** A NIP-13 event split around the digits of its nonce tag. */
export function nostrTask(event: { pubkey: string; created_at: number; kind: number; tags: string[][]; content: string }, nonce: string, zeroBits: number): TextTask {
  const serialized = JSON.stringify([0, event.pubkey, event.created_at, event.kind, event.tags, event.content]);
  const at = serialized.indexOf(`"nonce","${nonce}"`) + '"nonce","'.length;
  return {
    kernel: 'sha256-text',
    prefix: text(serialized.slice(0, at)),
    suffix: text(serialized.slice(at + nonce.length)),
    width: nonce.length,
    zeroBits,
  };
}
