import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headerBits, targetFromBits } from '../../src/schemes/bitcoin.js';
import { nonceSpace, type SearchTask } from '../../src/schemes/search.js';
import type { Backend } from '../../src/engine/backend.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { loadWasmBackend, wasmDirectory } from '../../src/engine/wasm.js';
import { WASM_SCALAR_FILE, WASM_SIMD_FILE, wasmBackendFromModule } from '../../src/engine/wasm-kernels.js';
import { U64, generator, hex, text } from '../helpers/random.js';
import { BITCOIN_HEADERS, NANO_VECTORS } from '../helpers/vectors.js';


const modules = {
  'wasm-simd128': new WebAssembly.Module(readFileSync(join(wasmDirectory(), WASM_SIMD_FILE))),
  'wasm-scalar': new WebAssembly.Module(readFileSync(join(wasmDirectory(), WASM_SCALAR_FILE))),
};

/** Asserts the backend finds exactly `nonce` at the end of a scan of count 1 and no further. */
function assertExact(backend: Backend, task: SearchTask, nonce: bigint, passes: boolean): void {
  assert.deepEqual(backend.scan(task, nonce, 1), passes ? { nonce, attempts: 1 } : { nonce: null, attempts: 1 });
}

describe('wasm: the committed modules', () => {
  it('import nothing and export memory, pp_scratch and every kernel', () => {
    for (const module of Object.values(modules)) {
      assert.deepEqual(WebAssembly.Module.imports(module), []);
      const names = WebAssembly.Module.exports(module).map((entry) => entry.name);
      for (const name of ['memory', 'pp_scratch', 'pp_sha256_text_scalar', 'pp_blake2b_nano_scalar']) {
        assert.ok(names.includes(name), name);
      }
    }
  });

  it('POWERPLANT_NO_WASM_SIMD=1 selects the scalar build', () => {
    const script = `import('${new URL('../../src/engine/wasm.js', import.meta.url).href}').then((m) => console.log(m.wasmPath()))`;
    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, POWERPLANT_NO_WASM_SIMD: '1' } });
    assert.equal(child.stdout.trim(), join(wasmDirectory(), WASM_SCALAR_FILE));
  });

  it('keeps the calling code free of Node APIs, for browsers', () => {
    const compiled = readFileSync(new URL('../../src/engine/wasm-kernels.js', import.meta.url), 'utf8');
    assert.doesNotMatch(compiled, /from '(node:|fs|path|url)/);
  });

  it('loadWasmBackend picks the SIMD build on Node 20', () => {
    const backend = loadWasmBackend();
    assert.equal(backend.name, 'wasm');
    assert.equal(backend.kernel({ kernel: 'blake2b-nano', root: new Uint8Array(32), threshold: 0n }), 'wasm-simd128');
  });

  it('rejects what C cannot check', () => {
    const backend = loadWasmBackend();
    const nano: SearchTask = { kernel: 'blake2b-nano', root: new Uint8Array(32), threshold: 1n };
    assert.throws(() => backend.scan({ ...nano, root: new Uint8Array(31) }, 0n, 1), RangeError);
    assert.throws(() => backend.scan({ ...nano, threshold: U64 }, 0n, 1), RangeError);
    assert.throws(() => backend.scan(nano, U64 - 1n, 2), RangeError);
    assert.throws(() => backend.scan(nano, 0n, 1.5), RangeError);
    const textTask: SearchTask = { kernel: 'sha1-text', prefix: text('a'), suffix: text(''), width: 2, zeroBits: 1 };
    assert.throws(() => backend.scan(textTask, 99n, 2), RangeError);
    assert.throws(() => backend.scan({ ...textTask, zeroBits: 161 }, 0n, 1), RangeError);
    assert.throws(() => backend.scan({ ...textTask, width: 20 }, 0n, 1), RangeError);
  });

  it('survives memory growth for a long suffix', () => {
    const backend = loadWasmBackend();
    const task: SearchTask = { kernel: 'sha256-text', prefix: text('p'), suffix: new Uint8Array(300_000).fill(65), width: 3, zeroBits: 4 };
    assert.deepEqual(backend.scan(task, 0n, 40), referenceBackend.scan(task, 0n, 40));
  });
});

for (const [variant, module] of Object.entries(modules)) {
  const backend = wasmBackendFromModule(module);

  describe(`wasm ${variant}: known answers`, () => {
    it('Nano work values (test/vectors/nano.json)', () => {
      const vectors = NANO_VECTORS;
      for (const [root, work, value] of vectors) {
        const nonce = BigInt(`0x${work}`);
        const threshold = BigInt(`0x${value}`);
        const task: SearchTask = { kernel: 'blake2b-nano', root: hex(root), threshold };
        assertExact(backend, task, nonce, true);
        assertExact(backend, { ...task, threshold: threshold + 1n }, nonce, false);
      }
      // A scan across the known send-difficulty work finds it, in both lane positions.
      const send: SearchTask = { kernel: 'blake2b-nano', root: hex(vectors[0][0]), threshold: 0xfffffff800000000n };
      const work = BigInt(`0x${vectors[0][1]}`);
      assert.deepEqual(backend.scan(send, work - 5n, 100), { nonce: work, attempts: 6 });
      assert.deepEqual(backend.scan(send, work - 4n, 100), { nonce: work, attempts: 5 });
    });

    it('Bitcoin headers: genesis, 100000, 125552 (test/vectors/bitcoin.json)', () => {
      for (const [headerHex, hashHex] of BITCOIN_HEADERS) {
        const header = hex(headerHex);
        const nonce = BigInt(Buffer.from(header).readUInt32LE(76));
        const hash = BigInt(`0x${hashHex}`);
        const task: SearchTask = { kernel: 'sha256d-header', header, target: targetFromBits(headerBits(header)) };
        assert.deepEqual(backend.scan(task, nonce - 999n, 2000), { nonce, attempts: 1000 });
        assertExact(backend, { ...task, target: hash }, nonce, true);
        assertExact(backend, { ...task, target: hash - 1n }, nonce, false);
      }
    });

    it('Bitmessage trial values (test/vectors/bitmessage.json)', () => {
      const first = hex(
        'bd227de52173a50ecd54893f71de52511f62b17facf2ce6670a2489f81b73b0aa4effc81b935f628fc5383c46990ed72249d1bcfbffcff928c539044723c5e87',
      );
      const second = hex(
        '8ff2d685db89a0af2e3dbfd3f700ae96ef4d9a1eac72fd778bbb368c7510cddda349e03207e1c4965bd95c6f7265e8f1a481a08afab3874eaafb9ade09a10880',
      );
      const task: SearchTask = { kernel: 'sha512d-bitmessage', initialHash: first, target: 3979158916983n };
      assertExact(backend, { ...task, target: 799892720325n }, 1302572n, true);
      assertExact(backend, { ...task, target: 799892720324n }, 1302572n, false);
      assertExact(backend, { kernel: 'sha512d-bitmessage', initialHash: second, target: 120283692955n }, 21997550n, true);
      assertExact(backend, { kernel: 'sha512d-bitmessage', initialHash: second, target: 120283692954n }, 21997550n, false);
      if (variant === 'wasm-simd128') {
        // The whole search of the seed's example: about 1.3 M attempts, under a second.
        assert.deepEqual(backend.scan(task, 1n, 2_000_000), { nonce: 1302572n, attempts: 1302572 });
      } else {
        assert.deepEqual(backend.scan(task, 1_200_001n, 200_000), { nonce: 1302572n, attempts: 102572 });
      }
      const late: SearchTask = { kernel: 'sha512d-bitmessage', initialHash: second, target: 297422593171n };
      assert.deepEqual(backend.scan(late, 21_900_000n, 100_000), { nonce: 21997550n, attempts: 97551 });
    });

    it('NIP-13 event ids (test/vectors/nostr.json)', () => {
      const example: SearchTask = {
        kernel: 'sha256-text',
        prefix: text('[0,"a48380f4cfcc1ad5378294fcac36439770f9c878dd880ffa94bb74ea54a6f243",1651794653,1,[["nonce","'),
        suffix: text('","20"]],"It\'s just me mining my own business"]'),
        width: 6,
        zeroBits: 21,
      };
      assert.deepEqual(backend.scan(example, 776_000n, 1000), { nonce: 776797n, attempts: 798 });
      assertExact(backend, { ...example, zeroBits: 22 }, 776797n, false);
      const hello: SearchTask = {
        kernel: 'sha256-text',
        prefix: text('[0,"489ac583fc30cfbee0095dd736ec46468faa8b187e311fda6269c4e18284ed0c",1680947398,1,[["nonce","'),
        suffix: text('","25"]],"Hello, world!"]'),
        width: 7,
        zeroBits: 26,
      };
      assertExact(backend, hello, 2963377n, true);
      assertExact(backend, { ...hello, zeroBits: 27 }, 2963377n, false);
    });
  });

  describe(`wasm ${variant}: equals the JS reference on random tasks`, () => {
    /** A start in [0, space - count], often at the very end of the nonce space. */
    function placement(random: ReturnType<typeof generator>, space: bigint, count: number): bigint {
      const room = space - BigInt(count);
      if (random.int(4) === 0) return room;
      return random.u64() % (room + 1n);
    }

    /** Both outcomes must occur among a kernel's random tasks, or the comparison proves little. */
    const outcomes = new Map<string, Set<boolean>>();
    function assertSameAsReference(task: SearchTask, start: bigint, count: number): void {
      const expected = referenceBackend.scan(task, start, count);
      assert.deepEqual(backend.scan(task, start, count), expected, `start ${start} count ${count}`);
      const seen = outcomes.get(task.kernel) ?? new Set<boolean>();
      outcomes.set(task.kernel, seen.add(expected.nonce !== null));
    }
    after(() => {
      for (const [kernel, seen] of outcomes) assert.equal(seen.size, 2, `${kernel}: random tasks found always or never`);
    });

    for (const kernel of ['sha256-text', 'sha1-text'] as const) {
      it(`${kernel}: prefixes and suffixes across block boundaries, widths 1..19, carries`, () => {
        const random = generator(kernel === 'sha1-text' ? 11 : 7);
        for (let round = 0; round < 40; round++) {
          const width = 1 + random.int(19);
          const task: SearchTask = {
            kernel,
            prefix: random.bytes(random.int(201)),
            suffix: random.bytes(random.int(201)),
            width,
            // Every fifth task is too hard for its range, so the scan runs out.
            zeroBits: round % 5 === 4 ? 40 : 6 + random.int(5),
          };
          const space = nonceSpace(task);
          const wanted = BigInt(1 + random.int(2500));
          const count = Number(wanted < space ? wanted : space);
          // Half the starts sit just below a power of ten so the odometer carries across digits.
          const carry = width > 3 && round % 2 === 0 ? 10n ** BigInt(1 + random.int(width - 1)) - BigInt(random.int(5)) : null;
          const start = carry !== null && carry + BigInt(count) <= space ? carry : placement(random, space, count);
          assertSameAsReference(task, start, count);
        }
      });
    }

    it('sha256d-header: random headers and targets, ranges up to 2^32', () => {
      const random = generator(3);
      for (let round = 0; round < 30; round++) {
        const task: SearchTask = {
          kernel: 'sha256d-header',
          header: random.bytes(80),
          target: round % 5 === 4 ? 0n : ((1n << 256n) >> BigInt(6 + random.int(5))) - 1n,
        };
        const count = 1 + random.int(2500);
        assertSameAsReference(task, placement(random, nonceSpace(task), count), count);
      }
    });

    it('sha512d-bitmessage: random initial hashes and targets, ranges up to 2^64', () => {
      const random = generator(5);
      for (let round = 0; round < 30; round++) {
        const task: SearchTask = {
          kernel: 'sha512d-bitmessage',
          initialHash: random.bytes(64),
          target: round % 5 === 4 ? 0n : U64 >> BigInt(6 + random.int(5)),
        };
        const count = 1 + random.int(2500);
        assertSameAsReference(task, placement(random, U64, count), count);
      }
    });

    it('blake2b-nano: random roots and thresholds, ranges up to 2^64', () => {
      const random = generator(9);
      for (let round = 0; round < 30; round++) {
        const task: SearchTask = {
          kernel: 'blake2b-nano',
          root: random.bytes(32),
          threshold: round % 5 === 4 ? U64 - 1n : U64 - (U64 >> BigInt(6 + random.int(5))),
        };
        const count = 1 + random.int(2500);
        assertSameAsReference(task, placement(random, U64, count), count);
      }
    });
  });
}

describe('wasm: the build is reproducible', () => {
  const clang = spawnSync('clang', ['--version'], { encoding: 'utf8' });
  const linker = spawnSync('wasm-ld', ['--version'], { encoding: 'utf8' });
  // Other clang releases emit different (equally valid) code; compare only with the committing one.
  const toolchain = clang.status === 0 && /clang version 14\./.test(clang.stdout) && linker.status === 0;
  const skip = toolchain ? false : 'clang 14 and wasm-ld are not installed';
  it('scripts/build-wasm.sh rebuilds the committed bytes', { skip }, () => {
    const out = mkdtempSync(join(tmpdir(), 'powerplant-wasm-'));
    try {
      const build = spawnSync('bash', [join(wasmDirectory(), '..', 'scripts', 'build-wasm.sh'), out], { encoding: 'utf8' });
      assert.equal(build.status, 0, build.stderr);
      for (const file of [WASM_SCALAR_FILE, WASM_SIMD_FILE]) {
        assert.ok(readFileSync(join(out, file)).equals(readFileSync(join(wasmDirectory(), file))), `${file} is stale: run npm run build:wasm`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
