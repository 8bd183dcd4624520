import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RangeAllocator } from '../../src/broker/ranges.js';

describe('RangeAllocator', () => {
  it('hands out disjoint ranges until the space is used up', () => {
    const ranges = new RangeAllocator(10n);
    assert.deepEqual(ranges.claim(4n), { start: 0n, end: 4n });
    assert.deepEqual(ranges.claim(4n), { start: 4n, end: 8n });
    assert.deepEqual(ranges.claim(4n), { start: 8n, end: 10n }, 'the last range is cut at the end of the space');
    assert.equal(ranges.claim(1n), null);
  });

  it('hands out released ranges first, split to the size asked', () => {
    const ranges = new RangeAllocator(100n);
    const first = ranges.claim(10n)!;
    ranges.claim(10n);
    ranges.release(first);
    assert.deepEqual(ranges.claim(4n), { start: 0n, end: 4n });
    assert.deepEqual(ranges.claim(100n), { start: 4n, end: 10n });
    assert.deepEqual(ranges.claim(5n), { start: 20n, end: 25n });
  });

  it('is exhausted only when every nonce was finished', () => {
    const ranges = new RangeAllocator(8n);
    const a = ranges.claim(4n)!;
    const b = ranges.claim(4n)!;
    ranges.finish(a);
    assert.equal(ranges.exhausted, false, 'b is still being searched');
    ranges.release(b);
    assert.equal(ranges.exhausted, false, 'b went back to be handed out again');
    ranges.finish(ranges.claim(4n)!);
    assert.equal(ranges.exhausted, true);
  });

  it('refuses an empty claim', () => {
    assert.throws(() => new RangeAllocator(8n).claim(0n), RangeError);
  });
});
