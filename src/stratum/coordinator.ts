/**
 * The Stratum v1 coordinator without sockets: it hands every connection (session.ts) its own
 * extranonce1 (disjoint search spaces), makes jobs from the work source (the built-in chain or a
 * node: at once with clean_jobs on a new tip, and on a timer with fresh work), sends found blocks
 * to the source and records its verdict, and closes connections that never authorize or go quiet.
 *
 *   mining.submit → subscribed? (25) → authorized? (24) → params (20) → job known, not full? (21)
 *                → header → duplicate? (22) → meets the block target? → block → source.submit
 *                → meets the share target? (23) → accepted
 * @module
 */
import { randomInt } from 'node:crypto';
import { silentLogger, type Logger } from '../log.js';
import { shareTarget } from '../schemes/bitcoin.js';
import type { ShareOutcome } from './errors.js';
import { hex32 } from './job.js';
import { Session, type SessionHost, type SessionLimit, type SessionLimits, type SessionSettings, type Transport, type WorkerStats } from './session.js';
import type { CheckedShare, Job } from './shares.js';
import type { VardiffSettings } from './vardiff.js';
import type { BlockVerdict, WorkSource, WorkStatus } from './work.js';

export { STRATUM_ERRORS, type ShareOutcome } from './errors.js';
export type { Session, SessionLimit, SessionLimits, Transport, WorkerStats } from './session.js';

/** The per-connection limits come from the limits table (config.ts), which holds their defaults. */
export interface CoordinatorOptions extends SessionLimits {
  readonly source: WorkSource;
  /** The difficulty a connection starts at. */
  readonly shareDifficulty: number;
  /** A fresh job (new ntime, refreshed transactions) this often, in milliseconds; 0 turns the timer off. */
  readonly jobIntervalMs: number;
  /** Default: off (a fixed difficulty, anything positive allowed). */
  readonly vardiff?: VardiffSettings;
  /** Version bits miners may roll (BIP 310); default 1fffe000 (BIP 320). */
  readonly versionMask?: number;
  /** A connection not authorized this long after it opened is closed; 0: never (default). */
  readonly authorizeTimeoutMs?: number;
  /** A connection that sends nothing this long is closed; 0: never (default). */
  readonly idleTimeoutMs?: number;
  readonly logger?: Logger;
  /** Called with the chain's or node's verdict on each block found. */
  readonly onBlock?: (verdict: BlockVerdict) => void;
  /** Called for every submit: 'accepted' or the name of its error code (for metrics). */
  readonly onShare?: (outcome: ShareOutcome) => void;
  /** Called when a connection closes itself at one of its limits (for metrics). */
  readonly onLimit?: (limit: SessionLimit) => void;
}

/** Found blocks by what the chain or node made of them. */
export interface BlockCounts {
  readonly submitted: number;
  readonly accepted: number;
  readonly rejected: number;
}

/** Bytes of the extranonce1 the coordinator gives each connection (a 32-bit counter). */
export const EXTRANONCE1_SIZE = 4;
/** Bytes of extranonce2 each miner varies. */
export const EXTRANONCE2_SIZE = 4;
/** Jobs of the current tip that stay valid for submits (older timer jobs become stale). */
const KEPT_JOBS = 8;
const DEFAULT_VERSION_MASK = 0x1fffe000;
const NO_VARDIFF: VardiffSettings = { sharesPerMinute: 0, retargetMs: 60_000, minDifficulty: 0, maxDifficulty: Infinity };
/** How often connections are checked for timeouts and quiet miners' difficulty (at most). */
const SWEEP_MS = 1000;

export class Coordinator {
  readonly source: WorkSource;
  private readonly options: CoordinatorOptions;
  private readonly log: Logger;
  private readonly sessions = new Set<Session>();
  private readonly jobs = new Map<string, Job>();
  private readonly host: SessionHost;
  private current: Job | undefined;
  private jobCounter = 0;
  private extranonceCounter = randomInt(0, 0xffffffff);
  private difficulty: number;
  private readonly timers: NodeJS.Timeout[] = [];
  /** While a found block is sent to a synchronous source: where its new job's broadcast goes. */
  private afterFinderReply: ((work: () => void) => void) | undefined;
  private blockCounts = { submitted: 0, accepted: 0, rejected: 0 };

  constructor(options: CoordinatorOptions) {
    this.options = options;
    this.source = options.source;
    this.log = (options.logger ?? silentLogger).child({ component: 'stratum' });
    shareTarget(options.shareDifficulty); // validates
    this.difficulty = options.shareDifficulty;
    const settings: SessionSettings = {
      maxLineBytes: options.maxLineBytes,
      maxErrors: options.maxErrors,
      maxSharesPerJob: options.maxSharesPerJob,
      maxWorkerNameChars: options.maxWorkerNameChars,
      maxWorkers: options.maxWorkers,
      maxNtimeDriftS: options.maxNtimeDriftS,
      maxRejectedShares: options.maxRejectedShares,
      rejectWindowShares: options.rejectWindowShares,
      extranonce2Size: EXTRANONCE2_SIZE,
      versionMask: options.versionMask ?? DEFAULT_VERSION_MASK,
      vardiff: options.vardiff ?? NO_VARDIFF,
    };
    const coordinator = this;
    this.host = {
      settings,
      get startDifficulty() {
        return coordinator.difficulty;
      },
      latestJob: () => this.current,
      job: (jobId) => this.jobs.get(jobId),
      foundBlock: (share, later) => this.foundBlock(share, later),
      countShare: (outcome) => this.options.onShare?.(outcome),
      countLimit: (limit) => this.options.onLimit?.(limit),
      renewFullJob: () => {
        if (this.current !== undefined && this.current.shares.size >= settings.maxSharesPerJob) this.announce(true);
      },
      forget: (session) => this.sessions.delete(session),
    };
    this.source.onWork((clean) => this.announce(clean));
    this.newJob(true);
    if (options.jobIntervalMs > 0) this.every(options.jobIntervalMs, () => this.source.refresh());
    const timeouts = [options.authorizeTimeoutMs ?? 0, options.idleTimeoutMs ?? 0, settings.vardiff.sharesPerMinute > 0 ? settings.vardiff.retargetMs : 0];
    const shortest = Math.min(...timeouts.filter((ms) => ms > 0));
    if (Number.isFinite(shortest)) this.every(Math.max(10, Math.min(SWEEP_MS, shortest / 4)), () => this.sweep());
  }

  get shareDifficulty(): number {
    return this.difficulty;
  }

  /** Where the work comes from and whether it flows. */
  status(): WorkStatus & { readonly blocks: BlockCounts } {
    return { ...this.source.status(), blocks: { ...this.blockCounts } };
  }

  connect(transport: Transport): Session {
    let extranonce1: string;
    const taken = new Set([...this.sessions].map((session) => session.extranonce1));
    do {
      this.extranonceCounter = (this.extranonceCounter + 1) >>> 0;
      extranonce1 = hex32(this.extranonceCounter);
    } while (taken.has(extranonce1));
    const session = new Session(this.host, transport, extranonce1, this.log);
    this.sessions.add(session);
    return session;
  }

  /** Per-connection figures, for the workers view, metrics and tests. */
  agents(): WorkerStats[] {
    return [...this.sessions].map((session) => session.stats());
  }

  /** Change every connection's difficulty: each gets set_difficulty and a fresh job. */
  setShareDifficulty(difficulty: number): void {
    shareTarget(difficulty);
    this.difficulty = difficulty;
    const job = this.newJob(false);
    for (const session of this.sessions) session.pushDifficulty(difficulty, job);
  }

  close(): void {
    for (const timer of this.timers) clearInterval(timer);
    this.source.close();
    for (const session of [...this.sessions]) session.drop('the coordinator is closing');
  }

  private every(ms: number, work: () => void): void {
    const timer = setInterval(work, ms);
    timer.unref();
    this.timers.push(timer);
  }

  /** Close connections past their timeouts; let quiet miners' difficulty fall. */
  private sweep(): void {
    const now = Date.now();
    const { authorizeTimeoutMs = 0, idleTimeoutMs = 0 } = this.options;
    for (const session of [...this.sessions]) {
      if (authorizeTimeoutMs > 0 && !session.authorized && now - session.connectedAt > authorizeTimeoutMs) session.dropAt('authorize_timeout', 'not authorized in time');
      else if (idleTimeoutMs > 0 && now - session.lastHeardAt > idleTimeoutMs) session.dropAt('idle', 'idle');
      else session.tick();
    }
  }

  /**
   * A share met the block target: every job of its tip is stale from now on, and the block goes to
   * the source, which announces the next tip. A synchronous source (the built-in chain) announces
   * it before this returns; its broadcast then follows the finder's reply.
   */
  private foundBlock(share: CheckedShare, later: (work: () => void) => void): void {
    this.jobs.clear();
    this.current = undefined;
    this.blockCounts.submitted += 1;
    this.afterFinderReply = later;
    let verdict: BlockVerdict | Promise<BlockVerdict>;
    try {
      verdict = this.source.submit({ template: share.job.template, header: share.header, coinbase: share.coinbase, worker: share.worker });
    } finally {
      this.afterFinderReply = undefined;
    }
    void Promise.resolve(verdict).then((answer) => this.recordBlock(answer, share.worker));
  }

  private recordBlock(verdict: BlockVerdict, worker: string): void {
    if (verdict.accepted) {
      this.blockCounts.accepted += 1;
      this.log.info({ height: verdict.height, hash: verdict.hash, worker }, 'block found and accepted');
    } else {
      this.blockCounts.rejected += 1;
      this.log.info({ height: verdict.height, hash: verdict.hash, worker, reason: verdict.reason }, 'block found but rejected');
      // The old tip's jobs are gone: mine on whatever the source has now.
      if (this.current === undefined) this.announce(true);
    }
    this.options.onBlock?.(verdict);
  }

  /** New work from the source: a job for everyone (after the finder's reply, when a block made it). */
  private announce(clean: boolean): void {
    const job = this.newJob(clean);
    if (job === undefined) return;
    const broadcast = (): void => {
      for (const session of this.sessions) session.pushJob(job);
    };
    if (this.afterFinderReply !== undefined) this.afterFinderReply(broadcast);
    else broadcast();
  }

  private newJob(cleanJobs: boolean): Job | undefined {
    const template = this.source.current();
    if (template === undefined) return undefined;
    if (cleanJobs) this.jobs.clear();
    this.jobCounter = (this.jobCounter + 1) >>> 0;
    const job: Job = {
      stratum: {
        jobId: this.jobCounter.toString(16),
        prevhash: template.prevhash,
        coinb1: template.coinb1,
        coinb2: template.coinb2,
        merkleBranch: template.merkleBranch,
        version: template.version,
        nbits: template.nbits,
        ntime: template.ntime,
        cleanJobs,
      },
      template,
      shares: new Set(),
    };
    this.jobs.set(job.stratum.jobId, job);
    for (const jobId of this.jobs.keys()) {
      if (this.jobs.size <= KEPT_JOBS) break;
      this.jobs.delete(jobId);
    }
    this.current = job;
    return job;
  }
}
