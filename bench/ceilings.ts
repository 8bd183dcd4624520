/**
 * How close the kernels come to what this CPU can do. For every kernel the engine selects and
 * every AVX-512 variant (plus the SHA-NI and AVX2 kernels that once missed their targets), it
 * takes the loop of the built object that runs (objdump; see pricedLoop in bench/replay-asm.ts) and
 * bounds the attempts per second two ways:
 * - the replay, the bound it reports against: the loop's vector and mask instructions, same
 *   mnemonics, operand kinds and widths, with every data dependency removed (bench/replay-asm.ts),
 *   assembled with bench/replay.c and timed on this core. Its cycles per pass are what the loop's
 *   own instruction mix costs here, ports, 512-bit issue, eliminated moves and front end included,
 *   when no chain of dependent rounds waits on latency; ceiling = lanes x clock / cycles per pass;
 * - the op-count model, kept as columns beside it: the loop's instructions counted and priced with
 *   this CPU's measured throughputs (bench/ceilings.c) on the SHA unit, the pipes that shift,
 *   rotate and shuffle, and all vector pipes together (512-bit throughputs for AVX-512 code). It
 *   assumes every mix runs at its members' own rates, which Zen 5 does not give for all mixes.
 * The kernel is measured (one thread) against both. Prints a Markdown table for
 * docs/benchmarks.md, and names any kernel faster than its replay by more than 10% (a loop whose
 * rare branches the replay runs on every pass). x86-64 with AVX2 and SHA-NI,
 * after `npm install`.
 *
 * The AVX-512 and AVX2 text kernels keep one copy of their loop per message word their last digits
 * share (16), each hoisting a different number of leading rounds; the copy with the least work per
 * pass prices them, so their ceiling is an upper bound for the copy the bench task runs.
 *
 *   node dist/bench/ceilings.js [seconds per measurement = 2]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureScan, SCHEME_KERNEL, benchTask, type BenchScheme } from '../src/engine/bench.js';
import { loadNativeBackend, nativeKernelVariants } from '../src/engine/native.js';
import { formatRate } from '../src/commands/common.js';
import { packagePath } from '../src/paths.js';
import type { KernelName } from '../src/schemes/search.js';
import { pricedLoop, replayAssembly, type Instruction, type Replay } from './replay-asm.js';

const seconds = Number(process.argv[2] ?? 2);
if (!(seconds > 0)) {
  process.stderr.write('usage: node dist/bench/ceilings.js [seconds > 0]\n');
  process.exit(2);
}

/** Where a variant's code is: the C function, its object file, and the nonces one loop pass tries. */
interface VariantCode {
  readonly symbol: string;
  readonly object: string;
  readonly lanes: number;
}
/** Per family and variant (bench/ceilings-code.json). */
const CODE = JSON.parse(readFileSync(packagePath('bench', 'ceilings-code.json'), 'utf8')) as Readonly<
  Record<KernelName, Readonly<Record<string, VariantCode>>>
>;
/** Kernels priced even when not selected: the ones that once missed a target. */
const ALSO_PRICED: readonly [KernelName, string][] = [
  ['sha256d-header', 'sha-ni-avx-x4'],
  ['sha512d-bitmessage', 'avx2-4way'],
  ['blake2b-nano', 'avx2-4way'],
];

/** Instructions per cycle of each measured instruction or mix, and the clock in GHz. */
type Throughputs = Record<string, number> & { ghz: number };

function measureThroughputs(): Throughputs {
  const dir = mkdtempSync(join(tmpdir(), 'powerplant-ceilings-'));
  try {
    const program = join(dir, 'ceilings');
    execFileSync('cc', ['-std=gnu11', '-O2', packagePath('bench', 'ceilings.c'), '-o', program]);
    return JSON.parse(execFileSync(program, { encoding: 'utf8' })) as Throughputs;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface LoopCounts {
  readonly mnemonics: Map<string, number>;
  /** Whether the loop works on 512-bit registers. */
  readonly zmm: boolean;
}

/** The loop that prices a kernel (pricedLoop) in its object file. */
function kernelLoop(object: string, symbol: string): Instruction[] {
  const path = packagePath('build', 'Release', 'obj.target', 'powerplant', 'native', 'src', 'simd', `${object}.o`);
  const listing = execFileSync('objdump', ['-d', '--no-show-raw-insn', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return pricedLoop(listing, symbol);
}

function loopCounts(loop: readonly Instruction[]): LoopCounts {
  const mnemonics = new Map<string, number>();
  for (const { mnemonic } of loop) mnemonics.set(mnemonic, (mnemonics.get(mnemonic) ?? 0) + 1);
  return { mnemonics, zmm: loop.some(({ operands }) => operands.includes('%zmm')) };
}

/** Cycles one pass of a loop's replay takes on this core (bench/replay.c), and the clock it read. */
function replayCycles(replay: Replay, dir: string): { cyclesPerPass: number; ghz: number } {
  const source = join(dir, 'replay.s');
  const program = join(dir, 'replay');
  writeFileSync(source, replay.assembly);
  execFileSync('cc', ['-std=gnu11', '-O2', packagePath('bench', 'replay.c'), source, '-o', program]);
  const { cycles_per_pass: cyclesPerPass, ghz } = JSON.parse(execFileSync(program, { encoding: 'utf8' })) as {
    cycles_per_pass: number;
    ghz: number;
  };
  return { cyclesPerPass, ghz };
}

const SHIFTS_AND_SHUFFLES = /^v?(ps[rl]l[dq]|psra[dq]|pro[rl]v?[dq]|pshuf[bd]|palignr|valign[dq]|pblend|perm|punpck|pshld|pshrd)/;
const VECTOR_ALU = /^v?(padd|psub|pxor|por|pand|pcmp|pblendv|pmovmsk|movmsk|ptest|pternlog|pmax|pmin|ptestnm)/;

/** Cycles per attempt each resource needs, from the instruction counts and the throughputs. */
function resourceCycles({ mnemonics, zmm }: LoopCounts, lanes: number, rate: Throughputs): Record<string, number> {
  const count = (pattern: RegExp): number => [...mnemonics].filter(([m]) => pattern.test(m)).reduce((sum, [, n]) => sum + n, 0);
  // On the SHA unit a round pair takes 1/rate cycles; what a message instruction adds to it is
  // read off the mix of six round pairs and six of that instruction.
  const pair = 1 / rate['sha256rnds2'];
  const share = (mix: string): number => Math.max(0, 12 / rate[mix] - 6 * pair) / 6;
  const sha =
    count(/^sha256rnds2$/) * pair +
    count(/^sha256msg1$/) * share('sha256rnds2+sha256msg1') +
    count(/^sha256msg2$/) * share('sha256rnds2+sha256msg2') +
    count(/^sha1rnds4$/) / rate['sha1rnds4'];
  const shifts = count(SHIFTS_AND_SHUFFLES);
  const all = shifts + count(VECTOR_ALU);
  if (zmm) {
    if (rate['vpaddd-zmm'] === undefined) throw new Error('AVX-512 code on a CPU without AVX-512F');
    return {
      'SHA unit': sha / lanes,
      'shift/rotate pipes (512-bit)': shifts / rate['vprord-zmm'] / lanes,
      'all vector pipes (512-bit)': all / rate['vpaddd-zmm'] / lanes,
    };
  }
  return {
    'SHA unit': sha / lanes,
    'shift/shuffle pipes': shifts / rate['vpsrlq+vpshufb'] / lanes,
    'all vector pipes': all / rate['vpaddq'] / lanes,
  };
}

const variants = nativeKernelVariants();
const native = loadNativeBackend();
if (variants === null || native === null) throw new Error('the native addon does not load');
const selected = native.kernels!();
const schemeOf = (family: KernelName): BenchScheme =>
  (Object.entries(SCHEME_KERNEL) as [BenchScheme, KernelName][]).find(([, kernel]) => kernel === family)![0];

/** Selected kernels first, then every AVX-512 variant and the ones priced since they missed a target. */
const priced = new Map<string, [KernelName, string]>();
const price = (family: KernelName, variant: string): void => {
  if (CODE[family][variant] !== undefined && variants[family].includes(variant)) priced.set(`${family} ${variant}`, [family, variant]);
};
for (const [family, choice] of Object.entries(selected) as [KernelName, { variant: string }][]) price(family, choice.variant);
for (const family of Object.keys(CODE) as KernelName[]) for (const variant of variants[family]) if (variant.startsWith('avx512')) price(family, variant);
for (const [family, variant] of ALSO_PRICED) price(family, variant);

const rate = measureThroughputs();
process.stdout.write(
  `Clock ${rate.ghz.toFixed(2)} GHz (dependent imul chain); per cycle: vpaddq ${rate['vpaddq'].toFixed(2)}, shifts and shuffles together ` +
    `${rate['vpsrlq+vpshufb'].toFixed(2)}, sha256rnds2 ${rate['sha256rnds2'].toFixed(2)}, sha1rnds4 ${rate['sha1rnds4'].toFixed(2)}` +
    (rate['vpaddd-zmm'] === undefined ? '' : `, vpaddd zmm ${rate['vpaddd-zmm'].toFixed(2)}, vprord zmm ${rate['vprord-zmm'].toFixed(2)}`) +
    '\n\n',
);
const header = [
  'scheme',
  'kernel',
  'selected',
  'op-count cycles per attempt by resource',
  'op-count ceiling',
  'replay per pass: vector (mask) / scalar dropped',
  'replay IPC',
  'replay cycles per attempt',
  'ceiling (replay)',
  'measured',
  'of op-count ceiling',
  'of ceiling',
];
process.stdout.write(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
const faster: string[] = [];
const replayDir = mkdtempSync(join(tmpdir(), 'powerplant-replay-'));
try {
  for (const [family, variant] of priced.values()) {
    const code = CODE[family][variant];
    const backend = loadNativeBackend({ [family]: variant })!;
    const loop = kernelLoop(code.object, code.symbol);
    const cycles = resourceCycles(loopCounts(loop), code.lanes, rate);
    const [busiest, most] = Object.entries(cycles).reduce((a, b) => (b[1] > a[1] ? b : a));
    const opCountCeiling = (rate.ghz * 1e9) / most;
    const replay = replayAssembly(loop);
    const { cyclesPerPass, ghz } = replayCycles(replay, replayDir);
    const ceiling = (code.lanes * ghz * 1e9) / cyclesPerPass;
    const scheme = schemeOf(family);
    const measured = measureScan(backend, benchTask(scheme), seconds);
    if (measured > 1.1 * ceiling) faster.push(`${scheme} ${variant}`);
    const row = [
      scheme,
      variant,
      selected[family].variant === variant ? 'yes' : '',
      Object.entries(cycles).map(([name, c]) => `${name} ${c.toFixed(2)}`).join(', '),
      `${formatRate(opCountCeiling)}/s (${busiest})`,
      `${replay.kept} (${replay.mask}) / ${replay.dropped}`,
      (replay.kept / cyclesPerPass).toFixed(2),
      (cyclesPerPass / code.lanes).toFixed(2),
      `${formatRate(ceiling)}/s`,
      `${formatRate(measured)}/s`,
      `${Math.round((100 * measured) / opCountCeiling)}%`,
      `${Math.round((100 * measured) / ceiling)}%`,
    ];
    process.stdout.write(`| ${row.join(' | ')} |\n`);
  }
} finally {
  rmSync(replayDir, { recursive: true, force: true });
}
if (faster.length > 0) {
  process.stdout.write(
    `\nFaster than their replay by more than 10%: ${faster.join(', ')}. The replay runs every instruction of the loop ` +
      'on every pass (branches taken rarely included), or a dependency survived the renaming.\n',
  );
}
