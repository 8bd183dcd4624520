import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { hashValue, targetFromBits } from '../../src/schemes/bitcoin.js';
import { trialValue } from '../../src/schemes/bitmessage.js';
import { KERNELS, nonceSpace, type KernelName, type SearchTask } from '../../src/schemes/search.js';
import type { Backend } from '../../src/engine/backend.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { loadNativeBackend, nativeAddonPath, nativeKernelVariants } from '../../src/engine/native.js';
import { U64, generator, hex, impossible, text } from '../helpers/random.js';
import { BITCOIN_HEADERS, NANO_VECTORS, NIP13_EXAMPLE, NOSTRIL_EXAMPLE, nostrTask } from '../helpers/vectors.js';


const kernels = nativeKernelVariants();
const skip = kernels === null && process.env.CI !== 'true' && 'native addon not built (run `npx node-gyp rebuild`)';

/** One backend per variant of `kernel` this CPU runs, scalar included. */
function variantBackends(kernel: KernelName): [string, Backend][] {
  assert.ok(kernels !== null, 'the native addon must load (CI builds it)');
  return kernels[kernel].map((variant) => {
    const backend = loadNativeBackend({ [kernel]: variant });
    assert.ok(backend !== null);
    return [variant, backend];
  });
}

/** Every variant finds what the JS reference finds on the range, attempts included. */
function assertAllAgree(task: SearchTask, start: bigint, count: number, label: string): void {
  const expected = referenceBackend.scan(task, start, count);
  for (const [variant, backend] of variantBackends(task.kernel)) {
    assert.deepEqual(backend.scan(task, start, count), expected, `${label} ${variant} [${start}, +${count})`);
  }
}

/** Every variant finds exactly `nonce` as the first pass of the range. */
function assertFinds(task: SearchTask, start: bigint, count: number, nonce: bigint, label: string): void {
  for (const [variant, backend] of variantBackends(task.kernel)) {
    const found = backend.scan(task, start, count);
    assert.deepEqual(found, { nonce, attempts: Number(nonce - start) + 1 }, `${label} ${variant}`);
  }
}

/** A task of every family where about one nonce in 2^17 passes. */
function oneIn2To17(random: ReturnType<typeof generator>): SearchTask[] {
  return [
    { kernel: 'sha256-text', prefix: random.bytes(90), suffix: random.bytes(30), width: 12, zeroBits: 17 },
    { kernel: 'sha1-text', prefix: random.bytes(40), suffix: random.bytes(0), width: 11, zeroBits: 17 },
    { kernel: 'sha256d-header', header: random.bytes(80), target: (1n << 240n) - 1n },
    { kernel: 'sha512d-bitmessage', initialHash: random.bytes(64), target: U64 >> 17n },
    { kernel: 'blake2b-nano', root: random.bytes(32), threshold: U64 - (U64 >> 17n) },
  ];
}

describe('native addon', { skip }, () => {
  it('lists its variants, scalar last, the selected one among them', () => {
    assert.ok(kernels !== null);
    const backend = loadNativeBackend();
    assert.equal(backend?.name, 'native');
    const selected = backend.kernels?.();
    for (const kernel of KERNELS) {
      const available: readonly string[] = kernels[kernel];
      assert.equal(available.at(-1), 'scalar', kernel);
      assert.ok(available.includes(selected?.[kernel].variant ?? ''), kernel);
    }
    assert.throws(() => loadNativeBackend({ 'blake2b-nano': 'no-such-variant' }), RangeError);
  });

  describe('kernel selection in a fresh process', () => {
    const script = `import { loadNativeBackend } from ${JSON.stringify(new URL('../../src/engine/native.js', import.meta.url).href)};
      process.stdout.write(JSON.stringify(loadNativeBackend()?.kernels?.() ?? null));`;
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env }, encoding: 'utf8' });
    const selected = (env: Record<string, string>): unknown => {
      const result = run(env);
      assert.equal(result.status, 0, result.stderr);
      return JSON.parse(result.stdout);
    };
    let cacheDir: string;
    before(() => {
      cacheDir = mkdtempSync(join(tmpdir(), 'powerplant-kernels-'));
    });
    after(() => rmSync(cacheDir, { recursive: true, force: true }));

    it('honours POWERPLANT_KERNEL=scalar, per-family pins and POWERPLANT_NO_NATIVE=1', () => {
      const off = { POWERPLANT_CACHE_DIR: 'off' };
      assert.deepEqual(
        selected({ ...off, POWERPLANT_KERNEL: 'scalar' }),
        Object.fromEntries(KERNELS.map((kernel) => [kernel, { variant: 'scalar', source: 'pinned' }])),
      );
      const pinned = selected({ ...off, POWERPLANT_KERNEL: 'sha1-text=scalar, blake2b-nano=scalar' }) as Record<string, { source: string }>;
      assert.deepEqual(pinned['sha1-text'], { variant: 'scalar', source: 'pinned' });
      assert.deepEqual(pinned['blake2b-nano'], { variant: 'scalar', source: 'pinned' });
      assert.equal(pinned['sha256-text'].source, 'measured');
      assert.equal(selected({ POWERPLANT_NO_NATIVE: '1' }), null);
    });

    it('refuses a pin this CPU cannot run, naming the variants it supports', () => {
      assert.ok(kernels !== null);
      const result = run({ POWERPLANT_CACHE_DIR: 'off', POWERPLANT_KERNEL: 'sha1-text=avx-1024' });
      assert.notEqual(result.status, 0);
      assert.match(result.stderr, /POWERPLANT_KERNEL: sha1-text has no variant "avx-1024" on this CPU/);
      assert.ok(result.stderr.includes(kernels['sha1-text'].join(', ')), result.stderr);
      assert.match(run({ POWERPLANT_KERNEL: 'sha3-text=scalar' }).stderr, /"sha3-text=scalar" is not family=variant/);
    });

    it('measures on the first start and reads the cache on the second', () => {
      const env = { POWERPLANT_CACHE_DIR: cacheDir };
      const first = selected(env) as Record<string, { variant: string; source: string }>;
      const second = selected(env) as Record<string, { variant: string; source: string }>;
      for (const kernel of KERNELS) {
        assert.equal(first[kernel].source, 'measured', kernel);
        assert.deepEqual(second[kernel], { variant: first[kernel].variant, source: 'cached' }, kernel);
      }
    });
  });

  it('rejects what C cannot check instead of crashing', () => {
    const backend = loadNativeBackend();
    assert.ok(backend !== null);
    const nano: SearchTask = { kernel: 'blake2b-nano', root: new Uint8Array(32), threshold: 1n };
    assert.throws(() => backend.scan({ ...nano, root: new Uint8Array(31) }, 0n, 1), RangeError);
    assert.throws(() => backend.scan({ ...nano, threshold: U64 }, 0n, 1), RangeError);
    assert.throws(() => backend.scan(nano, U64 - 1n, 2), RangeError);
    const header: SearchTask = { kernel: 'sha256d-header', header: new Uint8Array(79), target: 1n };
    assert.throws(() => backend.scan(header, 0n, 1), RangeError);
    const textTask: SearchTask = { kernel: 'sha1-text', prefix: text('a'), suffix: text(''), width: 2, zeroBits: 1 };
    assert.throws(() => backend.scan(textTask, 99n, 2), RangeError);
    assert.throws(() => backend.scan({ ...textTask, zeroBits: 161 }, 0n, 1), RangeError);
  });

  it('the addon itself throws on wrong lengths, ranges and types', () => {
    const path = nativeAddonPath();
    const addon = createRequire(import.meta.url)(path) as Record<string, (...args: unknown[]) => unknown>;
    const bytes = (length: number): Uint8Array => new Uint8Array(length);
    assert.throws(() => addon.sha256dHeader(0, bytes(79), bytes(32), 0n, 1), RangeError);
    assert.throws(() => addon.sha256dHeader(0, bytes(80), bytes(31), 0n, 1), RangeError);
    assert.throws(() => addon.sha256dHeader(0, bytes(80), bytes(32), 0xffffffffn, 2), RangeError);
    assert.throws(() => addon.sha512dBitmessage(0, bytes(64), -1n, 0n, 1), RangeError);
    assert.throws(() => addon.blake2bNano(0, new Uint16Array(16), 0n, 0n, 1), TypeError);
    assert.throws(() => addon.blake2bNano(0, bytes(32), 0n, 0n, 0.5), RangeError);
    assert.throws(() => addon.blake2bNano('avx2-4way', bytes(32), 0n, 0n, 1), TypeError);
    assert.throws(() => addon.blake2bNano(99, bytes(32), 0n, 0n, 1), RangeError);
    assert.throws(() => addon.sha256Text(0, bytes(3), bytes(0), 20, 1, 0n, 1), RangeError);
    assert.throws(() => addon.sha1Text(0, bytes(3), bytes(0), 2, 1, 99n, 2), RangeError);
    assert.throws(() => addon.sha1Text(0, bytes(3), bytes(0), 2, 1, 0n), TypeError);
    assert.deepEqual(addon.sha1Text(0, bytes(0), bytes(0), 1, 0, 3n, 7), { nonce: 3n, attempts: 1 });
  });

  it('finds the NIP-13 vectors (sha256-text)', () => {
    const first = nostrTask(NIP13_EXAMPLE, '776797', 21);
    assertFinds(first, 776797n - 603n, 700, 776797n, 'NIP-13 example');
    assertAllAgree(first, 776797n - 203n, 213, 'NIP-13 example');
    const robot = nostrTask(NOSTRIL_EXAMPLE, '3634431872961', 44);
    assertFinds(robot, 3634431872961n - 5001n, 5100, 3634431872961n, 'nostril 44 bits');
    assertAllAgree({ ...robot, zeroBits: 6 }, 3634431872961n - 17n, 300, 'nostril at 6 bits');
  });

  it('finds the Bitcoin headers (sha256d-header), target compared inclusively', () => {
    const headers = BITCOIN_HEADERS.map(([header]) => hex(header));
    for (const header of headers) {
      const nonce = BigInt(Buffer.from(header).readUInt32LE(76));
      const task: SearchTask = { kernel: 'sha256d-header', header, target: targetFromBits(Buffer.from(header).readUInt32LE(72)) };
      assertFinds(task, nonce - 3001n, 3050, nonce, `header ${nonce}`);
      const exact = hashValue(header);
      assertFinds({ ...task, target: exact }, nonce, 1, nonce, 'target equal to the hash');
      // Ties on the hash's top 32 bits take the kernels' exact path, also in a lane other than the first.
      assertFinds({ ...task, target: exact }, nonce - 2n, 4, nonce, 'target equal to the hash, third lane');
      for (const [, backend] of variantBackends('sha256d-header')) {
        assert.deepEqual(backend.scan({ ...task, target: exact - 1n }, nonce, 1), { nonce: null, attempts: 1 });
        assert.deepEqual(backend.scan({ ...task, target: exact - 1n }, nonce - 2n, 7), { nonce: null, attempts: 7 });
      }
    }
    const genesis = Buffer.from(headers[0]);
    assert.equal(genesis.readUInt32LE(76), 0x7c2bac1d);
  });

  it('finds the Bitmessage vectors (sha512d-bitmessage)', () => {
    const task: SearchTask = {
      kernel: 'sha512d-bitmessage',
      initialHash: hex('bd227de52173a50ecd54893f71de52511f62b17facf2ce6670a2489f81b73b0aa4effc81b935f628fc5383c46990ed72249d1bcfbffcff928c539044723c5e87'),
      target: 3979158916983n,
    };
    assertFinds(task, 1n, 1_400_000, 1302572n, 'first vector from 1');
    const second: SearchTask = {
      kernel: 'sha512d-bitmessage',
      initialHash: hex('8ff2d685db89a0af2e3dbfd3f700ae96ef4d9a1eac72fd778bbb368c7510cddda349e03207e1c4965bd95c6f7265e8f1a481a08afab3874eaafb9ade09a10880'),
      target: 297422593171n,
    };
    assertFinds(second, 21997550n - 10_001n, 10_010, 21997550n, 'second vector');
    assert.equal(trialValue(second.initialHash, 21997550n), 120283692955n);
    assertFinds({ ...second, target: 120283692955n }, 21997550n, 1, 21997550n, 'target equal to the trial value');
    for (const [, backend] of variantBackends('sha512d-bitmessage')) {
      assert.deepEqual(backend.scan({ ...second, target: 120283692954n }, 21997550n, 1), { nonce: null, attempts: 1 });
    }
  });

  it('finds the Nano vectors (blake2b-nano), threshold compared inclusively', () => {
    for (const [root, work, value] of NANO_VECTORS) {
      const nonce = BigInt(`0x${work}`);
      const task: SearchTask = { kernel: 'blake2b-nano', root: hex(root), threshold: BigInt(`0x${value}`) };
      assertFinds(task, nonce, 1, nonce, `${work} at its own value`);
      for (const [, backend] of variantBackends('blake2b-nano')) {
        assert.deepEqual(backend.scan({ ...task, threshold: task.threshold + 1n }, nonce, 1), { nonce: null, attempts: 1 });
      }
      if (value.startsWith('fffff')) {
        const start = nonce > 4001n ? nonce - 4001n : 0n;
        assertFinds(task, start, Number(nonce - start) + 7, nonce, `${work} in a range`);
      }
    }
  });

  it('agrees with the JS reference on random text tasks, across block boundaries', () => {
    const random = generator(13);
    for (let round = 0; round < 120; round++) {
      const width = 1 + random.int(19);
      const space = 10n ** BigInt(width);
      const count = Number(space < 600n ? space : BigInt(1 + random.int(600)));
      const room = space - BigInt(count);
      // Starts anywhere, including the very end of the nonce space (so digits carry to the top).
      const start = random.int(4) === 0 ? room : (room < 1_000_000n ? BigInt(random.int(Number(room) + 1)) : random.u64() % room);
      for (const kernel of ['sha256-text', 'sha1-text'] as const) {
        const task: SearchTask = {
          kernel,
          prefix: random.bytes(random.int(201)),
          suffix: random.bytes(random.int(201)),
          width,
          zeroBits: random.int(5) === 0 ? 40 : random.int(10),
        };
        assertAllAgree(task, start, count, `${kernel} prefix ${task.prefix.length} suffix ${task.suffix.length} width ${width}`);
      }
    }
  });

  it('agrees with the JS reference where the high digits of a text nonce change', () => {
    // Kernels may hash the words of digits that stay fixed over an aligned run of 10^k nonces
    // once per run: every digit position in a round pair, ranges across 10^4..10^8 boundaries.
    const random = generator(41);
    for (let prefixLength = 0; prefixLength < 80; prefixLength++) {
      const task: SearchTask = { kernel: 'sha256-text', prefix: random.bytes(prefixLength), suffix: random.bytes(random.int(70)), width: 9, zeroBits: 7 };
      const label = `sha256-text prefix ${prefixLength}`;
      // Started just before the boundary, so the first pass usually lies after it.
      assertAllAgree(task, 100_000_000n - 3n, 400, `${label} across 10^8`);
      assertAllAgree(task, 30_000n - 2n, 400, `${label} across 3·10^4`);
    }
  });

  it('agrees with the JS reference where the text kernels search in segments of the last digit word', () => {
    // The AVX-512 text kernels search runs of 10^d nonces over which only the message word holding
    // the last d digits changes: the digits at every offset of a block (so that word is each of the
    // 16, holding 1 to 4 digits), runs crossed mid-batch, with and without blocks after the nonce.
    const random = generator(57);
    for (let offset = 0; offset < 64; offset++) {
      for (const kernel of ['sha256-text', 'sha1-text'] as const) {
        const width = 2 + random.int(5);
        const prefix = random.bytes(64 * random.int(2) + offset);
        const suffix = random.bytes(random.int(3) === 0 ? 130 : random.int(64 - ((offset + width) % 64)));
        const digitsInWord = Math.min(width, ((offset + width - 1) % 4) + 1);
        const span = 10n ** BigInt(digitsInWord);
        const space = 10n ** BigInt(width);
        // Started 7 below a run's end so that a batch of lanes straddles it, and searched over runs.
        const start = (span * BigInt(1 + random.int(3)) - 7n) % space;
        const count = Number(space - start < 300n ? space - start : 300n);
        const label = `${kernel} digits at ${offset} width ${width} suffix ${suffix.length}`;
        assertAllAgree({ kernel, prefix, suffix, width, zeroBits: 6 }, start, count, `${label} passing`);
        assertAllAgree({ kernel, prefix, suffix, width, zeroBits: 40 }, start, count, `${label} none passing`);
      }
    }
  });

  it('hashes long suffixes straight from the caller\'s buffer', () => {
    for (const kernel of ['sha256-text', 'sha1-text'] as const) {
      const task: SearchTask = { kernel, prefix: text('p'.repeat(70)), suffix: new Uint8Array(300_000).fill(65), width: 3, zeroBits: 5 };
      assertAllAgree(task, 0n, 40, `${kernel} with a 300 kB suffix`);
    }
  });

  it('agrees with the JS reference on random headers, Bitmessage hashes and Nano roots', () => {
    const random = generator(29);
    for (let round = 0; round < 25; round++) {
      const count = 1 + random.int(1500);
      const tasks: SearchTask[] = [
        { kernel: 'sha256d-header', header: random.bytes(80), target: ((1n << 256n) - 1n) >> BigInt(5 + random.int(6)) },
        { kernel: 'sha512d-bitmessage', initialHash: random.bytes(64), target: U64 >> BigInt(5 + random.int(6)) },
        { kernel: 'blake2b-nano', root: random.bytes(32), threshold: U64 - (U64 >> BigInt(5 + random.int(6))) },
      ];
      for (const task of tasks) {
        const room = nonceSpace(task) - BigInt(count);
        const start = random.int(5) === 0 ? room : random.u64() % room;
        assertAllAgree(task, start, count, task.kernel);
        assertAllAgree(impossible(task), start, Math.min(count, 300), `${task.kernel} with no solution`);
      }
    }
  });

  it('SIMD and scalar agree on long native-only scans', () => {
    for (const task of oneIn2To17(generator(71))) {
      const backends = variantBackends(task.kernel);
      for (const start of [999_999_937n, 12_345n]) {
        const results = backends.map(([, backend]) => backend.scan(task, start, 400_003));
        for (const result of results) assert.deepEqual(result, results[0], task.kernel);
      }
    }
  });
});

describe('native addon at the end of a nonce space', { skip }, () => {
  it('scans an empty range at the very end of every family, 2^64 included, as the reference does', () => {
    for (const task of oneIn2To17(generator(72))) {
      const end = nonceSpace(task);
      assert.deepEqual(referenceBackend.scan(task, end, 0), { nonce: null, attempts: 0 }, `reference ${task.kernel}`);
      for (const [variant, backend] of variantBackends(task.kernel)) {
        assert.deepEqual(backend.scan(task, end, 0), { nonce: null, attempts: 0 }, `${task.kernel} ${variant} at ${end}`);
      }
    }
  });
});
