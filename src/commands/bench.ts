/**
 * `powerplant bench`: attempts per second of every kernel family, on one thread (every native
 * variant, WASM and the one-hash-per-attempt JS baseline), with the whole thread pool, and on each
 * OpenCL device; with `--peers`, the tools people use for the same jobs, in the same run.
 * @module
 */
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { InputError, smallInteger } from '../schemes/bits.js';
import { BENCH_SCHEMES, runBench, type BenchScheme, type SchemeFigures } from '../engine/bench.js';
import { runOpenclBench, type OpenclDeviceFigures } from '../engine/gpu-bench.js';
import { MAX_THREADS, parseGpuChoice } from '../engine/index.js';
import { measurePeers, type Peer } from './bench-peers.js';
import { GPU_FLAG_HELP, formatRate } from './common.js';
import { printJson } from './output.js';

const MAX_SECONDS = 60;

interface BenchFlags {
  readonly json?: boolean;
  readonly peers?: boolean;
  readonly seconds: string;
  readonly threads?: string;
  readonly gpu: string;
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

const COLUMNS = ['scheme', 'kernel (selection)', 'native', 'wasm', 'baseline', 'threads', 'total', 'nat/base', 'wasm/base', 'total/single'];
const WIDTHS = [10, 25, 11, 11, 11, 7, 11, 9, 9, 12];
const row = (cells: readonly string[]): string => cells.map((cell, i) => cell.padEnd(WIDTHS[i])).join(' ').trimEnd() + '\n';

function humanRow(scheme: BenchScheme, figures: SchemeFigures): string {
  const single = figures.native ?? figures.wasm;
  return row([
    scheme,
    `${figures.kernel} (${figures.source})`,
    rate(figures.native),
    rate(figures.wasm),
    rate(figures.baseline),
    [figures.threads, ...figures.devices.map((index) => `gpu${index}`)].join('+'),
    rate(figures.total),
    ratio(figures.native, figures.baseline),
    ratio(figures.wasm, figures.baseline),
    ratio(figures.total, single),
  ]) + variantsLine(figures);
}

/** Every native variant's rate, the selected one marked, and how close the selection came to the fastest. */
function variantsLine(figures: SchemeFigures): string {
  const entries = Object.entries(figures.variants);
  if (entries.length === 0) return '';
  const fastest = Math.max(...entries.map(([, value]) => value));
  const listed = entries.map(([name, value]) => `${name}${name === figures.kernel ? '*' : ''} ${rate(value)}`);
  return `${' '.repeat(11)}variants: ${listed.join(', ')}; selected/fastest ${(figures.native! / fastest).toFixed(2)}\n`;
}

function peersTable(peers: readonly Peer[], schemes: Record<BenchScheme, SchemeFigures>): string {
  const lines = peers.map((peer) => {
    const ours = schemes[peer.scheme].native ?? schemes[peer.scheme].wasm;
    const theirs = peer.rate === null ? 'not installed' : rate(peer.rate);
    return `${peer.scheme.padEnd(11)}${peer.name.padEnd(46)}${theirs.padEnd(15)}${rate(ours).padEnd(13)}${ratio(ours, peer.rate)}\n`;
  });
  return `\n${'scheme'.padEnd(11)}${'peer (one thread)'.padEnd(46)}${'peer'.padEnd(15)}${'powerplant'.padEnd(13)}ratio\n${lines.join('')}`;
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
    .option('--gpu <devices>', `${GPU_FLAG_HELP}; they join the threads in the total`, 'auto')
    .option('--peers', 'also measure nostr-tools, nanocurrency, hashcash and an OpenSSL loop, with ratios')
    .action(async (flags: BenchFlags) => {
      const seconds = parseSeconds(flags.seconds);
      const gpu = parseGpuChoice(flags.gpu, '--gpu');
      const threads =
        flags.threads === undefined ? availableParallelism() : smallInteger(flags.threads, 1, MAX_THREADS, '--threads');
      if (!flags.json) {
        process.stdout.write(`powerplant bench: ${seconds} s per measurement, ${BENCH_SCHEMES.length} schemes\n`);
        process.stdout.write(row(COLUMNS));
      }
      const report = await runBench({
        seconds,
        threads,
        gpu,
        onScheme: (scheme, figures) => {
          if (!flags.json) process.stdout.write(humanRow(scheme, figures));
        },
      });
      if (!flags.json) process.stdout.write('\n');
      const opencl = runOpenclBench(seconds, (figures) => {
        if (!flags.json) process.stdout.write(openclRow(figures));
      });
      if (!flags.json && opencl.reason !== null) process.stdout.write(`No OpenCL device: ${opencl.reason}.\n`);
      const peers = flags.peers ? await measurePeers(seconds) : undefined;
      if (flags.json) return printJson({ schemes: report.schemes, opencl, ...(peers === undefined ? {} : { peers }) });
      if (peers !== undefined) process.stdout.write(peersTable(peers, report.schemes));
      const noNative = Object.values(report.schemes).some((figures) => figures.native === null);
      process.stdout.write(
        `\nsingle = one thread of the pool's backend (${report.backend}); baseline = one node:crypto/@noble call per attempt;\n` +
          `* = the variant selected (measured at first use, cached per CPU and build, or pinned by POWERPLANT_KERNEL);\n` +
          `threads: the total's CPU threads, +gpuN an OpenCL device searching beside them (--gpu).\n` +
          (noNative ? `The native addon is not available (not built, or POWERPLANT_NO_NATIVE=1): the total ran on ${report.backend}.\n` : ''),
      );
    });
}
