/**
 * How the pool cuts a search's nonce range into chunks: a cursor per search (with chunks handed
 * back for a second scan), and a chunk size per lane and kernel family sized from that lane's own
 * measured rate, so a lane much faster than the others (a GPU, say) gets chunks to match.
 * @module
 */
import type { KernelName } from '../schemes/search.js';
import type { BackendName } from './backends.js';

/** What a lane scans with: a CPU backend, or an OpenCL device. */
export type LaneKind = BackendName | 'opencl';

export const MAX_CHUNK = 1 << 24;
/**
 * Chunk length to aim for: long enough that messages cost nothing, short enough to cancel
 * promptly. An OpenCL device's chunk is then about one of its launches (~20 ms), which it never
 * interrupts: a search stops within one launch on every lane.
 */
const CHUNK_TARGET_MS = 25;
/**
 * A native or WASM call costs ~2 µs, so below 16K attempts the overhead shows; JS pays per attempt.
 * An OpenCL device starts at its host's first launch size.
 */
const MIN_CHUNK: Readonly<Record<LaneKind, number>> = { native: 1 << 14, wasm: 1 << 14, js: 1 << 10, opencl: 1 << 14 };
/** A data-centre GPU does ~10^10 attempts/s, 2.5·10^8 per chunk; 2^32 leaves room and stays exact. */
const LARGEST_CHUNK: Readonly<Record<LaneKind, number>> = { native: MAX_CHUNK, wasm: MAX_CHUNK, js: MAX_CHUNK, opencl: 2 ** 32 };

export interface Chunk {
  readonly start: bigint;
  readonly count: number;
}

/** The nonces of one search not scanned yet: [next, end), after the chunks handed back. */
export class ChunkCursor {
  private next: bigint;
  /** Chunks to scan again before the cursor moves on: a dead thread's, a bad result's remainder. */
  private readonly returned: Chunk[] = [];

  constructor(
    start: bigint,
    private readonly end: bigint,
  ) {
    this.next = start;
  }

  hasWork(): boolean {
    return this.returned.length > 0 || this.next < this.end;
  }

  /** The next chunk of at most `size` nonces (a handed-back chunk as it was). */
  take(size: number): Chunk | undefined {
    const returned = this.returned.shift();
    if (returned !== undefined || this.next >= this.end) return returned;
    const remaining = this.end - this.next;
    const count = remaining < BigInt(size) ? Number(remaining) : size;
    const chunk = { start: this.next, count };
    this.next += BigInt(count);
    return chunk;
  }

  /** Scan `chunk` again before anything else. */
  giveBack(chunk: Chunk): void {
    this.returned.unshift(chunk);
  }
}

/** Chunk sizes of one lane, per kernel family: fixed, or adapted to the lane's last full chunk. */
export class ChunkSizer {
  private readonly byKernel = new Map<KernelName, number>();

  constructor(
    private readonly kind: LaneKind,
    private readonly fixed?: number,
  ) {}

  size(kernel: KernelName): number {
    return this.fixed ?? this.byKernel.get(kernel) ?? MIN_CHUNK[this.kind];
  }

  /** Learn from a chunk that ran to its end: `attempts` in `ms`. */
  observe(kernel: KernelName, attempts: number, ms: number): void {
    if (this.fixed !== undefined || ms <= 0 || attempts === 0) return;
    const ideal = Math.round((attempts / ms) * CHUNK_TARGET_MS);
    this.byKernel.set(kernel, Math.min(LARGEST_CHUNK[this.kind], Math.max(MIN_CHUNK[this.kind], ideal)));
  }
}
