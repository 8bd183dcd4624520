/**
 * The built-in chain, the Stratum coordinator's work source when no node feeds it: a genesis header
 * built here (a coinbase paying nothing, merkle root = its hash), then each accepted block becomes
 * the new tip. Only the last `history` blocks are kept. A block is accepted only after an
 * independent check (the bitcoin scheme's verify) that it extends the tip and meets the target.
 * @module
 */
import { InputError } from '../schemes/bits.js';
import { bitcoin, blockHash, sha256d, targetFromBits } from '../schemes/bitcoin.js';
import { coinbaseParts } from './coinbase.js';
import { hex32, merkleRoot, swapWords } from './job.js';
import type { BlockVerdict, FoundBlock, WorkSource, WorkStatus, WorkTemplate } from './work.js';

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
/** The built-in chain's coinbase pays nothing: one zero-value OP_RETURN output. */
const OUTPUTS = [{ value: 0n, script: Buffer.from([0x6a]) }];

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

export class Chain implements WorkSource {
  readonly bits: number;
  readonly target: bigint;
  private readonly history: number;
  private readonly extranonceBytes: number;
  private readonly now: () => number;
  private readonly kept: Block[] = [];
  private listener: (clean: boolean) => void = () => {};

  constructor(options: ChainOptions) {
    if (!Number.isSafeInteger(options.history) || options.history < 1) throw new RangeError('history must be at least 1');
    this.bits = options.bits;
    this.target = targetFromBits(options.bits);
    this.history = options.history;
    this.extranonceBytes = options.extranonceBytes;
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    const { coinb1, coinb2 } = coinbaseParts(0, this.extranonceBytes, OUTPUTS);
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
  template(): WorkTemplate {
    const tip = this.tip;
    const height = tip.height + 1;
    return {
      height,
      prevhash: Buffer.from(swapWords(sha256d(tip.header))).toString('hex'),
      version: hex32(VERSION),
      nbits: hex32(this.bits),
      ntime: hex32(Math.max(this.now(), tip.time)),
      ...coinbaseParts(height, this.extranonceBytes, OUTPUTS),
      merkleBranch: [],
      target: this.target,
    };
  }

  current(): WorkTemplate {
    return this.template();
  }

  refresh(): void {
    this.listener(false);
  }

  onWork(listener: (clean: boolean) => void): void {
    this.listener = listener;
  }

  status(): WorkStatus {
    return { kind: 'chain', up: true, height: this.tip.height + 1 };
  }

  /** Append the block and announce the new tip; a header that does not fit is rejected, not thrown. */
  submit(found: FoundBlock): BlockVerdict {
    try {
      const block = this.accept(found.header, found.worker);
      this.listener(true);
      return { accepted: true, height: block.height, hash: block.hash };
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      return { accepted: false, height: found.template.height, hash: blockHash(found.header), reason: error.message };
    }
  }

  close(): void {}

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
