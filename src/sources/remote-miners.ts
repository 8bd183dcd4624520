/**
 * Remote miners as a source of hash power: the broker offers its Bitmessage jobs here, and each
 * miner that polls for work (Metanoia `get_work`) takes a nonce range of one of them, round-robin
 * over the open jobs. Ranges a miner leaves unfinished go back to the job; results come back
 * through the job, which verifies them before anyone sees them.
 * @module
 */
import type { NonceRange, Source, SourceJob } from '../broker/types.js';
import type { BitmessageJob } from '../schemes/bitmessage.js';
import type { SchemeName } from '../schemes/scheme.js';

/** A range of one job handed to one miner. */
export interface Assignment {
  readonly job: SourceJob;
  readonly input: BitmessageJob;
  readonly range: NonceRange;
}

/** This source accepts Bitmessage jobs only, so their input is a BitmessageJob. */
const inputOf = (job: SourceJob): BitmessageJob => job.input as BitmessageJob;

export class RemoteMiners implements Source {
  readonly name = 'metanoia-miners';
  private readonly open: SourceJob[] = [];
  /** Where the next claim starts looking, so every open job gets miners. */
  private cursor = 0;
  private readonly waiting = new Set<() => void>();

  constructor(private readonly rangeSize: bigint) {
    if (rangeSize < 1n) throw new RangeError('range size must be at least 1');
  }

  accepts(scheme: SchemeName): boolean {
    return scheme === 'bitmessage';
  }

  run(job: SourceJob): void {
    if (job.signal.aborted) return;
    this.open.push(job);
    job.signal.addEventListener(
      'abort',
      () => {
        const index = this.open.indexOf(job);
        if (index !== -1) this.open.splice(index, 1);
      },
      { once: true },
    );
    for (const wake of [...this.waiting]) wake();
  }

  /** Open jobs for this initialHash (a pushed result names no target, so there may be several). */
  jobsFor(initialHash: Uint8Array): { readonly job: SourceJob; readonly input: BitmessageJob }[] {
    const wanted = Buffer.from(initialHash);
    return this.open
      .map((job) => ({ job, input: inputOf(job) }))
      .filter(({ input }) => wanted.equals(input.initialHash));
  }

  /** Miners waiting for work right now. */
  get waitingMiners(): number {
    return this.waiting.size;
  }

  /** A range of some open job, or null when no job has unclaimed nonces. */
  claim(): Assignment | null {
    for (let tried = 0; tried < this.open.length; tried++) {
      const job = this.open[(this.cursor + tried) % this.open.length];
      const range = job.claim(this.rangeSize);
      if (range !== null) {
        this.cursor = (this.cursor + tried + 1) % this.open.length;
        return { job, input: inputOf(job), range };
      }
    }
    return null;
  }

  /** Wait up to `timeoutMs` for a range; null on timeout or when `signal` aborts. */
  async next(timeoutMs: number, signal: AbortSignal): Promise<Assignment | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const assignment = this.claim();
      if (assignment !== null) return assignment;
      const left = deadline - Date.now();
      if (left <= 0 || signal.aborted) return null;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.waiting.delete(done);
          resolve();
        };
        const timer = setTimeout(done, left);
        signal.addEventListener('abort', done, { once: true });
        this.waiting.add(done);
      });
    }
  }
}
