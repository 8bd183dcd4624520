import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bitmessage, parseInitialHash, parseTarget, targetFor, trialValue } from '../../src/schemes/bitmessage.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { InputError } from '../../src/schemes/bits.js';
import { BITMESSAGE_TARGETS, BITMESSAGE_VECTORS } from '../helpers/vectors.js';

const [SEED, SECOND] = BITMESSAGE_VECTORS as [(typeof BITMESSAGE_VECTORS)[0], (typeof BITMESSAGE_VECTORS)[0]];
const SEED_HASH_B64 = SEED.initialHashBase64!;

test('base64 and hex forms of the seed initialHash agree', () => {
  assert.deepEqual(parseInitialHash(SEED_HASH_B64), parseInitialHash(SEED.initialHash));
});

test('each vector: its nonce gives its trialValue, which passes its target and no stricter one', () => {
  for (const vector of BITMESSAGE_VECTORS) {
    const job = { initialHash: parseInitialHash(vector.initialHash), target: BigInt(vector.target) };
    const nonce = BigInt(vector.nonce);
    const value = BigInt(vector.trialValue);
    assert.equal(trialValue(job.initialHash, nonce), value, vector.source);
    assert.equal(bitmessage.verify(job, { nonce, trialValue: value }).valid, true, vector.source);
    assert.equal(bitmessage.verify(job, { nonce, trialValue: value - 1n }).valid, false, 'a wrong trialValue is refused');
    assert.equal(bitmessage.verify({ ...job, target: value - 1n }, { nonce, trialValue: value }).valid, false, 'a stricter target is refused');
  }
});

test('each vector\'s nonce is the first passing one counting from 1 (reference scan of the last stretch)', () => {
  // The whole scans (1.3 M and 22 M attempts) belong to the kernel tests; here the last 20,000 nonces.
  for (const vector of BITMESSAGE_VECTORS) {
    const task = bitmessage.task({ initialHash: parseInitialHash(vector.initialHash), target: BigInt(vector.target) });
    const result = referenceBackend.scan(task, BigInt(vector.nonce) - 20000n, 20001);
    assert.equal(result.nonce, BigInt(vector.nonce), vector.source);
    assert.equal(result.attempts, 20001);
  }
});

test('target formula', () => {
  for (const { payloadLength, ttl, target } of BITMESSAGE_TARGETS) assert.equal(targetFor({ payloadLength, ttl }), BigInt(target));
  assert.equal(targetFor({ payloadLength: 0, ttl: 10 }), targetFor({ payloadLength: 0, ttl: 300 }), 'TTL is floored at 300 s');
  assert.equal(targetFor({ payloadLength: 628, ttl: 2418984 }), BigInt(SECOND.target), "the second vector's target is the formula's");
});

test('bad initial hashes and targets are refused by name', () => {
  const isInput = (pattern: RegExp) => (e: unknown) => e instanceof InputError && pattern.test(e.message);
  assert.throws(() => parseInitialHash('abc'), isInput(/initialHash must be 64 bytes as base64 \(88 characters\) or hex \(128 characters\)/));
  assert.throws(() => parseInitialHash(SEED_HASH_B64.slice(4)), isInput(/64 bytes/));
  assert.throws(() => parseTarget(0), isInput(/target must be between 1 and 18446744073709551615/));
  assert.throws(() => parseTarget('18446744073709551616'), isInput(/target must be between/));
  assert.throws(() => parseTarget(1.5), isInput(/target must be an integer/));
  assert.equal(parseTarget('18446744073709551615'), (1n << 64n) - 1n);
});
