import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { hashValue, targetFromBits } from '../../src/schemes/bitcoin.js';
import { nonceSpace, type SearchTask } from '../../src/schemes/search.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { packagePath } from '../../src/paths.js';
import { U64, generator, hex } from '../helpers/random.js';
import { BITCOIN_HEADERS, NANO_VECTORS, NIP13_EXAMPLE, nostrTask } from '../helpers/vectors.js';

// The AVX-512 kernels run only where the CPU has AVX-512; here they are built against SIMDe
// (Debian's libsimde-dev), which implements the same intrinsics in portable C, and every scan is
// compared with the JS reference, attempts included.
const SIMDE_HEADER = '/usr/include/simde/x86/avx512.h';
const skip = !existsSync(SIMDE_HEADER) && process.env.CI !== 'true' && 'SIMDe headers not installed (apt-get install libsimde-dev)';

type Scan = { task: SearchTask; start: bigint; count: number; label: string };

/** The families whose AVX-512 kernel also comes as two interleaved vectors (the driver's --interleaved). */
const INTERLEAVED = new Set<SearchTask['kernel']>(['blake2b-nano']);

const toHex = (bytes: Uint8Array): string => (bytes.length === 0 ? '-' : Buffer.from(bytes).toString('hex'));

function scanLine({ task, start, count }: Scan): string {
  switch (task.kernel) {
    case 'blake2b-nano':
      return `nano ${toHex(task.root)} ${task.threshold} ${start} ${count}`;
    case 'sha512d-bitmessage':
      return `bitmessage ${toHex(task.initialHash)} ${task.target} ${start} ${count}`;
    case 'sha256d-header': {
      const targetLittleEndian = Buffer.from(task.target.toString(16).padStart(64, '0'), 'hex').reverse();
      return `header ${toHex(task.header)} ${toHex(targetLittleEndian)} ${start} ${count}`;
    }
    case 'sha256-text':
    case 'sha1-text':
      return `${task.kernel} ${toHex(task.prefix)} ${toHex(task.suffix)} ${task.width} ${task.zeroBits} ${start} ${count}`;
  }
}

describe('AVX-512 kernels, emulated', { skip }, () => {
  let dir = '';
  let program = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'powerplant-avx512-'));
    program = join(dir, 'avx512-emulated');
    // The kernels' own files, compiled side by side: clang takes seconds on SIMDe's code where
    // gcc takes minutes.
    const compile = promisify(execFile);
    const flags = ['-std=c11', '-O1', '-Wall', '-Wextra', '-Werror', '-Wno-psabi', '-DPP_AVX512_EMULATED', `-I${packagePath('native', 'src')}`];
    const sources = [
      ...['blake2b_avx512.c', 'sha1_avx512.c', 'sha256_avx512.c', 'sha512_avx512.c'].map((file) => packagePath('native', 'src', 'simd', file)),
      ...['sha1.c', 'sha256.c', 'text_layout.c'].map((file) => packagePath('native', 'src', 'scalar', file)),
      packagePath('test', 'native', 'avx512-emulated.c'),
    ];
    const objects = sources.map((_, i) => join(dir, `${i}.o`));
    await Promise.all(sources.map((source, i) => compile('clang', [...flags, '-c', source, '-o', objects[i]])));
    await compile('clang', [...objects, '-o', program]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * Runs every scan in one process and checks each against the JS reference; the families with a
   * variant that interleaves two vectors of lanes run their scans through that one too.
   */
  function assertAgree(allScans: Scan[]): void {
    for (const args of [[], ['--interleaved']]) {
      const scans = args.length === 0 ? allScans : allScans.filter(({ task }) => INTERLEAVED.has(task.kernel));
      if (scans.length === 0) continue;
      const output = execFileSync(program, args, { input: scans.map(scanLine).join('\n') + '\n', encoding: 'utf8' });
      const lines = output.trim().split('\n');
      assert.equal(lines.length, scans.length);
      scans.forEach((scan, i) => {
        const [nonce, attempts] = lines[i].split(' ');
        const expected = referenceBackend.scan(scan.task, scan.start, scan.count);
        assert.deepEqual({ nonce: nonce === 'none' ? null : BigInt(nonce), attempts: Number(attempts) }, expected, `${scan.label} ${args.join(' ')}`);
      });
    }
  }

  it('finds the Nano vectors, threshold compared inclusively', () => {
    const scans: Scan[] = [];
    for (const [root, work, value] of NANO_VECTORS) {
      const nonce = BigInt(`0x${work}`);
      const task = { kernel: 'blake2b-nano', root: hex(root), threshold: BigInt(`0x${value}`) } as const;
      scans.push({ task, start: nonce, count: 1, label: `${work} at its own value` });
      scans.push({ task: { ...task, threshold: task.threshold + 1n }, start: nonce, count: 1, label: `${work} above its value` });
      // In every lane position of two vectors of eight, with lanes past the end of the range left unreported.
      for (let back = 1n; back <= 17n && back <= nonce; back++) {
        scans.push({ task, start: nonce - back, count: Number(back) + 1, label: `${work} in lane ${back}` });
        scans.push({ task, start: nonce - back, count: Number(back), label: `${work} just past the range` });
      }
    }
    assertAgree(scans);
  });

  it('finds the Bitmessage vector, target compared inclusively', () => {
    const task = {
      kernel: 'sha512d-bitmessage',
      initialHash: hex('8ff2d685db89a0af2e3dbfd3f700ae96ef4d9a1eac72fd778bbb368c7510cddda349e03207e1c4965bd95c6f7265e8f1a481a08afab3874eaafb9ade09a10880'),
      target: 297422593171n,
    } as const;
    const nonce = 21997550n;
    const pastTheRange = [1n, 3n, 5n, 7n].map((back) => ({ task, start: nonce - back, count: Number(back), label: `just past the range by ${back}` }));
    assertAgree([
      ...pastTheRange,
      { task, start: nonce - 10_001n, count: 10_010, label: 'second vector' },
      { task: { ...task, target: 120283692955n }, start: nonce - 5n, count: 6, label: 'target equal to the trial value' },
      { task: { ...task, target: 120283692954n }, start: nonce, count: 1, label: 'target one below the trial value' },
    ]);
  });

  it('finds the Bitcoin headers, target compared inclusively, ties settled on the whole hash', () => {
    const scans: Scan[] = [];
    for (const [headerHex] of BITCOIN_HEADERS) {
      const header = hex(headerHex);
      const nonce = BigInt(Buffer.from(header).readUInt32LE(76));
      const task = { kernel: 'sha256d-header', header, target: targetFromBits(Buffer.from(header).readUInt32LE(72)) } as const;
      scans.push({ task, start: nonce - 1001n, count: 1050, label: `header ${nonce}` });
      // A target equal to the hash ties on its top 32 bits, in every lane position.
      const exact = { ...task, target: hashValue(header) };
      for (let back = 0n; back <= 17n; back++) {
        scans.push({ task: exact, start: nonce - back, count: Number(back) + 1, label: `tie in lane ${back}` });
        if (back > 0n) scans.push({ task, start: nonce - back, count: Number(back), label: `header ${nonce} just past the range` });
      }
      scans.push({ task: { ...exact, target: exact.target - 1n }, start: nonce - 2n, count: 40, label: 'one below the hash' });
    }
    assertAgree(scans);
  });

  it('finds the NIP-13 example (sha256-text), from every lane position and across decades', () => {
    const task = nostrTask(NIP13_EXAMPLE, '776797', 21);
    const nonce = 776797n;
    const scans: Scan[] = [{ task, start: nonce - 403n, count: 500, label: 'NIP-13 example' }];
    // Sixteen lanes from a nonce ending in any digit reach up to two decades further.
    for (let back = 0n; back <= 33n; back++) {
      scans.push({ task, start: nonce - back, count: Number(back) + 1, label: `NIP-13 from ${back} before` });
      if (back > 0n) scans.push({ task, start: nonce - back, count: Number(back), label: `NIP-13 just past the range by ${back}` });
    }
    assertAgree(scans);
  });

  it('agrees with the JS reference on random text tasks, across block boundaries and up to the last nonce', () => {
    const random = generator(53);
    const scans: Scan[] = [];
    for (let round = 0; round < 60; round++) {
      const width = 1 + random.int(19);
      const space = 10n ** BigInt(width);
      const count = Number(space < 400n ? space : BigInt(1 + random.int(400)));
      const room = space - BigInt(count);
      const start = random.int(4) === 0 ? room : room < 1_000_000n ? BigInt(random.int(Number(room) + 1)) : random.u64() % room;
      for (const kernel of ['sha256-text', 'sha1-text'] as const) {
        const task = { kernel, prefix: random.bytes(random.int(201)), suffix: random.bytes(random.int(201)), width, zeroBits: random.int(5) === 0 ? 40 : random.int(9) };
        scans.push({ task, start, count, label: `${kernel} prefix ${task.prefix.length} suffix ${task.suffix.length} width ${width}` });
      }
    }
    assertAgree(scans);
  });

  it('agrees with the JS reference on random headers, roots and initial hashes, up to the top of the nonce space', () => {
    const random = generator(97);
    const scans: Scan[] = [];
    for (let round = 0; round < 30; round++) {
      const count = 1 + random.int(1200);
      const tasks = [
        { kernel: 'blake2b-nano', root: random.bytes(32), threshold: U64 - (U64 >> BigInt(4 + random.int(7))) },
        { kernel: 'sha512d-bitmessage', initialHash: random.bytes(64), target: U64 >> BigInt(4 + random.int(7)) },
        { kernel: 'sha256d-header', header: random.bytes(80), target: ((1n << 256n) - 1n) >> BigInt(4 + random.int(7)) },
      ] as const;
      for (const task of tasks) {
        const room = nonceSpace(task) - BigInt(count);
        const start = random.int(5) === 0 ? room : random.u64() % room;
        scans.push({ task, start, count, label: `${task.kernel} round ${round}` });
      }
    }
    assertAgree(scans);
  });
});
