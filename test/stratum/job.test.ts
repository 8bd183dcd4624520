import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockHash, difficultyOf, hashValue } from '../../src/schemes/bitcoin.js';
import { buildHeader, counterHex, merkleRoot, notifyParams, parseNotify, swapWords } from '../../src/stratum/job.js';

// Reference section 4: block 100000 as a Stratum job.
const NOTIFY = [
  'b100k',
  '1901125004612a1701c3a621d930d31d36b607df1fccc2160002d01c00000000',
  '01000000010000000000000000000000000000000000000000000000000000000000000000ffffffff0804',
  'ffffffff0100f2052a010000004341041b0e8c2567c12536aa13357b79a073dc4444acb83c4ec7a0e2f99dd7457516c5817242da796924ca4e99947d087fedf9ce467cb9f7c6287078f801df276fdf84ac00000000',
  [
    'c40297f730dd7b5a99567eb8d27b78758f607507c52292d02d4031895b52f2ff',
    '49aef42d78e3e9999c9e6ec9e1dddd6cb880bf3b076a03be1318ca789089308e',
  ],
  '00000001',
  '1b04864c',
  '4d1b2237',
  true,
];
const HEADER_100K =
  '0100000050120119172a610421a6c3011dd330d9df07b63616c2cc1f1cd00200000000006657a9252aacd5c0b2940996ecff952228c3067cc38d4885efb5a4ac4247e9f337221b4d4c86041b0f2b5710';

test('the block-100000 header is rebuilt from notify + submit params', () => {
  const job = parseNotify(NOTIFY);
  const header = buildHeader(job, { extranonce1: '4c86041b', extranonce2: '020602', ntime: '4d1b2237', nonce: '10572b0f' });
  assert.equal(Buffer.from(header).toString('hex'), HEADER_100K);
  assert.equal(Buffer.from(header.subarray(36, 68)).reverse().toString('hex'), 'f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766');
  assert.equal(blockHash(header), '000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506');
  assert.ok(Math.abs(difficultyOf(hashValue(header)) - 17583.06) < 0.01);
});

test('notify params survive parse and print', () => {
  assert.deepEqual(notifyParams(parseNotify(NOTIFY)), NOTIFY);
});

/** NOTIFY with one param replaced. */
const notifyWith = (index: number, value: unknown): unknown[] => NOTIFY.map((param, i) => (i === index ? value : param));

test('parseNotify refuses malformed jobs', () => {
  assert.throws(() => parseNotify(NOTIFY.slice(0, 8)), /9 params/);
  assert.throws(() => parseNotify(notifyWith(1, 'zz')), /prevhash/);
  assert.throws(() => parseNotify(notifyWith(2, 'abc')), /coinb1/);
  assert.throws(() => parseNotify(notifyWith(4, ['00'])), /merkle_branch\[0\]/);
  assert.throws(() => parseNotify(notifyWith(6, '1b04864')), /nbits/);
  assert.throws(() => parseNotify(notifyWith(0, 7)), /job_id/);
});

test('swapWords is its own inverse and swaps within 4-byte words', () => {
  const bytes = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
  assert.deepEqual([...swapWords(bytes)], [4, 3, 2, 1, 8, 7, 6, 5]);
  assert.deepEqual(swapWords(swapWords(bytes)), bytes);
});

test('a merkle root with no branch is the coinbase hash', () => {
  const coinbase = Buffer.from('00ff', 'hex');
  assert.equal(merkleRoot(coinbase, []).length, 32);
  assert.notDeepEqual(merkleRoot(coinbase, []), merkleRoot(coinbase, [new Uint8Array(32)]));
});

test('extranonce2 counters are fixed-width hex', () => {
  assert.equal(counterHex(5n, 4), '00000005');
  assert.equal(counterHex(0x1_0000_0001n, 4), '00000001');
});
