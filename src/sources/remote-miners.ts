/**
 * Remote miners as a source of hash power: the broker offers its Bitmessage jobs here, and each
 * miner that polls for work (the Metanoia door's `get_work`, through the RemoteWork handle) takes
 * a nonce range of one of them, round-robin over the open jobs. Ranges a miner leaves unfinished
 * go back to the job; results come back through the job, which verifies them before anyone sees them.
 * @module
 */
import type { Handout, RemoteWork } from '../broker/remote-work.js';
import type { NonceRange, Source, SourceJob } from '../broker/types.js';
import type { BitmessageJob } from '../schemes/bitmessage.js';
import type { SchemeName } from '../schemes/scheme.js';

/** This source accepts Bitmessage jobs only, so their input is a BitmessageJob. */
const inputOf = (job: SourceJob): BitmessageJob => job.input as BitmessageJob;

/**
 * A job's range as one worker's handout. Its searched nonces count as the worker's attempts even
 * after the job is over (the work was done); finishing or releasing it then does nothing.
 */
function handout(job: SourceJob, range: NonceRange, worker: string): Handout<BitmessageJob> {
  const searchedTo = (end: bigint): void => {
    job.countAttempts(Number(end - range.start), worker);
    if (job.signal.aborted) return;
    // The rest goes back before the searched part is finished, so the job is not exhausted too early.
    job.release({ start: end, end: range.end });
    job.finish({ start: range.start, end });
  };
  return {
    input: inputOf(job),
    range,
    report: (nonce) => {
      if (nonce >= range.start && nonce < range.end) searchedTo(nonce + 1n);
      else if (!job.signal.aborted) job.release(range);
    },
    finish: () => searchedTo(range.end),
    release: () => {
      if (!job.signal.aborted) job.release(range);
    },
  };
}

export class RemoteMiners implements Source, RemoteWork<BitmessageJob> {
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

  openInputs(matches: (input: BitmessageJob) => boolean): BitmessageJob[] {
    return this.open.map(inputOf).filter(matches);
  }

  report(matches: (input: BitmessageJob) => boolean, nonce: bigint, worker: string): boolean {
    let accepted = false;
    // Every matching job hears of it: one nonce may answer two requests of one hash.
    for (const job of this.open.filter((open) => matches(inputOf(open)))) {
      if (job.reportNonce(nonce, worker)) accepted = true;
    }
    return accepted;
  }

  get waitingWorkers(): number {
    return this.waiting.size;
  }

  /** A range of some open job for `worker`, or null when no job has unclaimed nonces. */
  claim(worker: string): Handout<BitmessageJob> | null {
    for (let tried = 0; tried < this.open.length; tried++) {
      const job = this.open[(this.cursor + tried) % this.open.length];
      const range = job.claim(this.rangeSize);
      if (range !== null) {
        this.cursor = (this.cursor + tried + 1) % this.open.length;
        return handout(job, range, worker);
      }
    }
    return null;
  }

  async next(worker: string, timeoutMs: number, signal: AbortSignal): Promise<Handout<BitmessageJob> | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const assignment = this.claim(worker);
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
