/**
 * The engine's public entry: `createEngine` starts a worker-thread pool on the best backend this
 * machine can run (or the one asked for), with a lane per chosen OpenCL device beside the threads.
 * @module
 */
import { availableParallelism } from 'node:os';
import { isBackendChoice, kernelChoices, selectBackend, type BackendChoice } from './backends.js';
import { MAX_CHUNK } from './chunks.js';
import { parseGpuChoice, type GpuChoice } from './gpu-choice.js';
import { WorkerPool } from './pool.js';

export { RangeExhaustedError, type Engine, type EngineStats, type Found, type Progress, type SearchOptions } from './engine.js';
export type { BackendChoice, BackendName } from './backends.js';
export type { LaneStats } from './engine.js';
export { parseGpuChoice, type GpuChoice } from './gpu-choice.js';
export type { OpenclDevice } from './gpu.js';
export type { KernelChoice, SelectionSource } from './kernel-selection.js';
export type { WorkerPool } from './pool.js';

/** More threads than this is a configuration mistake, not a faster engine. */
export const MAX_THREADS = 256;

export interface EngineOptions {
  /** Worker threads (default: os.availableParallelism()). */
  readonly threads?: number;
  /** 'auto' (default): native when the addon loads, else WASM, else JS. */
  readonly backend?: BackendChoice;
  /** Fixed chunk size in nonces; adaptive (aiming at ~25 ms per chunk) when left out. */
  readonly chunk?: number;
  /** Where pool trouble is reported; stderr when left out. */
  readonly onWarning?: (message: string) => void;
  /** Run the search threads at the lowest scheduling priority (`--nice`, `pow.nice`). */
  readonly nice?: boolean;
  /**
   * OpenCL devices that search beside the threads (`--gpu`, `pow.gpu`): 'auto' (default) takes
   * every GPU and accelerator and no CPU device, 'off' none, a list names devices by number
   * ([0, 2] or "0,2").
   */
  readonly gpu?: GpuChoice | string;
}

export async function createEngine(options: EngineOptions = {}): Promise<WorkerPool> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isSafeInteger(threads)) throw new TypeError('threads must be an integer');
  if (threads < 1 || threads > MAX_THREADS) throw new RangeError(`threads must be between 1 and ${MAX_THREADS}`);
  if (options.chunk !== undefined) {
    if (!Number.isSafeInteger(options.chunk)) throw new TypeError('chunk must be an integer');
    if (options.chunk < 1 || options.chunk > MAX_CHUNK) throw new RangeError(`chunk must be between 1 and ${MAX_CHUNK}`);
  }
  const choice = options.backend ?? 'auto';
  if (!isBackendChoice(choice)) throw new RangeError(`backend must be one of auto, native, wasm, js`);
  const backend = await selectBackend(choice);
  // Selected here, once, on the main thread (measured or cached); the threads run the same variants.
  const kernels = kernelChoices(backend);
  // Strings and lists alike are checked here, as a caller in JavaScript may pass anything.
  const gpu = parseGpuChoice(String(options.gpu ?? 'auto'), 'gpu');
  // OpenCL is asked only when a device may be wanted; 'off' never opens the library.
  const gpus = gpu === 'off' ? [] : (await import('./gpu.js')).selectGpuDevices(gpu);
  return WorkerPool.start({
    backend: backend.name,
    kernels,
    threads,
    gpus,
    chunk: options.chunk,
    nice: options.nice,
    onWarning: options.onWarning,
  });
}
