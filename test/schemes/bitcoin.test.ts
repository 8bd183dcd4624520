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

const HEADERS: [header: string, hash: string][] = [
  [
    '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
    '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  ],
  [
    '0100000081cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000e320b6c2fffc8d750423db8b1eb942ae710e951ed797f7affc8892b0f1fc122bc7f5d74df2b9441a42a14695',
    '00000000000000001e8d6829a8a21adc5d38d0a473b144b6765798e61f98bd1d',
  ],
  [
    '0100000050120119172a610421a6c3011dd330d9df07b63616c2cc1f1cd00200000000006657a9252aacd5c0b2940996ecff952228c3067cc38d4885efb5a4ac4247e9f337221b4d4c86041b0f2b5710',
    '000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506',
  ],
];

test('block hashes of the reference headers, valid against their own nBits', () => {
  for (const [hex, hash] of HEADERS) {
    const header = parseHeader(hex);
    assert.equal(blockHash(header), hash);
    const job = { header, target: targetFromBits(headerBits(header)) };
    const nonce = Buffer.from(header).readUInt32LE(76);
    assert.deepEqual(bitcoin.verify(job, { header: hex, hash, nonce }), { valid: true });
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
  const header = parseHeader(HEADERS[2]![0]);
  assert.equal(Math.round(difficultyOf(hashValue(header)) * 100) / 100, 17583.06);
});

test('the reference search finds the genesis nonce in a range around it', () => {
  const header = parseHeader(HEADERS[0]![0]);
  const job = { header, target: targetFromBits(headerBits(header)) };
  const task = bitcoin.task(job);
  const genesisNonce = 0x7c2bac1dn;
  const result = referenceBackend.scan(task, genesisNonce - 500n, 1000);
  assert.equal(result.nonce, genesisNonce);
  const solution = bitcoin.solution(job, result.nonce!);
  assert.equal(solution.hash, HEADERS[0]![1]);
  assert.equal(solution.header, HEADERS[0]![0]);
});

test('verify refuses a header changed outside the nonce', () => {
  const header = parseHeader(HEADERS[0]![0]);
  const job = { header, target: targetFromBits(0x1d00ffff) };
  const changed = HEADERS[0]![0].replace(/^01/, '02');
  assert.equal(bitcoin.verify(job, { header: changed, hash: '', nonce: 0 }).valid, false);
});

test('bad headers are refused by name', () => {
  assert.throws(() => parseHeader('00'), (e: unknown) => e instanceof InputError && e.message === 'header must be 160 hex characters');
});
