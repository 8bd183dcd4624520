/**
 * The built-in chain the Stratum coordinator mines on when no real node feeds it: a genesis header
 * built here (a coinbase paying nothing, merkle root = its hash), then each accepted block becomes
 * the new tip. Only the last `history` blocks are kept. A block is accepted only after an
 * independent check (the bitcoin scheme's verify) that it extends the tip and meets the target.
 * @module
 */
import { InputError } from '../schemes/bits.js';
import { bitcoin, blockHash, sha256d, targetFromBits } from '../schemes/bitcoin.js';
import { hex32, merkleRoot, swapWords } from './job.js';

export interface Block {
  readonly height: number;
  readonly header: Uint8Array;
  /** Display order (byte-reversed) hex. */
  readonly hash: string;
  /** The header's time field, in seconds. */
  readonly time: number;
  /** Who found it (the worker name), absent for genesis. */
  readonly foundBy?: string;
}

/** What the coordinator needs to make a job on top of the tip. */
export interface Template {
  readonly height: number;
  /** The tip's hash in Stratum's word-swapped order. */
  readonly prevhash: string;
  readonly version: string;
  readonly nbits: string;
  readonly ntime: string;
  readonly coinb1: string;
  readonly coinb2: string;
}

export interface ChainOptions {
  /** Compact target of every block (e.g. 0x207fffff: about one try in two). */
  readonly bits: number;
  /** Blocks kept, tip included (at least 1). */
  readonly history: number;
  /** Bytes of extranonce (extranonce1 + extranonce2) the coinbase leaves room for. */
  readonly extranonceBytes: number;
  /** Seconds since the epoch (injectable for tests). */
  readonly now?: () => number;
}

const VERSION = 0x20000000;
/** Coinbase tag after the extranonce, so the chain's blocks say who made them. */
const TAG = Buffer.from('/powerplant/', 'ascii');

/** Minimal little-endian push of the height (BIP34), so each height's coinbase differs. */
function heightPush(height: number): Buffer {
  if (height === 0) return Buffer.from([0x00]);
  const bytes: number[] = [];
  for (let value = height; value > 0; value = Math.floor(value / 256)) bytes.push(value % 256);
  if ((bytes[bytes.length - 1] & 0x80) !== 0) bytes.push(0);
  return Buffer.from([bytes.length, ...bytes]);
}

/** Coinbase transaction split around its extranonce: one input, one zero-value OP_RETURN output. */
export function coinbaseParts(height: number, extranonceBytes: number): { coinb1: string; coinb2: string } {
  const push = heightPush(height);
  const scriptLength = push.length + extranonceBytes + TAG.length;
  const coinb1 = Buffer.concat([
    Buffer.from('01000000' + '01' + '00'.repeat(32) + 'ffffffff', 'hex'),
    Buffer.from([scriptLength]),
    push,
  ]);
  const coinb2 = Buffer.concat([
    TAG,
    Buffer.from('ffffffff' + '01' + '0000000000000000' + '016a' + '00000000', 'hex'),
  ]);
  return { coinb1: coinb1.toString('hex'), coinb2: coinb2.toString('hex') };
}

function headerBytes(version: number, prev: Uint8Array, root: Uint8Array, time: number, bits: number, nonce: number): Uint8Array {
  const header = Buffer.alloc(80);
  header.writeUInt32LE(version, 0);
  header.set(prev, 4);
  header.set(root, 36);
  header.writeUInt32LE(time >>> 0, 68);
  header.writeUInt32LE(bits >>> 0, 72);
  header.writeUInt32LE(nonce >>> 0, 76);
  return header;
}

export class Chain {
  readonly bits: number;
  readonly target: bigint;
  private readonly history: number;
  private readonly extranonceBytes: number;
  private readonly now: () => number;
  private readonly kept: Block[] = [];

  constructor(options: ChainOptions) {
    if (!Number.isSafeInteger(options.history) || options.history < 1) throw new RangeError('history must be at least 1');
    this.bits = options.bits;
    this.target = targetFromBits(options.bits);
    this.history = options.history;
    this.extranonceBytes = options.extranonceBytes;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    const { coinb1, coinb2 } = coinbaseParts(0, this.extranonceBytes);
    const coinbase = Buffer.from(coinb1 + '00'.repeat(this.extranonceBytes) + coinb2, 'hex');
    const time = this.now();
    const header = headerBytes(VERSION, new Uint8Array(32), merkleRoot(coinbase, []), time, this.bits, 0);
    this.kept.push({ height: 0, header, hash: blockHash(header), time });
  }

  get tip(): Block {
    return this.kept[this.kept.length - 1];
  }

  get height(): number {
    return this.tip.height;
  }

  /** The kept blocks, oldest first. */
  blocks(): readonly Block[] {
    return this.kept;
  }

  /** A job's template on top of the tip; ntime never goes back before the tip's time. */
  template(): Template {
    const tip = this.tip;
    const height = tip.height + 1;
    return {
      height,
      prevhash: Buffer.from(swapWords(sha256d(tip.header))).toString('hex'),
      version: hex32(VERSION),
      nbits: hex32(this.bits),
      ntime: hex32(Math.max(this.now(), tip.time)),
      ...coinbaseParts(height, this.extranonceBytes),
    };
  }

  /** Append a block found on the tip; throws InputError when it does not extend it or misses the target. */
  accept(header: Uint8Array, foundBy: string): Block {
    if (header.length !== 80) throw new InputError('a header is 80 bytes');
    const tipHash = sha256d(this.tip.header);
    if (!tipHash.equals(header.subarray(4, 36))) throw new InputError('the block does not extend the tip');
    const solution = bitcoin.solution({ header, target: this.target }, BigInt(Buffer.from(header).readUInt32LE(76)));
    const verdict = bitcoin.verify({ header, target: this.target }, solution);
    if (!verdict.valid) throw new InputError(verdict.reason);
    const block: Block = {
      height: this.tip.height + 1,
      header: Uint8Array.from(header),
      hash: solution.hash,
      time: Buffer.from(header).readUInt32LE(68),
      foundBy,
    };
    this.kept.push(block);
    if (this.kept.length > this.history) this.kept.splice(0, this.kept.length - this.history);
    return block;
  }
}
