/**
 * Coinbase transactions and blocks as Bitcoin Core builds and checks them: the BIP34 height as
 * `CScript() << height` (0 is OP_0, 1 to 16 are OP_1 to OP_16, larger heights a minimal
 * little-endian push), the coinbase split around the extranonce space, the merkle branch a miner
 * needs from the template's txids, the BIP141 witness commitment, and a block's serialisation for
 * `submitblock`. Hashes are in internal byte order unless a name says display order.
 * @module
 */
import { sha256d } from '../schemes/bitcoin.js';

/** One coinbase output: value in satoshis and its output script. */
export interface TxOutput {
  readonly value: bigint;
  readonly script: Uint8Array;
}

const OP_0 = 0x00;
const OP_1 = 0x51;
/** Coinbase tag after the extranonce, so the blocks say who made them. */
const TAG = Buffer.from('/powerplant/', 'ascii');
/** BIP141: the coinbase's witness holds one 32-byte reserved value; we use zeros. */
const WITNESS_RESERVED_VALUE = Buffer.alloc(32);
/** BIP141: a commitment output's script starts with OP_RETURN, a 36-byte push and aa21a9ed. */
const COMMITMENT_HEADER = Buffer.from('6a24aa21a9ed', 'hex');
/** A coinbase scriptSig holds 2 to 100 bytes (consensus). */
const MAX_COINBASE_SCRIPT = 100;

/** The BIP34 height prefix of a coinbase scriptSig, byte for byte as Core's `CScript() << height`. */
export function heightScript(height: number): Buffer {
  if (!Number.isSafeInteger(height) || height < 0 || height > 0x7fffffff) throw new RangeError('height must be 0 to 2^31-1');
  if (height === 0) return Buffer.from([OP_0]);
  if (height <= 16) return Buffer.from([OP_1 + height - 1]);
  const bytes: number[] = [];
  for (let value = height; value > 0; value = Math.floor(value / 256)) bytes.push(value % 256);
  // A set top bit would make the script number negative: add a zero byte.
  if ((bytes[bytes.length - 1] & 0x80) !== 0) bytes.push(0);
  return Buffer.from([bytes.length, ...bytes]);
}

/** Bitcoin's variable-length integer (CompactSize). */
export function varint(value: number): Buffer {
  if (value < 0xfd) return Buffer.from([value]);
  if (value <= 0xffff) return Buffer.from([0xfd, value & 0xff, value >>> 8]);
  const bytes = Buffer.alloc(5);
  bytes[0] = 0xfe;
  bytes.writeUInt32LE(value, 1);
  return bytes;
}

function serializeOutputs(outputs: readonly TxOutput[]): Buffer {
  return Buffer.concat([
    varint(outputs.length),
    ...outputs.map((output) => {
      const value = Buffer.alloc(8);
      value.writeBigUInt64LE(output.value);
      return Buffer.concat([value, varint(output.script.length), output.script]);
    }),
  ]);
}

/**
 * A coinbase (legacy serialisation, which its txid hashes) split around `extranonceBytes` of
 * extranonce: coinb1 || extranonce1 || extranonce2 || coinb2.
 */
export function coinbaseParts(height: number, extranonceBytes: number, outputs: readonly TxOutput[]): { coinb1: string; coinb2: string } {
  const prefix = heightScript(height);
  const scriptLength = prefix.length + extranonceBytes + TAG.length;
  if (scriptLength > MAX_COINBASE_SCRIPT) throw new RangeError('the coinbase script is too long');
  const coinb1 = Buffer.concat([
    Buffer.from('01000000' + '01' + '00'.repeat(32) + 'ffffffff', 'hex'),
    varint(scriptLength),
    prefix,
  ]);
  const coinb2 = Buffer.concat([TAG, Buffer.from('ffffffff', 'hex'), serializeOutputs(outputs), Buffer.alloc(4)]);
  return { coinb1: coinb1.toString('hex'), coinb2: coinb2.toString('hex') };
}

/** The same coinbase with the BIP141 marker, flag and its witness (the reserved value). */
export function withWitness(coinbase: Uint8Array): Buffer {
  const tx = Buffer.from(coinbase);
  return Buffer.concat([
    tx.subarray(0, 4),
    Buffer.from([0x00, 0x01]),
    tx.subarray(4, tx.length - 4),
    Buffer.from([0x01, WITNESS_RESERVED_VALUE.length]),
    WITNESS_RESERVED_VALUE,
    tx.subarray(tx.length - 4),
  ]);
}

/** The merkle root of a list of hashes (the last one of an odd level is paired with itself). */
export function merkleRootOf(hashes: readonly Uint8Array[]): Buffer {
  if (hashes.length === 0) throw new RangeError('no hashes');
  let level: Buffer[] = hashes.map((hash) => Buffer.from(hash));
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(sha256d(Buffer.concat([level[i], level[i + 1] ?? level[i]])));
    level = next;
  }
  return level[0];
}

/**
 * The branch a miner folds its coinbase hash with (job.ts merkleRoot) to get the root of the
 * coinbase followed by `txids`.
 */
export function merkleBranch(txids: readonly Uint8Array[]): Buffer[] {
  const branch: Buffer[] = [];
  // The current level without its first entry (the coinbase's side of the tree).
  let rest: Buffer[] = txids.map((hash) => Buffer.from(hash));
  while (rest.length > 0) {
    branch.push(rest[0]);
    const next: Buffer[] = [];
    for (let i = 1; i < rest.length; i += 2) next.push(sha256d(Buffer.concat([rest[i], rest[i + 1] ?? rest[i]])));
    rest = next;
  }
  return branch;
}

/**
 * BIP141's commitment output script for a block whose non-coinbase transactions have `wtxids`:
 * OP_RETURN push(aa21a9ed || sha256d(witness root || reserved value)), where the witness root is
 * the merkle root of the wtxids with the coinbase's counted as 32 zero bytes.
 */
export function witnessCommitmentScript(wtxids: readonly Uint8Array[]): Buffer {
  const root = merkleRootOf([Buffer.alloc(32), ...wtxids]);
  return Buffer.concat([COMMITMENT_HEADER, sha256d(Buffer.concat([root, WITNESS_RESERVED_VALUE]))]);
}

/** A block as `submitblock` takes it: header, transaction count, coinbase, the other transactions. */
export function serializeBlock(header: Uint8Array, coinbase: Uint8Array, transactions: readonly Uint8Array[]): Buffer {
  return Buffer.concat([header, varint(1 + transactions.length), coinbase, ...transactions]);
}
