import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bitcoin,
  bitsFromTarget,
  blockHash,
  difficultyOf,
  hashValue,
  headerBits,
  parseHeader,
  shareTarget,
  targetFromBits,
  DIFF1_TARGET,
} from '../../src/schemes/bitcoin.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { InputError } from '../../src/schemes/bits.js';
import { BITCOIN_HEADERS } from '../helpers/vectors.js';


test('block hashes of the reference headers, valid against their own nBits', () => {
  for (const [hex, hash] of BITCOIN_HEADERS) {
    const header = parseHeader(hex);
    assert.equal(blockHash(header), hash);
    const job = { header, target: targetFromBits(headerBits(header)) };
    const nonce = Buffer.from(header).readUInt32LE(76);
    assert.equal(bitcoin.verify(job, { header: hex, hash, nonce }).valid, true);
    // What the client is shown must be the header's own hash and nonce, not whatever came with it.
    assert.equal(bitcoin.verify(job, { header: hex, hash: '00'.repeat(32), nonce }).valid, false);
    assert.equal(bitcoin.verify(job, { header: hex, hash, nonce: nonce ^ 1 }).valid, false);
  }
});

test('nBits expansion and compression', () => {
  assert.equal(targetFromBits(0x1d00ffff), DIFF1_TARGET);
  assert.equal(targetFromBits(0x1b04864c), 0x04864cn << (8n * 24n));
  assert.equal(bitsFromTarget(DIFF1_TARGET), 0x1d00ffff);
  assert.equal(bitsFromTarget(targetFromBits(0x1b04864c)), 0x1b04864c);
  assert.equal(bitsFromTarget(targetFromBits(0x207fffff)), 0x207fffff);
  assert.throws(() => targetFromBits(0x1d80ffff), /sign bit/);
  assert.throws(() => targetFromBits(0x2200ffff), /wider than 256 bits/);
});

test('share targets with BigInt, fractional difficulties included', () => {
  assert.equal(shareTarget(1), DIFF1_TARGET);
  assert.equal(shareTarget(2), DIFF1_TARGET / 2n);
  assert.equal(shareTarget(0.0001), DIFF1_TARGET * 10000n);
  const header = parseHeader(BITCOIN_HEADERS[1]![0]);
  assert.equal(Math.round(difficultyOf(hashValue(header)) * 100) / 100, 17583.06);
});

test('the reference search finds the genesis nonce in a range around it', () => {
  const header = parseHeader(BITCOIN_HEADERS[0]![0]);
  const job = { header, target: targetFromBits(headerBits(header)) };
  const task = bitcoin.task(job);
  const genesisNonce = 0x7c2bac1dn;
  const result = referenceBackend.scan(task, genesisNonce - 500n, 1000);
  assert.equal(result.nonce, genesisNonce);
  const solution = bitcoin.solution(job, result.nonce!);
  assert.equal(solution.hash, BITCOIN_HEADERS[0]![1]);
  assert.equal(solution.header, BITCOIN_HEADERS[0]![0]);
});

test('verify refuses a header changed outside the nonce', () => {
  const header = parseHeader(BITCOIN_HEADERS[0]![0]);
  const job = { header, target: targetFromBits(0x1d00ffff) };
  const changed = BITCOIN_HEADERS[0]![0].replace(/^01/, '02');
  assert.equal(bitcoin.verify(job, { header: changed, hash: '', nonce: 0 }).valid, false);
});

test('bad headers are refused by name', () => {
  assert.throws(() => parseHeader('00'), (e: unknown) => e instanceof InputError && e.message === 'header must be 160 hex characters');
});
