import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHALLENGE_LENGTH, ChallengeCodec, readChallenge } from '../../src/gate/challenge.js';
import { PowerplantError } from '../../src/errors.js';

const SECRET = Buffer.from('a test secret of enough length');
const NOW = 1_790_000_000_000;
const codec = new ChallengeCodec(SECRET, 'test');

const refusedWith = (code: string) => (error: unknown) => error instanceof PowerplantError && error.code === code;

test('a challenge is fixed-width lowercase hex with no colon, and reads back its fields', () => {
  const challenge = codec.issue({ bits: 20, algorithm: 'sha1', ttlS: 120, nowMs: NOW });
  assert.equal(challenge.text.length, CHALLENGE_LENGTH);
  assert.match(challenge.text, /^v1[0-9a-f]+$/);
  assert.equal(challenge.text, challenge.text.toLowerCase());
  assert.deepEqual(readChallenge(challenge.text), challenge);
  assert.equal(challenge.expires, NOW / 1000 + 120);
  assert.deepEqual(codec.open(challenge.text, NOW), challenge);
  assert.equal(codec.issue({ bits: 9, algorithm: 'sha256', ttlS: 1, nowMs: NOW }).algorithm, 'sha256');
});

test('two challenges issued at once differ', () => {
  const a = codec.issue({ bits: 16, algorithm: 'sha1', ttlS: 60, nowMs: NOW });
  const b = codec.issue({ bits: 16, algorithm: 'sha1', ttlS: 60, nowMs: NOW });
  assert.notEqual(a.id, b.id);
});

test('flipping any character of any field is refused', () => {
  const { text } = codec.issue({ bits: 16, algorithm: 'sha1', ttlS: 60, nowMs: NOW });
  for (let i = 0; i < text.length; i++) {
    const flipped = text.slice(0, i) + (text[i] === '0' ? '1' : '0') + text.slice(i + 1);
    assert.throws(() => codec.open(flipped, NOW), (e: unknown) => e instanceof PowerplantError && (e.code === 'PP_ERR_FORGED' || e.code === 'PP_ERR_INVALID'), `position ${i}`);
  }
});

test('a lowered difficulty with a recomputed-looking tag is refused', () => {
  const { text } = codec.issue({ bits: 24, algorithm: 'sha1', ttlS: 60, nowMs: NOW });
  const easier = text.slice(0, 12) + '01' + text.slice(14);
  assert.throws(() => codec.open(easier, NOW), refusedWith('PP_ERR_FORGED'));
});

test('expired, wrong purpose, wrong secret and malformed challenges are refused', () => {
  const { text } = codec.issue({ bits: 16, algorithm: 'sha1', ttlS: 60, nowMs: NOW });
  assert.throws(() => codec.open(text, NOW + 60_000), refusedWith('PP_ERR_EXPIRED'));
  assert.doesNotThrow(() => codec.open(text, NOW + 59_999));
  assert.throws(() => new ChallengeCodec(SECRET, 'other').open(text, NOW), refusedWith('PP_ERR_WRONG_PURPOSE'));
  assert.throws(() => new ChallengeCodec(Buffer.from('another secret, same length!!!'), 'test').open(text, NOW), refusedWith('PP_ERR_FORGED'));
  for (const bad of ['', 'v1', text.toUpperCase(), text + '0', text.slice(1), `v2${text.slice(2)}`, text.replace(/.$/, 'g')]) {
    assert.throws(() => codec.open(bad, NOW), refusedWith('PP_ERR_INVALID'), bad);
  }
  const unknownAlgorithm = text.slice(0, 10) + '07' + text.slice(12);
  assert.throws(() => codec.open(unknownAlgorithm, NOW), refusedWith('PP_ERR_INVALID'));
});
