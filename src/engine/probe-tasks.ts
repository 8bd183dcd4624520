/**
 * One task per kernel family that no nonce passes, so a scan never stops early: what the kernel
 * selection times its variants on and what `powerplant bench` and bench/ measure.
 * @module
 */
import type { KernelName, SearchTask } from '../schemes/search.js';

const ascii = (value: string): Uint8Array => new TextEncoder().encode(value);
const hex = (value: string): Uint8Array => Uint8Array.from(Buffer.from(value, 'hex'));

const NONCE_WIDTH = 12;
const NOSTR_SUFFIX = ascii('","256"]],"powerplant bench"]');

/**
 * A NIP-13 event serialization whose nonce starts 8 bytes into a SHA-256 block, so the nonce, the
 * rest of the event and the padding fit that one block: one compression per attempt, the layout
 * Powerplant's Nostr door produces.
 */
function nostrPrefix(): Uint8Array {
  const head = '[0,"' + 'ab'.repeat(32) + '",1700000000,1,[["client","powerplant bench';
  const tail = '"],["nonce","';
  const filler = (64 + 8 - ((head.length + tail.length) % 64)) % 64;
  return ascii(head + '.'.repeat(filler) + tail);
}

/** A task of each scheme's kernel that no nonce passes. */
export function impossibleTask(kernel: KernelName): SearchTask {
  switch (kernel) {
    case 'sha256-text':
      return { kernel: 'sha256-text', prefix: nostrPrefix(), suffix: NOSTR_SUFFIX, width: NONCE_WIDTH, zeroBits: 256 };
    case 'sha1-text':
      return {
        kernel: 'sha1-text',
        prefix: ascii('1:160:261121:bench@powerplant::c29tZXJhbmQ:'),
        suffix: new Uint8Array(0),
        width: NONCE_WIDTH,
        zeroBits: 160,
      };
    case 'sha256d-header': // the genesis block header; only an all-zero hash would pass target 0
      return {
        kernel: 'sha256d-header',
        header: hex(
          '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
        ),
        target: 0n,
      };
    case 'sha512d-bitmessage':
      return {
        kernel: 'sha512d-bitmessage',
        initialHash: hex(
          'bd227de52173a50ecd54893f71de52511f62b17facf2ce6670a2489f81b73b0aa4effc81b935f628fc5383c46990ed72249d1bcfbffcff928c539044723c5e87',
        ),
        target: 0n,
      };
    case 'blake2b-nano':
      return {
        kernel: 'blake2b-nano',
        root: hex('718CC2121C3E641059BC1C2CFC45666C99E8AE922F7A807B7D07B62C995D79E2'),
        threshold: (1n << 64n) - 1n,
      };
  }
}
