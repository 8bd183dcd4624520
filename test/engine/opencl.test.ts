import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { hashValue, targetFromBits } from '../../src/schemes/bitcoin.js';
import { nonceSpace, type SearchTask } from '../../src/schemes/search.js';
import type { Backend } from '../../src/engine/backend.js';
import { loadOpenclBackend, openclStatus, type OpenclBackend } from '../../src/engine/gpu.js';
import { loadNativeBackend, nativeAddonPath } from '../../src/engine/native.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { U64, generator, hex, impossible, text } from '../helpers/random.js';
import { BITCOIN_HEADERS, NANO_VECTORS, NIP13_EXAMPLE, NOSTRIL_EXAMPLE, nostrTask } from '../helpers/vectors.js';

// CI installs POCL (OpenCL on the CPU), so there these tests must run; elsewhere they need it too.
const { devices, reason } = openclStatus();
const skip =
  devices.length === 0 && process.env.CI !== 'true' && `no OpenCL device (${reason}): install pocl-opencl-icd and ocl-icd-libopencl1`;

/** The CPU kernels every OpenCL result is compared with (tested against the JS reference). */
const cpu: Backend = loadNativeBackend() ?? referenceBackend;

/** A work-group is at most this many work-items: hits are tried at every position of two. */
const GROUP = 256;

/** Tasks where about one nonce in 2^bits passes. */
function looseTasks(random: ReturnType<typeof generator>, bits: number): SearchTask[] {
  return [
    { kernel: 'sha256-text', prefix: random.bytes(random.int(150)), suffix: random.bytes(random.int(150)), width: 9, zeroBits: bits },
    { kernel: 'sha1-text', prefix: random.bytes(random.int(150)), suffix: random.bytes(random.int(150)), width: 9, zeroBits: bits },
    { kernel: 'sha256d-header', header: random.bytes(80), target: ((1n << 256n) - 1n) >> BigInt(bits) },
    { kernel: 'sha512d-bitmessage', initialHash: random.bytes(64), target: U64 >> BigInt(bits) },
    { kernel: 'blake2b-nano', root: random.bytes(32), threshold: U64 - (U64 >> BigInt(bits)) },
  ];
}

function agrees(gpu: OpenclBackend, task: SearchTask, start: bigint, count: number, label: string): void {
  assert.deepEqual(gpu.scan(task, start, count), cpu.scan(task, start, count), `${label}: ${task.kernel} [${start}, +${count})`);
}

function finds(gpu: OpenclBackend, task: SearchTask, start: bigint, count: number, nonce: bigint, label: string): void {
  assert.deepEqual(gpu.scan(task, start, count), { nonce, attempts: Number(nonce - start) + 1 }, label);
}

describe('OpenCL kernels', { skip }, () => {
  it('finds an OpenCL device (CI installs POCL)', () => {
    assert.ok(devices.length > 0, `no OpenCL device: ${reason}`);
  });

  for (const device of devices) {
    describe(`device ${device.index}: ${device.name} (${device.type})`, () => {
      const gpu = (): OpenclBackend => loadOpenclBackend(device.index);

      it('finds the NIP-13 and nostril vectors (sha256-text)', () => {
        finds(gpu(), nostrTask(NIP13_EXAMPLE, '776797', 21), 776797n - 603n, 700, 776797n, 'NIP-13 example');
        const robot = nostrTask(NOSTRIL_EXAMPLE, '3634431872961', 44);
        finds(gpu(), robot, 3634431872961n - 5001n, 5100, 3634431872961n, 'nostril 44 bits');
      });

      it('finds the Bitcoin headers (sha256d-header), target compared inclusively', () => {
        for (const [headerHex] of BITCOIN_HEADERS) {
          const header = hex(headerHex);
          const nonce = BigInt(Buffer.from(header).readUInt32LE(76));
          const task: SearchTask = { kernel: 'sha256d-header', header, target: targetFromBits(Buffer.from(header).readUInt32LE(72)) };
          finds(gpu(), task, nonce - 3001n, 3050, nonce, `header ${nonce}`);
          finds(gpu(), { ...task, target: hashValue(header) }, nonce - 2n, 4, nonce, 'target equal to the hash');
          assert.deepEqual(gpu().scan({ ...task, target: hashValue(header) - 1n }, nonce - 2n, 7), { nonce: null, attempts: 7 });
        }
      });

      it('finds the Bitmessage vectors (sha512d-bitmessage) over many launches', () => {
        const first: SearchTask = {
          kernel: 'sha512d-bitmessage',
          initialHash: hex('bd227de52173a50ecd54893f71de52511f62b17facf2ce6670a2489f81b73b0aa4effc81b935f628fc5383c46990ed72249d1bcfbffcff928c539044723c5e87'),
          target: 3979158916983n,
        };
        finds(gpu(), first, 1n, 1_400_000, 1302572n, 'first vector from 1');
        const second: SearchTask = {
          kernel: 'sha512d-bitmessage',
          initialHash: hex('8ff2d685db89a0af2e3dbfd3f700ae96ef4d9a1eac72fd778bbb368c7510cddda349e03207e1c4965bd95c6f7265e8f1a481a08afab3874eaafb9ade09a10880'),
          target: 297422593171n,
        };
        finds(gpu(), second, 21997550n - 10_001n, 10_010, 21997550n, 'second vector');
        finds(gpu(), { ...second, target: 120283692955n }, 21997550n, 1, 21997550n, 'target equal to the trial value');
        assert.deepEqual(gpu().scan({ ...second, target: 120283692954n }, 21997550n, 1), { nonce: null, attempts: 1 });
      });

      it('finds the Nano vectors (blake2b-nano), threshold compared inclusively', () => {
        for (const [root, work, value] of NANO_VECTORS) {
          const nonce = BigInt(`0x${work}`);
          const task: SearchTask = { kernel: 'blake2b-nano', root: hex(root), threshold: BigInt(`0x${value}`) };
          finds(gpu(), task, nonce, 1, nonce, `${work} at its own value`);
          assert.deepEqual(gpu().scan({ ...task, threshold: task.threshold + 1n }, nonce, 1), { nonce: null, attempts: 1 });
        }
      });

      it('reports the lowest hit from every work-item position of two work-groups', () => {
        const random = generator(5);
        for (const task of looseTasks(random, 12)) {
          // A passing nonce with no other pass in the 2 * GROUP nonces before it, so a scan starting
          // `position` nonces earlier must find it at exactly that work-item.
          let hit = cpu.scan(task, 10_000n, 1_000_000);
          while (hit.nonce !== null && cpu.scan(task, hit.nonce - BigInt(2 * GROUP), 2 * GROUP).nonce !== null) {
            hit = cpu.scan(task, hit.nonce + 1n, 1_000_000);
          }
          assert.ok(hit.nonce !== null, task.kernel);
          for (let position = 0; position < 2 * GROUP; position++) {
            finds(gpu(), task, hit.nonce - BigInt(position), position + 1 + random.int(GROUP), hit.nonce, `${task.kernel} at work-item ${position}`);
          }
        }
      });

      it('scans to the very end of each nonce space, in ragged counts', () => {
        const random = generator(7);
        for (const task of looseTasks(random, 4)) {
          assert.deepEqual(gpu().scan(task, nonceSpace(task), 0), { nonce: null, attempts: 0 }, 'empty range at the end');
          for (const count of [1, 2, 255, 257, 1000]) {
            agrees(gpu(), task, nonceSpace(task) - BigInt(count), count, 'end of the space');
            agrees(gpu(), impossible(task), nonceSpace(task) - BigInt(count), count, 'end of the space, no pass');
          }
        }
        for (const width of [1, 2, 3]) {
          const task: SearchTask = { kernel: 'sha1-text', prefix: text('x'), suffix: text('y'), width, zeroBits: 3 };
          agrees(gpu(), task, 0n, 10 ** width, `the whole space of width ${width}`);
        }
      });

      it('agrees with the CPU kernels on random text tasks, across blocks and decimal carries', () => {
        const random = generator(13);
        for (let round = 0; round < 30; round++) {
          const width = 1 + random.int(19);
          const space = 10n ** BigInt(width);
          const count = Number(space < 3000n ? space : BigInt(1 + random.int(3000)));
          const room = space - BigInt(count);
          const start = random.int(4) === 0 ? room : room < 1_000_000n ? BigInt(random.int(Number(room) + 1)) : random.u64() % room;
          for (const kernel of ['sha256-text', 'sha1-text'] as const) {
            const task: SearchTask = { kernel, prefix: random.bytes(random.int(201)), suffix: random.bytes(random.int(201)), width, zeroBits: random.int(12) };
            agrees(gpu(), task, start, count, `prefix ${task.prefix.length} suffix ${task.suffix.length} width ${width}`);
          }
        }
        // Launches stop at multiples of 10^9, where the digits the host writes change.
        const task: SearchTask = { kernel: 'sha256-text', prefix: random.bytes(61), suffix: random.bytes(9), width: 13, zeroBits: 14 };
        agrees(gpu(), task, 3_000_000_000n - 40_000n, 90_000, 'across 3·10^9');
        agrees(gpu(), { ...task, suffix: new Uint8Array(300_000).fill(65), zeroBits: 5 }, 0n, 40, 'a 300 kB suffix');
      });

      it('agrees with the CPU kernels on random headers, Bitmessage hashes and Nano roots', () => {
        const random = generator(29);
        for (let round = 0; round < 10; round++) {
          for (const task of looseTasks(random, 5 + random.int(8)).slice(2)) {
            const count = 1 + random.int(30_000);
            const room = nonceSpace(task) - BigInt(count);
            agrees(gpu(), task, random.u64() % room, count, 'random');
          }
        }
      });
    });
  }

  it('the addon rejects malformed OpenCL scans instead of crashing', () => {
    const addon = createRequire(import.meta.url)(nativeAddonPath()) as Record<string, (...args: unknown[]) => unknown>;
    const out = new BigUint64Array(2);
    const bytes = (length: number): Uint8Array => new Uint8Array(length);
    assert.throws(() => addon.openclScan(0, 'blake2b-nano', bytes(39), 0n, 1, out), RangeError);
    assert.throws(() => addon.openclScan(0, 'blake2b-nano', bytes(40), U64 - 1n, 2, out), RangeError);
    assert.throws(() => addon.openclScan(0, 'sha256d-header', bytes(112), 0xffffffffn, 2, out), RangeError);
    assert.throws(() => addon.openclScan(0, 'sha1-text', Uint8Array.of(2, 0, 0, 9, 0, 0, 0), 0n, 1, out), RangeError);
    assert.throws(() => addon.openclScan(0, 'sha1-text', Uint8Array.of(20, 0, 0, 0, 0, 0, 0), 0n, 1, out), RangeError);
    assert.throws(() => addon.openclScan(0, 'md5', bytes(40), 0n, 1, out), RangeError);
    assert.throws(() => addon.openclScan(0, 'blake2b-nano', bytes(40), 0n, 1, new BigUint64Array(1)), TypeError);
    assert.throws(() => addon.openclScan(0, 'blake2b-nano', bytes(40), 0n, 0.5, out), RangeError);
    assert.throws(() => loadOpenclBackend(devices.length), RangeError);
  });
});
