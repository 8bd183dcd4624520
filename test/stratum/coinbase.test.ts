import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256d } from '../../src/schemes/bitcoin.js';
import { coinbaseParts, heightScript, merkleBranch, merkleRootOf, serializeBlock, witnessCommitmentScript, withWitness } from '../../src/stratum/coinbase.js';
import { merkleRoot } from '../../src/stratum/job.js';
import { bcoinOrSkip, type BcoinObject } from '../helpers/bcoin.js';
import { generator } from '../helpers/random.js';

test('the BIP34 height prefix is byte for byte what Core writes with CScript() << height', () => {
  // Core's CScript::push_int64: OP_0, OP_1..OP_16, else a minimal CScriptNum push (a zero byte when the top bit is set).
  const vectors: [number, string][] = [
    [0, '00'],
    [1, '51'],
    [16, '60'],
    [17, '0111'],
    [127, '017f'],
    [128, '028000'],
    [255, '02ff00'],
    [256, '020001'],
    [65536, '03000001'],
    [840000, '0340d10c'],
  ];
  for (const [height, script] of vectors) assert.equal(heightScript(height).toString('hex'), script, `height ${height}`);
});

test('bcoin reads the height back from our coinbase for every encoding length', (t) => {
  const bcoin = bcoinOrSkip(t);
  if (bcoin === undefined) return;
  for (const height of [17, 127, 128, 255, 256, 65536, 840000]) {
    const { coinb1, coinb2 } = coinbaseParts(height, 8, [{ value: 5_000_000_000n, script: Buffer.from('0014' + '11'.repeat(20), 'hex') }]);
    const tx: BcoinObject = bcoin.TX.fromRaw(Buffer.from(coinb1 + '00'.repeat(8) + coinb2, 'hex'));
    assert.equal(tx.isCoinbase(), true);
    assert.equal(tx.inputs[0].script.getCoinbaseHeight(), height);
    assert.equal(tx.outputs[0].value, 5_000_000_000);
  }
});

test('the witness commitment of a block with only its coinbase is the known constant', () => {
  // sha256d(32 zero bytes of witness root || 32 zero bytes reserved): also what nodes put in getblocktemplate for an empty block.
  assert.equal(witnessCommitmentScript([]).toString('hex'), '6a24aa21a9ede2f61c3f71d1defd3fa999dfa36953755c690689799962b48bebd836974e8cf9');
});

test('merkle branch, witness commitment and block layout agree with bcoin on random segwit blocks', (t) => {
  const bcoin = bcoinOrSkip(t);
  if (bcoin === undefined) return;
  const random = generator(34);
  for (const count of [0, 1, 2, 3, 4, 7, 12]) {
    const transactions: BcoinObject[] = Array.from({ length: count }, (): BcoinObject => {
      const mtx: BcoinObject = new bcoin.MTX();
      mtx.addInput({
        prevout: { hash: Buffer.from(random.bytes(32)).toString('hex'), index: random.int(4) },
        witness: new bcoin.Witness([Buffer.from(random.bytes(71)), Buffer.from(random.bytes(33))]),
      });
      mtx.addOutput({ value: 1000 + random.int(1e6), script: bcoin.Script.fromRaw(Buffer.from('0014' + Buffer.from(random.bytes(20)).toString('hex'), 'hex')) });
      return mtx.toTX();
    });
    const txids: Buffer[] = transactions.map((tx) => Buffer.from(tx.hash()));
    const wtxids: Buffer[] = transactions.map((tx) => Buffer.from(tx.witnessHash()));
    const { coinb1, coinb2 } = coinbaseParts(500_000 + count, 8, [
      { value: 625_000_000n, script: Buffer.from('76a914' + '22'.repeat(20) + '88ac', 'hex') },
      { value: 0n, script: witnessCommitmentScript(wtxids) },
    ]);
    const coinbase = Buffer.from(coinb1 + Buffer.from(random.bytes(8)).toString('hex') + coinb2, 'hex');
    const root = merkleRoot(coinbase, merkleBranch(txids));
    assert.deepEqual(root, merkleRootOf([sha256d(coinbase), ...txids]));
    const header = Buffer.concat([Buffer.from('00000020', 'hex'), Buffer.from(random.bytes(32)), root, Buffer.from(random.bytes(12))]);
    const block: BcoinObject = bcoin.Block.fromRaw(serializeBlock(header, withWitness(coinbase), transactions.map((tx) => tx.toRaw())));
    assert.equal(block.txs.length, count + 1);
    assert.deepEqual(Buffer.from(block.txs[0].hash()), sha256d(coinbase), 'the witness coinbase keeps its txid');
    assert.deepEqual(Buffer.from(block.createMerkleRoot()), root);
    assert.deepEqual(Buffer.from(block.getCommitmentHash()), Buffer.from(block.createCommitmentHash()), `${count} transactions`);
    assert.deepEqual(Buffer.from(block.getWitnessNonce()), Buffer.alloc(32));
  }
});
