/**
 * What the solve and verify commands share: reading an input file or stdin, the engine options,
 * and the progress line shown on a terminal.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { InputError } from '../schemes/bits.js';
import { createEngine, parseGpuChoice, type Engine, type Progress } from '../engine/index.js';

export interface EngineFlags {
  readonly engine: 'auto' | 'native' | 'wasm' | 'js';
  readonly threads?: string;
  readonly nice?: boolean;
  readonly gpu: string;
}

export function addEngineOptions(command: Command): Command {
  return command
    .addOption(new Option('--engine <backend>', 'search backend').choices(['auto', 'native', 'wasm', 'js']).default('auto'))
    .option('--threads <n>', 'worker threads (default: one per core)')
    .option('--nice', 'search threads at the lowest scheduling priority')
    .option('--gpu <devices>', GPU_FLAG_HELP, 'auto');
}

/** The --gpu flag of serve, solve and bench. */
export const GPU_FLAG_HELP = 'OpenCL devices beside the threads: auto (GPUs, no CPU device), off, or numbers as bench lists them, e.g. 0,2';

/** Read a whole file, or standard input for '-'. */
export async function readInput(path: string, label: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(`cannot read ${label} file '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

export function parseJson(text: string, label: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(`${label} is not valid JSON: ${(error as Error).message}`);
  }
}

export async function openEngine(flags: EngineFlags): Promise<Engine> {
  let threads: number | undefined;
  if (flags.threads !== undefined) {
    threads = Number(flags.threads);
    if (!Number.isInteger(threads) || threads < 1 || threads > 256) throw new InputError('--threads must be an integer between 1 and 256');
  }
  return createEngine({ threads, backend: flags.engine, nice: flags.nice, gpu: parseGpuChoice(flags.gpu, '--gpu') });
}

const SI = ['', 'k', 'M', 'G', 'T'];
export function formatRate(perSecond: number): string {
  let value = perSecond;
  let unit = 0;
  while (value >= 1000 && unit < SI.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${SI[unit]}`;
}

/** Seconds as a short human duration: 0.4 s, 42 s, 7 min, 3.1 h, 12 days. */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'forever';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400 * 2) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

/**
 * The progress text: attempts, rate, time so far and, given the search's expected attempts, the
 * expected time left. A search has no memory, so on average `expected` attempts remain at any
 * moment: the time left is expected / rate, and the percentage says how far past the mean it is.
 */
export function progressText({ attempts, rate, elapsedMs }: Progress, expected?: number): string {
  const base = `${formatRate(attempts)} attempts  ${formatRate(rate)}/s  ${formatSeconds(elapsedMs / 1000)}`;
  if (expected === undefined) return base;
  const left = rate > 0 ? `~${formatSeconds(expected / rate)} left on average` : 'time left unknown';
  return `${base}  expected ${formatRate(expected)}(${Math.round((attempts / expected) * 100)}% of it done)  ${left}`;
}

/** A one-line progress display on a terminal; nothing when stderr is piped. */
export function progressLine(expected?: number, stream: NodeJS.WriteStream = process.stderr): { update(progress: Progress): void; done(): void } {
  if (!stream.isTTY) return { update() {}, done() {} };
  let shown = false;
  return {
    update(progress) {
      shown = true;
      stream.write(`\r${progressText(progress, expected)}   `);
    },
    done() {
      if (shown) stream.write('\n');
    },
  };
}
