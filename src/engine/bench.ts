/**
 * Hash-rate measurement behind `powerplant bench` and the bench/ scripts. Every figure searches a
 * task that cannot pass (so nothing stops early) for a fixed time and counts attempts per second:
 * one backend on the calling thread, or a whole worker pool.
 * @module
 */
import { nonceSpace, type KernelName, type SearchTask } from '../schemes/search.js';
import { impossibleTask } from './probe-tasks.js';
import type { Backend } from './backend.js';
import { kernelChoices, loadBackend, tryNativeBackend } from './backends.js';
import type { BackendName } from './backends.js';
import { createEngine, type GpuChoice } from './index.js';
import type { SelectionSource } from './kernel-selection.js';
import { loadNativeBackend, nativeKernelVariants } from './native.js';
import type { WorkerPool } from './pool.js';
import { referenceBackend } from './reference.js';

export const BENCH_SCHEMES = ['nostr', 'bitcoin', 'bitmessage', 'nano', 'hashcash'] as const;
export type BenchScheme = (typeof BENCH_SCHEMES)[number];

/** The kernel family each scheme's search runs. */
export const SCHEME_KERNEL: Readonly<Record<BenchScheme, KernelName>> = {
  nostr: 'sha256-text',
  bitcoin: 'sha256d-header',
  bitmessage: 'sha512d-bitmessage',
  nano: 'blake2b-nano',
  hashcash: 'sha1-text',
};

/** A task of the scheme's kernel that no nonce passes. */
export const benchTask = (scheme: BenchScheme): SearchTask => impossibleTask(SCHEME_KERNEL[scheme]);

const MIN_SCAN = 1 << 10;
const MAX_SCAN = 1 << 24;
/** Scans shorter than this grow, so call overhead does not count against a fast kernel. */
const SCAN_TARGET_MS = 10;

/** Attempts per second of one backend on the calling thread, over `seconds`. */
export function measureScan(backend: Pick<Backend, 'scan'> & { readonly name: string }, task: SearchTask, seconds: number): number {
  const space = nonceSpace(task);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let attempts = 0;
  let count = MIN_SCAN;
  let next = 0n;
  let now = started;
  while (now < deadline) {
    if (next + BigInt(count) > space) next = 0n;
    const result = backend.scan(task, next, count);
    if (result.nonce !== null) throw new Error(`the ${backend.name} backend passed an impossible ${task.kernel} task`);
    attempts += result.attempts;
    next += BigInt(count);
    const scanStarted = now;
    now = performance.now();
    if (now - scanStarted < SCAN_TARGET_MS && count < MAX_SCAN) count *= 2;
  }
  return (attempts * 1000) / (now - started);
}

/**
 * Attempts per second of a whole pool over about `seconds`, after a warm-up fifth of the time. The
 * pool counts attempts only as chunks come back, so each end of the window is the first moment the
 * count moves after its time: a window no chunk ended in (a loaded machine) would read 0.
 */
export async function measurePool(engine: WorkerPool, task: SearchTask, seconds: number): Promise<number> {
  const controller = new AbortController();
  const search = engine.search(task, { signal: controller.signal });
  let searching = true;
  void search.catch(() => undefined).finally(() => (searching = false));
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const sampleAfter = async (ms: number) => {
    await sleep(ms);
    const passed = engine.stats().totalAttempts;
    while (searching && engine.stats().totalAttempts === passed) await sleep(1);
    return { at: performance.now(), attempts: engine.stats().totalAttempts };
  };
  const first = await sampleAfter(seconds * 200);
  const last = await sampleAfter(seconds * 800);
  controller.abort();
  await search.catch((error: unknown) => {
    if (!controller.signal.aborted || error !== controller.signal.reason) throw error;
  });
  return ((last.attempts - first.attempts) * 1000) / (last.at - first.at);
}

export interface SchemeFigures {
  /** Attempts per second on one thread: native kernel (null without the addon), WASM, JS baseline. */
  readonly native: number | null;
  readonly wasm: number | null;
  readonly baseline: number;
  readonly threads: number;
  /** OpenCL devices (by number) searching beside the threads in the total. */
  readonly devices: readonly number[];
  /** Attempts per second of the pool with `threads` threads on the fastest backend, and `devices`. */
  readonly total: number;
  /** The kernel variant the pool ran, and how it was chosen. */
  readonly kernel: string;
  readonly source: SelectionSource;
  /** Attempts per second on one thread of every native variant this CPU runs ({} without the addon). */
  readonly variants: Readonly<Record<string, number>>;
}

export interface BenchReport {
  /** The backend the pool ran on: 'native', or 'wasm' when the addon is absent. */
  readonly backend: BackendName;
  readonly schemes: Record<BenchScheme, SchemeFigures>;
}

export interface BenchOptions {
  /** Seconds per measurement (four measurements per scheme). */
  readonly seconds: number;
  readonly threads: number;
  /** OpenCL devices that join the threads for the total (default 'auto'). */
  readonly gpu?: GpuChoice;
  /** Called as each scheme's figures are ready, to print rows as they come. */
  readonly onScheme?: (scheme: BenchScheme, figures: SchemeFigures) => void;
}

async function loadOptional(name: BackendName): Promise<Backend | null> {
  return loadBackend(name).catch(() => null);
}

/** One thread's rate of every native variant of the task's family, each pinned in turn. */
function measureVariants(task: SearchTask, seconds: number): Record<string, number> {
  const names = nativeKernelVariants()?.[task.kernel] ?? [];
  return Object.fromEntries(
    names.map((variant) => [variant, measureScan(loadNativeBackend({ [task.kernel]: variant })!, task, seconds)]),
  );
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const native = await tryNativeBackend();
  const wasm = await loadOptional('wasm');
  const fastest = native ?? wasm ?? referenceBackend;
  const choices = kernelChoices(fastest);
  const engine = await createEngine({ threads: options.threads, backend: fastest.name, gpu: options.gpu });
  const devices = engine.devices.map((device) => device.index);
  const schemes: Partial<Record<BenchScheme, SchemeFigures>> = {};
  try {
    for (const scheme of BENCH_SCHEMES) {
      const task = benchTask(scheme);
      const family = SCHEME_KERNEL[scheme];
      const variants = measureVariants(task, options.seconds);
      const choice = choices[family];
      const figures: SchemeFigures = {
        native: native && (variants[choice.variant] ?? null),
        wasm: wasm && measureScan(wasm, task, options.seconds),
        baseline: measureScan(referenceBackend, task, options.seconds),
        threads: options.threads,
        devices,
        total: await measurePool(engine, task, options.seconds),
        kernel: choice.variant,
        source: choice.source,
        variants,
      };
      schemes[scheme] = figures;
      options.onScheme?.(scheme, figures);
    }
  } finally {
    await engine.close();
  }
  return { backend: fastest.name, schemes: schemes as Record<BenchScheme, SchemeFigures> };
}
