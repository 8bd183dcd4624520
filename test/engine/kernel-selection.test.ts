import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../src/schemes/bits.js';
import { KERNELS } from '../../src/schemes/search.js';
import {
  PROBE_ROUNDS,
  kernelCacheDirectory,
  parseKernelPins,
  selectKernel,
  type KernelVariants,
} from '../../src/engine/kernel-selection.js';

const AVAILABLE: KernelVariants = {
  'sha256-text': ['sha-ni-x4', 'sha-ni-x2', 'avx512-16way', 'avx2-8way', 'scalar'],
  'sha1-text': ['sha-ni-x4', 'avx2-8way', 'scalar'],
  'sha256d-header': ['avx2-8way', 'scalar'],
  'sha512d-bitmessage': ['scalar'],
  'blake2b-nano': ['avx2-4way', 'scalar'],
};

/** A timer that replays fixed milliseconds per variant and round, and counts its calls. */
function stubTimer(times: readonly (readonly number[])[]) {
  const calls: number[] = [];
  const time = (index: number): number => {
    const round = calls.filter((called) => called === index).length;
    calls.push(index);
    return times[index][round];
  };
  return { time, calls };
}

function withCache<T>(use: (cache: { file: string; key: string }) => T): T {
  const directory = mkdtempSync(join(tmpdir(), 'powerplant-selection-'));
  try {
    return use({ file: join(directory, 'kernels.json'), key: 'x64 Test CPU / addon 0123' });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

describe('kernel selection', () => {
  it('picks the variant with the best of its rounds, every variant timed on interleaved rounds', () => {
    // Best of rounds: x4 1.0, x2 0.9, avx512 0.7, avx2 1.5, scalar 9 → avx512-16way.
    const { time, calls } = stubTimer([
      [1.2, 1.0, 1.1],
      [0.9, 0.95, 0.9],
      [3.0, 0.7, 2.0], // one slow round (an interrupt) does not hide the fastest
      [1.5, 1.6, 1.5],
      [9, 9, 9],
    ]);
    const choice = selectKernel('sha256-text', { available: AVAILABLE['sha256-text'], time });
    assert.deepEqual(choice, { variant: 'avx512-16way', source: 'measured' });
    assert.equal(calls.length, 5 * PROBE_ROUNDS);
    assert.deepEqual(calls.slice(0, 5), [0, 1, 2, 3, 4], 'rounds interleave the variants');
  });

  it('keeps the first listed variant on a tie', () => {
    const { time } = stubTimer([[2, 2, 2], [1, 1, 1], [1, 1, 1]]);
    assert.equal(selectKernel('sha1-text', { available: AVAILABLE['sha1-text'], time }).variant, 'avx2-8way');
  });

  it('takes a pin without timing anything', () => {
    const { time, calls } = stubTimer([]);
    assert.deepEqual(selectKernel('sha1-text', { available: AVAILABLE['sha1-text'], pinned: 'scalar', time }), {
      variant: 'scalar',
      source: 'pinned',
    });
    assert.equal(calls.length, 0);
  });

  it('writes the measured choice and reads it back on the next selection, without timing', () => {
    withCache((cache) => {
      const first = stubTimer([[5, 5, 5], [1, 1, 1], [9, 9, 9]]);
      assert.deepEqual(selectKernel('sha1-text', { available: AVAILABLE['sha1-text'], cache, time: first.time }), {
        variant: 'avx2-8way',
        source: 'measured',
      });
      const second = stubTimer([]);
      assert.deepEqual(selectKernel('sha1-text', { available: AVAILABLE['sha1-text'], cache, time: second.time }), {
        variant: 'avx2-8way',
        source: 'cached',
      });
      assert.equal(second.calls.length, 0);
      // Another addon build (or CPU) has its own entry, so it measures again.
      const other = stubTimer([[1, 1, 1], [5, 5, 5], [9, 9, 9]]);
      const rebuilt = { ...cache, key: 'x64 Test CPU / addon 4567' };
      assert.equal(selectKernel('sha1-text', { available: AVAILABLE['sha1-text'], cache: rebuilt, time: other.time }).source, 'measured');
      assert.deepEqual(JSON.parse(readFileSync(cache.file, 'utf8')), {
        [cache.key]: { 'sha1-text': 'avx2-8way' },
        [rebuilt.key]: { 'sha1-text': 'sha-ni-x4' },
      });
    });
  });

  it('measures again when the cached variant is not one this CPU runs, or the cache is garbage', () => {
    withCache((cache) => {
      writeFileSync(cache.file, JSON.stringify({ [cache.key]: { 'blake2b-nano': 'avx512-8way' } }));
      const { time } = stubTimer([[1, 1, 1], [2, 2, 2]]);
      assert.equal(selectKernel('blake2b-nano', { available: AVAILABLE['blake2b-nano'], cache, time }).source, 'measured');
      writeFileSync(cache.file, 'not json');
      const again = stubTimer([[1, 1, 1], [2, 2, 2]]);
      assert.equal(selectKernel('blake2b-nano', { available: AVAILABLE['blake2b-nano'], cache, time: again.time }).source, 'measured');
    });
  });

  it('parses POWERPLANT_KERNEL and refuses what this CPU cannot run', () => {
    assert.deepEqual(parseKernelPins(undefined, AVAILABLE), {});
    assert.deepEqual(parseKernelPins(' ', AVAILABLE), {});
    assert.deepEqual(parseKernelPins('scalar', AVAILABLE), Object.fromEntries(KERNELS.map((kernel) => [kernel, 'scalar'])));
    assert.deepEqual(parseKernelPins('sha1-text=avx2-8way, blake2b-nano = scalar', AVAILABLE), {
      'sha1-text': 'avx2-8way',
      'blake2b-nano': 'scalar',
    });
    assert.throws(
      () => parseKernelPins('sha1-text=avx512-16way', AVAILABLE),
      (error: unknown) =>
        error instanceof InputError &&
        error.message.includes('sha1-text has no variant "avx512-16way" on this CPU; it runs sha-ni-x4, avx2-8way, scalar'),
    );
    for (const bad of ['sha3-text=scalar', 'sha1-text', 'sha1-text=', 'sha1-text=scalar=x', 'avx2']) {
      assert.throws(() => parseKernelPins(bad, AVAILABLE), InputError, bad);
    }
  });

  it('puts the cache where POWERPLANT_CACHE_DIR or XDG_CACHE_HOME says, or nowhere', () => {
    assert.equal(kernelCacheDirectory({ POWERPLANT_CACHE_DIR: 'off' }), null);
    assert.equal(kernelCacheDirectory({ POWERPLANT_CACHE_DIR: '/tmp/pp' }), '/tmp/pp');
    if (process.platform === 'linux') assert.equal(kernelCacheDirectory({ XDG_CACHE_HOME: '/x/cache' }), '/x/cache/powerplant');
  });
});
