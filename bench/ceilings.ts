/**
 * How close the kernels that fall short of issue 3's targets come to what this CPU can do. For
 * each, the instructions of one pass of its loop are counted in the built object (objdump) and
 * priced with this CPU's measured throughputs (bench/ceilings.c) on three resources: the SHA unit,
 * the two vector pipes that do shifts and shuffles, and all vector pipes together. The busiest
 * resource bounds the attempts per second; the kernel is then measured against that bound. Prints
 * a Markdown table for docs/benchmarks.md. x86-64 with AVX2 and SHA-NI, after `npm install`.
 *
 *   node dist/bench/ceilings.js [seconds per measurement = 2]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { impossibleTask, measureScan, type BenchScheme } from '../src/engine/bench.js';
import { loadNativeBackend } from '../src/engine/native.js';
import { formatRate } from '../src/commands/common.js';
import { packagePath } from '../src/paths.js';

const seconds = Number(process.argv[2] ?? 2);
if (!(seconds > 0)) {
  process.stderr.write('usage: node dist/bench/ceilings.js [seconds > 0]\n');
  process.exit(2);
}

interface Kernel {
  readonly scheme: BenchScheme;
  readonly variant: string;
  /** The C function, the object file it is built into, and the nonces one pass of its loop tries. */
  readonly symbol: string;
  readonly object: string;
  readonly lanes: number;
  readonly target: number;
}
const KERNELS: readonly Kernel[] = [
  { scheme: 'bitcoin', variant: 'sha-ni-avx-x4', symbol: 'pp_sha256d_header_shani_avx', object: 'sha256_shani', lanes: 4, target: 28e6 },
  { scheme: 'bitmessage', variant: 'avx2-4way', symbol: 'pp_sha512d_bitmessage_avx2', object: 'sha512_avx2', lanes: 4, target: 10e6 },
  { scheme: 'nano', variant: 'avx2-4way', symbol: 'pp_blake2b_nano_avx2', object: 'blake2b_avx2', lanes: 4, target: 35e6 },
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

/** Mnemonic counts of one function in an object file. */
function countInstructions(object: string, symbol: string): Map<string, number> {
  const path = packagePath('build', 'Release', 'obj.target', 'powerplant', 'native', 'src', 'simd', `${object}.o`);
  const listing = execFileSync('objdump', ['-d', '--no-show-raw-insn', path], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const counts = new Map<string, number>();
  let inside = false;
  for (const line of listing.split('\n')) {
    const label = /^[0-9a-f]+ <(.+)>:$/.exec(line);
    if (label !== null) inside = label[1] === symbol;
    const instruction = /^\s+[0-9a-f]+:\s+([a-z0-9]+)/.exec(line);
    if (inside && instruction !== null) counts.set(instruction[1], (counts.get(instruction[1]) ?? 0) + 1);
  }
  if (counts.size === 0) throw new Error(`${symbol} not found in ${path}`);
  return counts;
}

const SHIFTS_AND_SHUFFLES = /^v?(ps[rl]l[dq]|psra[dq]|pshuf[bd]|palignr|pblend|perm|punpck)/;
const VECTOR_ALU = /^v?(padd|psub|pxor|por|pand|pcmp|pblendv|pmovmsk|movmsk|ptest)/;

/** Cycles per attempt each resource needs, from the instruction counts and the throughputs. */
function resourceCycles(counts: Map<string, number>, lanes: number, rate: Throughputs): Record<string, number> {
  const count = (pattern: RegExp): number => [...counts].filter(([m]) => pattern.test(m)).reduce((sum, [, n]) => sum + n, 0);
  // On the SHA unit a round pair takes 1/rate cycles; what a message instruction adds to it is
  // read off the mix of six round pairs and six of that instruction.
  const pair = 1 / rate['sha256rnds2'];
  const share = (mix: string): number => Math.max(0, 12 / rate[mix] - 6 * pair) / 6;
  const sha =
    count(/^sha256rnds2$/) * pair + count(/^sha256msg1$/) * share('sha256rnds2+sha256msg1') + count(/^sha256msg2$/) * share('sha256rnds2+sha256msg2');
  const shifts = count(SHIFTS_AND_SHUFFLES);
  return {
    'SHA unit': sha / lanes,
    'shift/shuffle pipes': shifts / rate['vpsrlq+vpshufb'] / lanes,
    'all vector pipes': (shifts + count(VECTOR_ALU)) / rate['vpaddq'] / lanes,
  };
}

const rate = measureThroughputs();
process.stdout.write(
  `Clock ${rate.ghz.toFixed(2)} GHz; per cycle: vpaddq ${rate['vpaddq'].toFixed(2)}, shifts and shuffles together ` +
    `${rate['vpsrlq+vpshufb'].toFixed(2)}, sha256rnds2 ${rate['sha256rnds2'].toFixed(2)}, sha256msg2 ${rate['sha256msg2'].toFixed(2)}\n\n`,
);
const header = ['scheme', 'kernel', 'cycles per attempt: SHA unit / shift+shuffle / all vector', 'bound by', 'ceiling', 'measured', 'of ceiling', 'target'];
process.stdout.write(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
for (const kernel of KERNELS) {
  const backend = loadNativeBackend({ [impossibleTask(kernel.scheme).kernel]: kernel.variant });
  if (backend === null) throw new Error('the native addon does not load');
  const cycles = resourceCycles(countInstructions(kernel.object, kernel.symbol), kernel.lanes, rate);
  const [busiest, most] = Object.entries(cycles).reduce((a, b) => (b[1] > a[1] ? b : a));
  const ceiling = (rate.ghz * 1e9) / most;
  const measured = measureScan(backend, impossibleTask(kernel.scheme), seconds);
  const row = [
    kernel.scheme,
    kernel.variant,
    Object.values(cycles).map((c) => c.toFixed(1)).join(' / '),
    busiest,
    `${formatRate(ceiling)}/s`,
    `${formatRate(measured)}/s`,
    `${Math.round((100 * measured) / ceiling)}%`,
    `${formatRate(kernel.target)}/s`,
  ];
  process.stdout.write(`| ${row.join(' | ')} |\n`);
}
