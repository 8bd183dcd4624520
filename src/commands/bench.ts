/**
 * `powerplant bench`: attempts per second of every kernel family, on one thread (native, WASM and
 * the one-hash-per-attempt JS baseline), with the whole thread pool, and on each OpenCL device.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { InputError, smallInteger } from '../schemes/bits.js';
import { BENCH_SCHEMES, runBench, type BenchScheme, type SchemeFigures } from '../engine/bench.js';
import { runOpenclBench, type OpenclDeviceFigures } from '../engine/gpu-bench.js';
import { MAX_THREADS } from '../engine/index.js';
import { formatRate } from './common.js';
import { printJson } from './output.js';

const MAX_SECONDS = 60;

interface BenchFlags {
  readonly json?: boolean;
  readonly seconds: string;
  readonly threads?: string;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_SECONDS) {
    throw new InputError(`--seconds must be a number above 0 and at most ${MAX_SECONDS}`);
  }
  return seconds;
}

const ratio = (value: number | null, base: number | null): string =>
  value === null || base === null || base === 0 ? '-' : `${(value / base).toFixed(1)}x`;
const rate = (value: number | null): string => (value === null ? '-' : `${formatRate(value)}/s`);

const COLUMNS = ['scheme', 'kernel', 'native', 'wasm', 'baseline', 'threads', 'total', 'nat/base', 'wasm/base', 'total/single'];
const WIDTHS = [10, 16, 11, 11, 11, 7, 11, 9, 9, 12];
const row = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(WIDTHS[i])).join(' ').trimEnd() + '\n';

function humanRow(scheme: BenchScheme, figures: SchemeFigures): string {
  const single = figures.native ?? figures.wasm;
  return row([
    scheme,
    figures.kernel,
    rate(figures.native),
    rate(figures.wasm),
    rate(figures.baseline),
    String(figures.threads),
    rate(figures.total),
    ratio(figures.native, figures.baseline),
    ratio(figures.wasm, figures.baseline),
    ratio(figures.total, single),
  ]);
}

/** One OpenCL device: its rate per scheme, in BENCH_SCHEMES order. */
function openclRow(figures: OpenclDeviceFigures): string {
  const label = `opencl ${figures.index}: ${figures.name} (${figures.type})`;
  if (figures.rates === null) return `${label}: ${figures.error}\n`;
  const rates = figures.rates;
  return `${label}\n  ${BENCH_SCHEMES.map((scheme) => `${scheme} ${rate(rates[scheme])}`).join(', ')}\n`;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('measure attempts per second of each kernel: native, WASM, JS baseline, all threads, OpenCL devices')
    .option('--json', 'machine-readable output')
    .option('--seconds <n>', 'seconds per measurement (four per scheme)', '0.5')
    .option('--threads <n>', 'threads for the total (default: one per core)')
    .action(async (flags: BenchFlags) => {
      const seconds = parseSeconds(flags.seconds);
      const threads =
        flags.threads === undefined ? availableParallelism() : smallInteger(flags.threads, 1, MAX_THREADS, '--threads');
      if (!flags.json) {
        process.stdout.write(`powerplant bench: ${seconds} s per measurement, ${BENCH_SCHEMES.length} schemes\n`);
        process.stdout.write(row(COLUMNS));
      }
      const report = await runBench({
        seconds,
        threads,
        onScheme: (scheme, figures) => {
          if (!flags.json) process.stdout.write(humanRow(scheme, figures));
        },
      });
      if (!flags.json) process.stdout.write('\n');
      const opencl = runOpenclBench(seconds, (figures) => {
        if (!flags.json) process.stdout.write(openclRow(figures));
      });
      if (flags.json) return printJson({ schemes: report.schemes, opencl });
      if (opencl.reason !== null) process.stdout.write(`No OpenCL device: ${opencl.reason}.\n`);
      const noNative = Object.values(report.schemes).some((figures) => figures.native === null);
      process.stdout.write(
        `\nsingle = one thread of the pool's backend (${report.backend}); baseline = one node:crypto/@noble call per attempt.\n` +
          (noNative ? `The native addon is not available (not built, or POWERPLANT_NO_NATIVE=1): the total ran on ${report.backend}.\n` : ''),
      );
    });
}
