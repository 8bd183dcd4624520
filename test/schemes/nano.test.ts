import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateWork } from 'nanocurrency';
import {
  BANANO,
  NANO_RECEIVE,
  NANO_SEND,
  hex16,
  multiplierOf,
  nano,
  parseDifficulty,
  parseRoot,
  parseWork,
  thresholdFromMultiplier,
  workAnswer,
  workValue,
} from '../../src/schemes/nano.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { InputError } from '../../src/schemes/bits.js';
import { NANO_VECTORS } from '../helpers/vectors.js';

const VECTORS = NANO_VECTORS;

test('work values of the reference vectors', () => {
  for (const [root, work, value] of VECTORS) {
    assert.equal(hex16(workValue(parseRoot(root), parseWork(work))), value, `${root} ${work}`);
  }
});

test('validity against each threshold agrees with nanocurrency', () => {
  const thresholds = [NANO_SEND, NANO_RECEIVE, BANANO];
  for (const [root, work] of VECTORS) {
    for (const threshold of thresholds) {
      const job = { root: parseRoot(root), threshold };
      const ours = nano.verify(job, { work: parseWork(work) }).valid;
      const theirs = validateWork({ blockHash: root, work, threshold: hex16(threshold) });
      assert.equal(ours, theirs, `${root} ${work} ${hex16(threshold)}`);
    }
  }
  assert.equal(nano.verify({ root: parseRoot(VECTORS[0]![0]), threshold: NANO_SEND }, { work: parseWork(VECTORS[0]![1]) }).valid, true);
  assert.equal(nano.verify({ root: parseRoot(VECTORS[1]![0]), threshold: NANO_SEND }, { work: parseWork(VECTORS[1]![1]) }).valid, false);
  assert.equal(nano.verify({ root: parseRoot(VECTORS[1]![0]), threshold: NANO_RECEIVE }, { work: parseWork(VECTORS[1]![1]) }).valid, true);
});

test('multipliers follow the node formula', () => {
  assert.equal(multiplierOf(NANO_SEND), 1);
  assert.equal(multiplierOf(NANO_RECEIVE), 1 / 64);
  assert.equal(thresholdFromMultiplier(1), NANO_SEND);
  assert.equal(thresholdFromMultiplier('0.015625'), NANO_RECEIVE);
  assert.equal(thresholdFromMultiplier(8), 0xffffffff00000000n);
  assert.throws(() => thresholdFromMultiplier(0), /multiplier must be a positive decimal number/);
  assert.throws(() => thresholdFromMultiplier('abc'), /multiplier must be a positive decimal number/);
  // The node reads a decimal number; JavaScript's Number() would read these too.
  for (const notDecimal of ['0x1', '0b1', '0o7', 'Infinity', ' 1', '1e3 ', '']) {
    assert.throws(() => thresholdFromMultiplier(notDecimal), /multiplier must be a positive decimal number/, notDecimal);
  }
  assert.equal(thresholdFromMultiplier('8.0'), 0xffffffff00000000n);
  assert.equal(thresholdFromMultiplier('8e0'), 0xffffffff00000000n);
});

test('reference search finds work that nanocurrency validates', async () => {
  const root = parseRoot('3ed191ec702f384514ba35e1f9081148df5a9ab48fe0f604b6e5b9f7177cee32');
  const threshold = 0xfff0000000000000n;
  const found = await createInlineEngine(referenceBackend).search(nano.task({ root, threshold }));
  const verdict = nano.verify({ root, threshold }, nano.solution({ root, threshold }, found.nonce));
  assert.ok(verdict.valid);
  const answer = workAnswer(root, verdict.solution);
  assert.ok(validateWork({ blockHash: answer.hash, work: answer.work, threshold: hex16(threshold) }));
  assert.ok(BigInt('0x' + answer.difficulty) >= threshold);
});

test('bad hashes, works and difficulties are refused by name', () => {
  assert.throws(() => parseRoot('abc'), (e: unknown) => e instanceof InputError && e.message === 'hash must be 64 hex characters');
  assert.throws(() => parseRoot('z'.repeat(64)), /hash must be 64 hex characters/);
  assert.throws(() => parseRoot(42), /hash must be a string of 64 hex characters/);
  assert.throws(() => parseWork('12345'), /work must be 16 hex characters/);
  assert.throws(() => parseDifficulty('fffffff80000000g'), /difficulty must be 16 hex characters/);
  assert.equal(parseDifficulty('FFFFFFF800000000'), NANO_SEND);
});
