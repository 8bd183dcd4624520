/**
 * One search thread of the pool. It loads its backend once (with the kernel variants the main
 * thread selected, or one OpenCL device, whose kernels it builds), keeps the tasks of the jobs it works on (each sent once per job), and scans
 * the chunks it is handed in order. Before each chunk it reads the job's flag in shared memory, so
 * chunks of a cancelled or finished job are skipped without waiting for the main thread. A nonce
 * the kernel reports is checked here with the reference `attempt()`, one hash off the main thread.
 * @module
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { SearchTask } from '../schemes/search.js';
import type { Backend } from './backend.js';
import { loadBackend, type BackendName } from './backends.js';
import type { KernelPins } from './kernel-selection.js';
import { attempt } from './reference.js';

/** The lowest scheduling priority (nice 19 on Unix, IDLE on Windows). */
const LOWEST_PRIORITY = 19;

export interface WorkerConfig {
  /** The CPU backend, which also runs every thread's reference check. */
  readonly backend: BackendName;
  /** The OpenCL device this thread drives instead of the CPU backend, or null. */
  readonly opencl: number | null;
  readonly variants: KernelPins;
  /**
   * Lower this thread to the lowest priority. On Linux setpriority() on the calling thread's id
   * (what os.setPriority() without a pid does there) lowers this thread only; elsewhere it lowers
   * the whole process.
   */
  readonly nice: boolean;
  /** Per job slot: the id of the job that owns it while that job is live, 0 otherwise. */
  readonly live: Int32Array;
}

export type ToWorker =
  | { readonly type: 'job'; readonly job: number; readonly slot: number; readonly task: SearchTask }
  | { readonly type: 'scan'; readonly job: number; readonly start: bigint; readonly count: number }
  | { readonly type: 'forget'; readonly job: number };

export type FromWorker =
  | { readonly type: 'ready' }
  | {
      readonly type: 'scanned';
      readonly job: number;
      readonly nonce: bigint | null;
      /** Whether `nonce` passed the reference check (false when null). */
      readonly passes: boolean;
      readonly attempts: number;
      /** Time spent scanning; 0 for a skipped chunk. */
      readonly ms: number;
    }
  | { readonly type: 'failed'; readonly job: number; readonly message: string };

if (parentPort === null) throw new Error('worker.ts runs only as a worker thread');
const port = parentPort;
const config = workerData as WorkerConfig;
if (config.nice) setPriority(LOWEST_PRIORITY);
const backend: Pick<Backend, 'scan'> =
  config.opencl === null
    ? await loadBackend(config.backend, config.variants)
    : (await import('./gpu.js')).loadOpenclBackend(config.opencl);
const jobs = new Map<number, { readonly slot: number; readonly task: SearchTask }>();

function reply(message: FromWorker): void {
  port.postMessage(message);
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'job':
      jobs.set(message.job, { slot: message.slot, task: message.task });
      return;
    case 'forget':
      jobs.delete(message.job);
      return;
    case 'scan': {
      const job = jobs.get(message.job);
      if (job === undefined || Atomics.load(config.live, job.slot) !== message.job) {
        reply({ type: 'scanned', job: message.job, nonce: null, passes: false, attempts: 0, ms: 0 });
        return;
      }
      const started = performance.now();
      try {
        const result = backend.scan(job.task, message.start, message.count);
        const ms = performance.now() - started;
        const passes = result.nonce !== null && attempt(job.task, result.nonce);
        reply({ type: 'scanned', job: message.job, nonce: result.nonce, passes, attempts: result.attempts, ms });
      } catch (error) {
        reply({ type: 'failed', job: message.job, message: error instanceof Error ? error.message : String(error) });
      }
      return;
    }
  }
});
reply({ type: 'ready' });
