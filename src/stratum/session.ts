/**
 * One Stratum connection: bytes in, lines out through a small transport (no socket here, so tests
 * drive it with raw bytes). It answers subscribe, authorize, submit, configure (BIP 310 version
 * rolling and minimum difficulty), suggest_difficulty and extranonce.subscribe; keeps its own
 * difficulty (vardiff) and the difficulty each job was sent with; counts its shares for the
 * workers view; and closes itself after too many protocol errors, too many rejected shares among
 * its recent ones, or an over-long line, replying first so the miner knows why.
 * @module
 */
import type { Logger } from '../log.js';
import { clientMessage, PowerplantError } from '../errors.js';
import { difficultyOf } from '../schemes/bitcoin.js';
import { LineSplitter } from '../net/framing.js';
import { stringifyJson, type JsonValue } from '../net/json.js';
import { errorReply, isShareVerdict, outcomeOf, StratumError, type ShareOutcome, type StratumErrorName } from './errors.js';
import { hex32, notifyParams } from './job.js';
import { BadRequest, parseRequest, type Request } from './requests.js';
import { RejectWindow } from './rejects.js';
import { checkShare, type CheckedShare, type Job } from './shares.js';
import { Vardiff, type VardiffSettings } from './vardiff.js';

/** How the session talks to its connection. */
export interface Transport {
  /** Send one line (without its newline). */
  send(line: string): void;
  /** Close the connection after what was sent (the session will not call send again). */
  close(reason: string): void;
}

/** One connection's limits: the stratum section of the limits table (config.ts), in its units. */
export interface SessionLimits {
  readonly maxLineBytes: number;
  /** Protocol errors (bad requests, not share verdicts) a connection may make; the next one closes it. */
  readonly maxErrors: number;
  /** Shares remembered per job for duplicate detection; a full job refuses further shares as stale. */
  readonly maxSharesPerJob: number;
  /** Characters of a worker name. */
  readonly maxWorkerNameChars: number;
  /** Workers one connection may authorize (a proxy may carry a few). */
  readonly maxWorkers: number;
  /** Seconds a share's ntime may run ahead of its job's. */
  readonly maxNtimeDriftS: number;
  /** Rejected shares (stale, duplicate, low difficulty) among the last `rejectWindowShares` judged ones; the next closes the connection. */
  readonly maxRejectedShares: number;
  /** How many of the connection's most recent judged shares (accepted or rejected) that bound counts over. */
  readonly rejectWindowShares: number;
}

/** Why a session was closed at a limit: its own, or the coordinator's timeouts (the `limit` label of powerplant_limits_hit_total). */
export type SessionLimit = 'errors' | 'line_bytes' | 'rejected_shares' | 'authorize_timeout' | 'idle';

export interface SessionSettings extends SessionLimits {
  readonly extranonce2Size: number;
  /** Version bits the pool lets miners roll (BIP 310); 0 refuses version rolling. */
  readonly versionMask: number;
  readonly vardiff: VardiffSettings;
}

/** What a session needs from its coordinator. */
export interface SessionHost {
  readonly settings: SessionSettings;
  /** The difficulty new connections start at. */
  readonly startDifficulty: number;
  latestJob(): Job | undefined;
  job(jobId: string): Job | undefined;
  /** A share met the block target; `later` runs work after the finder's reply is written. */
  foundBlock(share: CheckedShare, later: (work: () => void) => void): void;
  countShare(outcome: ShareOutcome): void;
  /** The session closes itself at one of its limits. */
  countLimit(limit: SessionLimit): void;
  /** A submit was stale: when the current job is full (no more shares fit), everyone gets a clean job. */
  renewFullJob(): void;
  forget(session: Session): void;
}

/** One connection's figures, for /stratum/workers and metrics. */
export interface WorkerStats {
  readonly extranonce1: string;
  readonly workers: readonly string[];
  readonly difficulty: number;
  readonly accepted: number;
  /** All rejected submits, stale ones included; by reason in `rejectedBy`. */
  readonly rejected: number;
  readonly rejectedBy: Readonly<Partial<Record<StratumErrorName, number>>>;
  /** Submits for a job that was no longer current (the rejectedBy.jobNotFound count). */
  readonly stale: number;
  readonly blocks: number;
  /** Hashes per second implied by the accepted shares: Σ difficulty × 2^32 / seconds connected. */
  readonly hashRate: number;
  /** Highest difficulty of an accepted share's hash (0 before the first). */
  readonly bestShare: number;
  /** Milliseconds since the epoch of the last accepted share, or null. */
  readonly lastShareAt: number | null;
  readonly connectedAt: number;
  /** The version mask negotiated with mining.configure (hex), or null. */
  readonly versionMask: string | null;
}

export class Session {
  private readonly lines: LineSplitter;
  private subscribed = false;
  private readonly workers = new Set<string>();
  /** The difficulty each job was sent with (the lowest, if sent twice): shares are checked against it. */
  private readonly jobDifficulty = new Map<string, number>();
  private readonly vardiff: Vardiff;
  /** The last judged shares, for the bound on rejected ones. */
  private readonly recent: RejectWindow;
  /** The job this connection was sent last. */
  private newestJobId: string | undefined;
  private versionMask = 0;
  private closed = false;
  private errors = 0;
  private accepted = 0;
  private readonly rejectedBy: Partial<Record<StratumErrorName, number>> = {};
  private blocks = 0;
  private acceptedWork = 0;
  private bestShare = 0;
  private lastShareAt: number | null = null;
  readonly connectedAt = Date.now();
  /** When bytes last arrived (for the idle timeout). */
  lastHeardAt = Date.now();
  /** Work that must follow the reply being written (a job after subscribe, a new block). */
  private afterReply: (() => void)[] = [];

  constructor(
    private readonly host: SessionHost,
    private readonly transport: Transport,
    readonly extranonce1: string,
    private readonly log: Logger,
  ) {
    this.lines = new LineSplitter(host.settings.maxLineBytes);
    this.vardiff = new Vardiff(host.settings.vardiff, host.startDifficulty, performance.now());
    this.recent = new RejectWindow(host.settings.rejectWindowShares);
  }

  get authorized(): boolean {
    return this.workers.size > 0;
  }

  /** Bytes from the connection. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    this.lastHeardAt = Date.now();
    const { lines, overflow } = this.lines.push(chunk);
    for (const line of lines) {
      if (this.closed) return;
      if (line.trim() !== '') this.handle(line);
    }
    if (overflow && !this.closed) {
      this.reply(null, null, errorReply(new PowerplantError('PP_ERR_TOO_LARGE', `line longer than ${this.host.settings.maxLineBytes} bytes`)));
      this.dropAt('line_bytes', 'line too long');
    }
  }

  /** The connection is gone (closed or failed): forget it at once. */
  disconnect(): void {
    this.closed = true;
    this.host.forget(this);
  }

  /** Close the connection from this side. */
  drop(reason: string): void {
    if (this.closed) return;
    this.log.debug({ extranonce1: this.extranonce1, reason }, 'dropping miner');
    this.disconnect();
    this.transport.close(reason);
  }

  /** Close the connection at one of its limits, counted by name. */
  dropAt(limit: SessionLimit, reason: string): void {
    this.host.countLimit(limit);
    this.drop(reason);
  }

  stats(): WorkerStats {
    const seconds = Math.max((Date.now() - this.connectedAt) / 1000, 1e-3);
    const rejected = Object.values(this.rejectedBy).reduce((sum, count) => sum + count, 0);
    return {
      extranonce1: this.extranonce1,
      workers: [...this.workers],
      difficulty: this.vardiff.current,
      accepted: this.accepted,
      rejected,
      rejectedBy: { ...this.rejectedBy },
      stale: this.rejectedBy.jobNotFound ?? 0,
      blocks: this.blocks,
      hashRate: (this.acceptedWork * 2 ** 32) / seconds,
      bestShare: this.bestShare,
      lastShareAt: this.lastShareAt,
      connectedAt: this.connectedAt,
      versionMask: this.versionMask === 0 ? null : hex32(this.versionMask),
    };
  }

  /** A new difficulty for this connection: set_difficulty, then `job` (or the current one again) at it. */
  pushDifficulty(difficulty: number, job = this.host.latestJob()): void {
    const next = this.vardiff.suggest(difficulty, performance.now(), false);
    if (!this.ready) return;
    this.notify('mining.set_difficulty', [next]);
    if (job !== undefined) this.pushJob(job);
  }

  pushJob(job: Job): void {
    if (!this.ready) return;
    const previous = this.jobDifficulty.get(job.stratum.jobId);
    this.jobDifficulty.set(job.stratum.jobId, Math.min(previous ?? Infinity, this.vardiff.current));
    this.newestJobId = job.stratum.jobId;
    for (const jobId of this.jobDifficulty.keys()) {
      if (this.host.job(jobId) === undefined) this.jobDifficulty.delete(jobId);
    }
    this.notify('mining.notify', previous === undefined ? notifyParams(job.stratum) : notifyParams({ ...job.stratum, cleanJobs: false }));
  }

  /** Now and then: a quiet miner's difficulty is lowered. */
  tick(): void {
    if (this.vardiff.tick(performance.now()) !== undefined && this.ready) this.sendDifficulty();
  }

  /** Jobs go out once the miner has subscribed and authorized, in either order. */
  private get ready(): boolean {
    return this.subscribed && this.workers.size > 0;
  }

  private handle(line: string): void {
    let request: Request;
    try {
      request = parseRequest(line);
    } catch (error) {
      const id = error instanceof BadRequest ? error.id : null;
      this.refuse(id, error);
      return;
    }
    try {
      const result = this.dispatch(request);
      this.reply(request.id, result, null);
      for (const next of this.afterReply.splice(0)) next();
    } catch (error) {
      this.afterReply = [];
      const submit = request.method === 'mining.submit';
      if (submit) {
        const outcome = outcomeOf(error);
        this.rejectedBy[outcome] = (this.rejectedBy[outcome] ?? 0) + 1;
        this.host.countShare(outcome);
        this.log.debug({ extranonce1: this.extranonce1, outcome, reason: error instanceof Error ? error.message : String(error) }, 'share rejected');
      }
      // A bad request is counted by refuse(), a miner's wrong share in the window of recent shares.
      const tooManyRejected = submit && this.isMinersFault(request, error) && this.recent.record(true) > this.host.settings.maxRejectedShares;
      if (tooManyRejected) this.closeForRejects(request.id, error);
      else if (error instanceof PowerplantError) this.refuse(request.id, error);
      else {
        this.log.error({ err: error }, 'stratum request failed');
        this.reply(request.id, null, errorReply(error));
      }
      // After the stale answer, so the miner reads it before the clean job.
      if (request.method === 'mining.submit' && outcomeOf(error) === 'jobNotFound') this.host.renewFullJob();
    }
  }

  /** An error reply; protocol errors (not share verdicts) count towards the connection's limit. */
  private refuse(id: JsonValue, error: unknown): void {
    this.reply(id, null, errorReply(error));
    if (isShareVerdict(error)) return;
    this.errors += 1;
    if (this.errors > this.host.settings.maxErrors) this.dropAt('errors', 'too many errors');
  }

  /**
   * Whether a rejected submit counts towards the bound on rejected shares: a duplicate, a
   * low-difficulty share, or a stale one for a job older than the newest this connection was sent.
   * A stale share for the newest one is excused: the tip moved (a block, a node's new template, a
   * full job) and no job has replaced it on this connection yet, so the miner could not know.
   */
  private isMinersFault(request: Request, error: unknown): boolean {
    if (!isShareVerdict(error)) return false;
    return outcomeOf(error) !== 'jobNotFound' || request.params[1] !== this.newestJobId;
  }

  /**
   * Past the bound on rejected shares: the submit is answered with its verdict and why the
   * connection ends, then it closes. Logged once, since nothing is read after.
   */
  private closeForRejects(id: JsonValue, verdict: unknown): void {
    const { rejected, shares } = this.recent;
    const why = `${rejected} of the last ${shares} shares rejected (limit ${this.host.settings.maxRejectedShares}): closing`;
    this.reply(id, null, errorReply(new PowerplantError('PP_ERR_TOO_MANY_ERRORS', `${clientMessage(verdict)}; ${why}`)));
    this.log.warn({ extranonce1: this.extranonce1, workers: [...this.workers], rejected, shares, rejectedBy: this.rejectedBy }, 'closing a miner for too many rejected shares');
    this.dropAt('rejected_shares', 'too many rejected shares');
  }

  private dispatch(request: Request): JsonValue {
    switch (request.method) {
      case 'mining.subscribe': {
        const wasReady = this.ready;
        this.subscribed = true;
        this.log.debug({ extranonce1: this.extranonce1, agent: String(request.params[0] ?? '').slice(0, 64) }, 'subscribed');
        this.sendWorkIfReady(wasReady);
        return [
          [
            ['mining.set_difficulty', this.extranonce1],
            ['mining.notify', this.extranonce1],
          ],
          this.extranonce1,
          this.host.settings.extranonce2Size,
        ];
      }
      case 'mining.authorize': {
        const [user] = request.params;
        const { maxWorkerNameChars, maxWorkers } = this.host.settings;
        if (typeof user !== 'string' || user.length === 0 || user.length > maxWorkerNameChars) {
          throw new StratumError('other', `user must be a string of 1 to ${maxWorkerNameChars} characters`);
        }
        if (!this.workers.has(user) && this.workers.size >= maxWorkers) {
          throw new StratumError('other', `at most ${maxWorkers} workers per connection`);
        }
        const wasReady = this.ready;
        this.workers.add(user);
        this.log.debug({ extranonce1: this.extranonce1, worker: user }, 'authorized');
        this.sendWorkIfReady(wasReady);
        return true;
      }
      case 'mining.submit':
        if (!this.subscribed) throw new StratumError('notSubscribed', 'not subscribed');
        return this.submit(checkShare(this.submitter(), request.params));
      case 'mining.configure':
        return this.configure(request.params);
      case 'mining.suggest_difficulty': {
        const wanted = Number(request.params[0]);
        if (!Number.isFinite(wanted) || wanted <= 0) throw new StratumError('other', 'difficulty must be a positive number');
        this.vardiff.suggest(wanted, performance.now(), true);
        if (this.ready) this.afterReply.push(() => this.sendDifficulty());
        return true;
      }
      case 'mining.extranonce.subscribe':
        // Our extranonce1 never changes during a connection, so there is never a set_extranonce to send.
        return true;
      default:
        throw new StratumError('other', `unsupported method ${JSON.stringify(request.method.slice(0, 64))}`);
    }
  }

  /** BIP 310: answer each extension asked for; unknown ones get false. */
  private configure(params: readonly JsonValue[]): JsonValue {
    const [extensions, options = {}] = params;
    if (!Array.isArray(extensions) || typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new StratumError('other', 'mining.configure takes a list of extensions and an object of parameters');
    }
    const result: { [key: string]: JsonValue } = {};
    for (const extension of extensions.slice(0, 16)) {
      if (extension === 'version-rolling') {
        const asked = options['version-rolling.mask'] ?? 'ffffffff';
        if (typeof asked !== 'string' || !/^[0-9a-fA-F]{1,8}$/.test(asked)) throw new StratumError('other', 'version-rolling.mask must be hex');
        this.versionMask = (this.host.settings.versionMask & parseInt(asked, 16)) >>> 0;
        result['version-rolling'] = this.versionMask !== 0;
        result['version-rolling.mask'] = hex32(this.versionMask);
      } else if (extension === 'minimum-difficulty') {
        const value = Number(options['minimum-difficulty.value']);
        const valid = Number.isFinite(value) && value > 0;
        if (valid) {
          this.vardiff.suggest(Math.max(value, this.vardiff.current), performance.now(), true);
          if (this.ready) this.afterReply.push(() => this.sendDifficulty());
        }
        result['minimum-difficulty'] = valid;
      } else if (typeof extension === 'string') result[extension.slice(0, 64)] = false;
    }
    return result;
  }

  /** When a session just became ready, its difficulty and job follow the reply. */
  private sendWorkIfReady(wasReady: boolean): void {
    if (wasReady || !this.ready) return;
    this.afterReply.push(() => this.sendDifficulty());
  }

  private sendDifficulty(): void {
    this.notify('mining.set_difficulty', [this.vardiff.current]);
    const job = this.host.latestJob();
    if (job !== undefined) this.pushJob(job);
  }

  private submitter() {
    return {
      extranonce1: this.extranonce1,
      extranonce2Size: this.host.settings.extranonce2Size,
      workers: this.workers,
      versionMask: this.versionMask,
      maxSharesPerJob: this.host.settings.maxSharesPerJob,
      maxNtimeDriftS: this.host.settings.maxNtimeDriftS,
      jobFor: (jobId: string) => {
        const job = this.host.job(jobId);
        const difficulty = this.jobDifficulty.get(jobId);
        return job === undefined || difficulty === undefined ? undefined : { job, difficulty };
      },
    };
  }

  private submit(share: CheckedShare): true {
    if (share.isBlock) {
      // The tip moves now (so a second block on it is stale); the miner sees `true` before the clean job that follows.
      this.host.foundBlock(share, (work) => this.afterReply.push(work));
      this.blocks += 1;
    }
    this.accepted += 1;
    this.recent.record(false);
    this.acceptedWork += share.difficulty;
    this.bestShare = Math.max(this.bestShare, difficultyOf(share.value));
    this.lastShareAt = Date.now();
    this.host.countShare('accepted');
    if (this.vardiff.share(performance.now()) !== undefined) this.afterReply.push(() => this.sendDifficulty());
    return true;
  }

  private notify(method: string, params: JsonValue[]): void {
    this.write({ id: null, method, params });
  }

  private reply(id: JsonValue, result: JsonValue, error: JsonValue): void {
    this.write({ id, result, error });
  }

  private write(message: JsonValue): void {
    if (!this.closed) this.transport.send(stringifyJson(message));
  }
}
