/**
 * Hash-rate measurement behind `powerplant bench` and the bench/ scripts. Every figure searches a
 * task that cannot pass (so nothing stops early) for a fixed time and counts attempts per second:
 * one backend on the calling thread, or a whole worker pool.
 * @module
 */
import { nonceSpace, type SearchTask } from '../schemes/search.js';
import type { Backend } from './backend.js';
import { loadBackend, tryNativeBackend } from './backends.js';
import type { BackendName } from './backends.js';
import { createEngine } from './index.js';
import type { WorkerPool } from './pool.js';
import { referenceBackend } from './reference.js';

export const BENCH_SCHEMES = ['nostr', 'bitcoin', 'bitmessage', 'nano', 'hashcash'] as const;
export type BenchScheme = (typeof BENCH_SCHEMES)[number];

const ascii = (value: string): Uint8Array => new TextEncoder().encode(value);
const hex = (value: string): Uint8Array => Uint8Array.from(Buffer.from(value, 'hex'));

const NONCE_WIDTH = 12;
const NOSTR_SUFFIX = ascii('","256"]],"powerplant bench"]');

/**
 * A NIP-13 event serialization whose nonce starts 8 bytes into a SHA-256 block, so the nonce, the
 * rest of the event and the padding fit that one block: one compression per attempt, the layout
 * Powerplant's Nostr door produces.
 */
function nostrPrefix(): Uint8Array {
  const head = '[0,"' + 'ab'.repeat(32) + '",1700000000,1,[["client","powerplant bench';
  const tail = '"],["nonce","';
  const filler = (64 + 8 - ((head.length + tail.length) % 64)) % 64;
  return ascii(head + '.'.repeat(filler) + tail);
}

/** A task of each scheme's kernel that no nonce passes. */
export function impossibleTask(scheme: BenchScheme): SearchTask {
  switch (scheme) {
    case 'nostr':
      return { kernel: 'sha256-text', prefix: nostrPrefix(), suffix: NOSTR_SUFFIX, width: NONCE_WIDTH, zeroBits: 256 };
    case 'hashcash':
      return {
        kernel: 'sha1-text',
        prefix: ascii('1:160:261121:bench@powerplant::c29tZXJhbmQ:'),
        suffix: new Uint8Array(0),
        width: NONCE_WIDTH,
        zeroBits: 160,
      };
    case 'bitcoin': // the genesis block header; only an all-zero hash would pass target 0
      return {
        kernel: 'sha256d-header',
        header: hex(
          '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
        ),
        target: 0n,
      };
    case 'bitmessage':
      return {
        kernel: 'sha512d-bitmessage',
        initialHash: hex(
          'bd227de52173a50ecd54893f71de52511f62b17facf2ce6670a2489f81b73b0aa4effc81b935f628fc5383c46990ed72249d1bcfbffcff928c539044723c5e87',
        ),
        target: 0n,
      };
    case 'nano':
      return {
        kernel: 'blake2b-nano',
        root: hex('718CC2121C3E641059BC1C2CFC45666C99E8AE922F7A807B7D07B62C995D79E2'),
        threshold: (1n << 64n) - 1n,
      };
  }
}

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
 * Attempts per second of a whole pool over `seconds`. The count starts after a warm-up fifth of
 * the time: both ends then miss the chunks still in flight, so the difference is fair.
 */
export async function measurePool(engine: WorkerPool, task: SearchTask, seconds: number): Promise<number> {
  const controller = new AbortController();
  const search = engine.search(task, { signal: controller.signal });
  const sample = () => ({ at: performance.now(), attempts: engine.stats().totalAttempts });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  await sleep(seconds * 200);
  const first = sample();
  await sleep(seconds * 800);
  const last = sample();
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
  /** Attempts per second of the pool with `threads` threads on the fastest backend. */
  readonly total: number;
  /** The kernel variant the pool ran. */
  readonly kernel: string;
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
  /** Called as each scheme's figures are ready, to print rows as they come. */
  readonly onScheme?: (scheme: BenchScheme, figures: SchemeFigures) => void;
}

async function loadOptional(name: BackendName): Promise<Backend | null> {
  return loadBackend(name).catch(() => null);
}

export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const native = await tryNativeBackend();
  const wasm = await loadOptional('wasm');
  const fastest = native ?? wasm ?? referenceBackend;
  const engine = await createEngine({ threads: options.threads, backend: fastest.name });
  const schemes: Partial<Record<BenchScheme, SchemeFigures>> = {};
  try {
    for (const scheme of BENCH_SCHEMES) {
      const task = impossibleTask(scheme);
      const figures: SchemeFigures = {
        native: native && measureScan(native, task, options.seconds),
        wasm: wasm && measureScan(wasm, task, options.seconds),
        baseline: measureScan(referenceBackend, task, options.seconds),
        threads: options.threads,
        total: await measurePool(engine, task, options.seconds),
        kernel: fastest.kernel(task),
      };
      schemes[scheme] = figures;
      options.onScheme?.(scheme, figures);
    }
  } finally {
    await engine.close();
  }
  return { backend: fastest.name, schemes: schemes as Record<BenchScheme, SchemeFigures> };
}
