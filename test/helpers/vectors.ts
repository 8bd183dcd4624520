/** Known answers from the reference (shared/reference.md sections 1–4), shared by every test that pins them. */
import type { TextTask } from '../../src/schemes/search.js';
import { text } from './random.js';

/** NIP-13's own example: 21 leading zero bits, committed target 20. */
export const NIP13_EXAMPLE = {
  id: '000006d8c378af1779d2feebc7603a125d99eca0ccf1085959b307f64e5dd358',
  pubkey: 'a48380f4cfcc1ad5378294fcac36439770f9c878dd880ffa94bb74ea54a6f243',
  created_at: 1651794653,
  kind: 1,
  tags: [['nonce', '776797', '20']],
  content: "It's just me mining my own business",
  sig: '284622fc0a3f4f1303455d5175f7ba962a3300d136085b9566801bc2e0699de0c7e31e44c81fb40ad9049173742e904713c3594a1da0fc5d2382a25c11aba977',
};

/** nostril's 44-bit event: content with a newline, a nonce tag without a target. */
export const NOSTRIL_EXAMPLE = {
  id: '00000000000c1271675dc86e3e1dd1336827bccabb90dc4c9d3b4465efefe00e',
  pubkey: '6cad545430904b84a8101c5783b65043f19ae29d2da1076b8fc3e64892736f03',
  created_at: 1663382309,
  kind: 1,
  tags: [['nonce', '3634431872961']],
  content:
    'I am a robot beep boop! This note took 7976213 seconds to mine 44 bits after 3634431872962 tries!\n\nThis was generated with https://github.com/jb55/nostril',
};

/** Nano work (root, work, value): send-valid, receive-only, three more valid, Banano-valid, invalid. */
export const NANO_VECTORS: readonly (readonly [root: string, work: string, value: string])[] = [
  ['718CC2121C3E641059BC1C2CFC45666C99E8AE922F7A807B7D07B62C995D79E2', '2b3d689bbcb21dca', 'fffffff93c41ec94'],
  ['718CC2121C3E641059BC1C2CFC45666C99E8AE922F7A807B7D07B62C995D79E2', '2bf29ef00786a6bc', 'ffffffd21c3933f4'],
  ['E89208DD038FBB269987689621D52292AE9C35941A7484756ECCED92A65093BA', '62f05417dd3fb691', 'fffffff4000d3dac'],
  ['3F93C5CD2E314FA16702189041E68E68C07B27961BF37F0B7705145BEFBA3AA3', '205452237a9b01f4', 'ffffffff287741bf'],
  ['E2D8BD730E1512568378EC61A2367431F8AC35E66C46508CD0F9F3BCD94DE29B', '0000000000000000', 'fffffe969af69900'],
  ['3ed191ec702f384514ba35e1f9081148df5a9ab48fe0f604b6e5b9f7177cee32', 'bb6737f2daf01a2c', '74bbaa4490886de7'],
];

export const GENESIS_HEADER =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';

/** Bitcoin headers and their block hashes (display order): genesis, block 100000, block 125552. */
export const BITCOIN_HEADERS: readonly (readonly [header: string, hash: string])[] = [
  [GENESIS_HEADER, '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f'],
  [
    '0100000050120119172a610421a6c3011dd330d9df07b63616c2cc1f1cd00200000000006657a9252aacd5c0b2940996ecff952228c3067cc38d4885efb5a4ac4247e9f337221b4d4c86041b0f2b5710',
    '000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506',
  ],
  [
    '0100000081cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000e320b6c2fffc8d750423db8b1eb942ae710e951ed797f7affc8892b0f1fc122bc7f5d74df2b9441a42a14695',
    '00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d',
  ],
];

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
