import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bitmessage, parseInitialHash, parseTarget, targetFor, trialValue } from '../../src/schemes/bitmessage.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { InputError } from '../../src/schemes/bits.js';

const SEED_HASH_B64 = 'vSJ95SFzpQ7NVIk/cd5SUR9isX+s8s5mcKJIn4G3Owqk7/yBuTX2KPxTg8RpkO1yJJ0bz7/8/5KMU5BEcjxehw==';
const SEED_HASH_HEX =
  'bd227de52173a50ecd54893f71de52511f62b17facf2ce6670a2489f81b73b0aa4effc81b935f628fc5383c46990ed72249d1bcfbffcff928c539044723c5e87';

test('base64 and hex forms of the seed initialHash agree', () => {
  assert.deepEqual(parseInitialHash(SEED_HASH_B64), parseInitialHash(SEED_HASH_HEX));
});

test('the seed vector: nonce 1302572 gives trialValue 799892720325', () => {
  const job = { initialHash: parseInitialHash(SEED_HASH_B64), target: 3979158916983n };
  assert.equal(trialValue(job.initialHash, 1302572n), 799892720325n);
  assert.equal(bitmessage.verify(job, { nonce: 1302572n, trialValue: 799892720325n }).valid, true);
  assert.equal(bitmessage.verify(job, { nonce: 1302572n, trialValue: 799892720324n }).valid, false);
  assert.equal(bitmessage.verify({ ...job, target: 799892720324n }, { nonce: 1302572n, trialValue: 799892720325n }).valid, false);
});

test('1302572 is the first passing nonce counting from 1 (reference scan of the last stretch)', () => {
  const task = bitmessage.task({ initialHash: parseInitialHash(SEED_HASH_HEX), target: 3979158916983n });
  // The whole 1.3 M-attempt scan belongs to the kernel tests; here the last 20,000 nonces.
  const result = referenceBackend.scan(task, 1302572n - 20000n, 20001);
  assert.equal(result.nonce, 1302572n);
  assert.equal(result.attempts, 20001);
});

test('second vector', () => {
  const initialHash = parseInitialHash(
    '8ff2d685db89a0af2e3dbfd3f700ae96ef4d9a1eac72fd778bbb368c7510cddda349e03207e1c4965bd95c6f7265e8f1a481a08afab3874eaafb9ade09a10880',
  );
  assert.equal(trialValue(initialHash, 21997550n), 120283692955n);
  assert.ok(120283692955n <= 297422593171n);
});

test('target formula', () => {
  assert.equal(targetFor({ payloadLength: 628, ttl: 2418984 }), 297422593171n);
  assert.equal(targetFor({ payloadLength: 100, ttl: 345600 }), 2654207780389n);
  assert.equal(targetFor({ payloadLength: 0, ttl: 300 }), 18228007977973n);
  assert.equal(targetFor({ payloadLength: 0, ttl: 10 }), 18228007977973n, 'TTL is floored at 300 s');
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
