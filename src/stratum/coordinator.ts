/**
 * The Stratum v1 coordinator without sockets: sessions take bytes in and send lines out through a
 * small transport, so tests drive it with raw bytes. It hands every session its own extranonce1
 * (disjoint search spaces), pushes jobs from the chain (at once with clean_jobs on a new block,
 * and on a timer with a fresh ntime), and checks every share with BigInt targets.
 *
 *   mining.submit → subscribed? (25) → authorized? (24) → params (20) → job known? (21)
 *                → header → duplicate? (22) → meets the share target? (23) → accepted
 *                → meets the block target? → chain.accept → new job for everyone
 * @module
 */
import { randomInt } from 'node:crypto';
import { silentLogger, type Logger } from '../log.js';
import { clientMessage, ERRORS, InputError, PowerplantError, wiresOf, type ErrorCode } from '../errors.js';
import { hashValue, shareTarget } from '../schemes/bitcoin.js';
import { LineSplitter } from '../net/framing.js';
import { parseJson, stringifyJson, type JsonValue } from '../net/json.js';
import type { Block, Chain } from './chain.js';
import { buildHeader, hex32, notifyParams, type StratumJob } from './job.js';

/** The registry codes of Stratum's errors (sent as `[code, message, null]`), by share outcome name. */
export const STRATUM_ERRORS = {
  other: 'PP_ERR_INVALID',
  jobNotFound: 'PP_ERR_JOB_NOT_FOUND',
  duplicate: 'PP_ERR_DUPLICATE_SHARE',
  lowDifficulty: 'PP_ERR_LOW_DIFFICULTY',
  unauthorized: 'PP_ERR_UNAUTHORIZED',
  notSubscribed: 'PP_ERR_NOT_SUBSCRIBED',
} as const satisfies Record<string, ErrorCode>;

export type ShareOutcome = 'accepted' | keyof typeof STRATUM_ERRORS;
const OUTCOME_OF_CODE = new Map(Object.entries(STRATUM_ERRORS).map(([name, code]) => [code as ErrorCode, name as ShareOutcome]));
const OTHER = ERRORS.PP_ERR_INVALID.stratum;

/** A registry error; the name says where it is thrown. */
const StratumError = PowerplantError;

/** How the coordinator talks to one connection. */
export interface Transport {
  /** Send one line (without its newline). */
  send(line: string): void;
  /** Close the connection (the coordinator will not call send again). */
  close(reason: string): void;
}

export interface CoordinatorOptions {
  readonly chain: Chain;
  readonly shareDifficulty: number;
  /** A fresh job (new ntime) this often, in milliseconds; 0 turns the timer off. */
  readonly jobIntervalMs: number;
  readonly maxLineBytes: number;
  readonly logger?: Logger;
  /** Called after each block the chain accepts. */
  readonly onBlock?: (block: Block) => void;
  /** Called for every submit: 'accepted' or the name of its error code (for metrics). */
  readonly onShare?: (outcome: ShareOutcome) => void;
}

export interface AgentStats {
  readonly extranonce1: string;
  readonly workers: readonly string[];
  readonly difficulty: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly blocks: number;
  /** Hashes per second implied by the accepted shares: Σ difficulty × 2^32 / seconds connected. */
  readonly hashRate: number;
}

/** Bytes of the extranonce1 the coordinator gives each agent (a 32-bit counter). */
export const EXTRANONCE1_SIZE = 4;
/** Bytes of extranonce2 each agent varies. */
export const EXTRANONCE2_SIZE = 4;
/** Jobs of the current tip that stay valid for submits (older timer jobs become stale). */
const KEPT_JOBS = 8;
/** Shares remembered per job for duplicate detection. */
const MAX_SHARES_PER_JOB = 1_000_000;
/** ntime may run this far ahead of the job's (seconds), as Bitcoin allows two hours. */
const MAX_NTIME_DRIFT = 7200;
const MAX_WORKER_NAME = 128;
/** Workers one connection may authorize (a proxy may carry a few). */
const MAX_WORKERS = 16;
const HEX8 = /^[0-9a-fA-F]{8}$/;

interface Job {
  readonly stratum: StratumJob;
  /** extranonce1:extranonce2:ntime:nonce of the shares accepted on it. */
  readonly shares: Set<string>;
}

type Request = { readonly id: JsonValue; readonly method: string; readonly params: readonly JsonValue[] };

export class Coordinator {
  readonly chain: Chain;
  private readonly options: CoordinatorOptions;
  private readonly log: Logger;
  private readonly sessions = new Set<Session>();
  private readonly jobs = new Map<string, Job>();
  private current!: Job;
  private jobCounter = 0;
  private extranonceCounter = randomInt(0, 0xffffffff);
  private difficulty: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(options: CoordinatorOptions) {
    this.options = options;
    this.chain = options.chain;
    this.log = (options.logger ?? silentLogger).child({ component: 'stratum' });
    shareTarget(options.shareDifficulty); // validates
    this.difficulty = options.shareDifficulty;
    this.newJob(true);
    if (options.jobIntervalMs > 0) {
      this.timer = setInterval(() => this.broadcast(this.newJob(false)), options.jobIntervalMs);
      this.timer.unref();
    }
  }

  get shareDifficulty(): number {
    return this.difficulty;
  }

  /** The job agents work on now. */
  get currentJob(): StratumJob {
    return this.current.stratum;
  }

  /** @internal */
  latestJob(): Job {
    return this.current;
  }

  connect(transport: Transport): Session {
    let extranonce1: string;
    const taken = new Set([...this.sessions].map((session) => session.extranonce1));
    do {
      this.extranonceCounter = (this.extranonceCounter + 1) >>> 0;
      extranonce1 = hex32(this.extranonceCounter);
    } while (taken.has(extranonce1));
    const session = new Session(this, transport, extranonce1, this.options.maxLineBytes, this.log);
    this.sessions.add(session);
    return session;
  }

  /** Per-agent figures, for metrics and tests. */
  agents(): AgentStats[] {
    return [...this.sessions].map((session) => session.stats());
  }

  /** Change the share difficulty: every agent gets set_difficulty and a fresh job. */
  setShareDifficulty(difficulty: number): void {
    shareTarget(difficulty);
    this.difficulty = difficulty;
    const job = this.newJob(false);
    for (const session of this.sessions) {
      session.pushDifficulty(difficulty);
      session.pushJob(job);
    }
  }

  close(): void {
    clearInterval(this.timer);
    for (const session of [...this.sessions]) session.drop('the coordinator is closing');
  }

  /** @internal */
  countShare(outcome: ShareOutcome): void {
    this.options.onShare?.(outcome);
  }

  /** @internal */
  forget(session: Session): void {
    this.sessions.delete(session);
  }

  /** @internal */
  job(jobId: string): Job | undefined {
    return this.jobs.get(jobId);
  }

  /**
   * @internal A share that met the block target: extend the chain and make the next job at once
   * (older jobs become stale); `later` sends it after the finder's reply.
   */
  foundBlock(header: Uint8Array, worker: string, later: (announce: () => void) => void): Block {
    const block = this.chain.accept(header, worker);
    this.log.info({ height: block.height, hash: block.hash, worker }, 'block found');
    const job = this.newJob(true);
    later(() => {
      this.broadcast(job);
      this.options.onBlock?.(block);
    });
    return block;
  }

  private newJob(cleanJobs: boolean): Job {
    const template = this.chain.template();
    if (cleanJobs) this.jobs.clear();
    this.jobCounter = (this.jobCounter + 1) >>> 0;
    const job: Job = {
      stratum: {
        jobId: this.jobCounter.toString(16),
        prevhash: template.prevhash,
        coinb1: template.coinb1,
        coinb2: template.coinb2,
        merkleBranch: [],
        version: template.version,
        nbits: template.nbits,
        ntime: template.ntime,
        cleanJobs,
      },
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

  private broadcast(job: Job): void {
    for (const session of this.sessions) session.pushJob(job);
  }
}

export class Session {
  private readonly lines: LineSplitter;
  private subscribed = false;
  private readonly workers = new Set<string>();
  /** The difficulty each job was sent with: shares are checked against it. */
  private readonly jobDifficulty = new Map<string, number>();
  private difficulty: number;
  private closed = false;
  private accepted = 0;
  private rejected = 0;
  private blocks = 0;
  private acceptedWork = 0;
  private readonly connectedAt = performance.now();
  /** Work that must follow the reply being written (a job after subscribe, a new block). */
  private afterReply: (() => void)[] = [];

  constructor(
    private readonly coordinator: Coordinator,
    private readonly transport: Transport,
    readonly extranonce1: string,
    maxLineBytes: number,
    private readonly log: Logger,
  ) {
    this.lines = new LineSplitter(maxLineBytes);
    this.difficulty = coordinator.shareDifficulty;
  }

  /** Bytes from the connection. */
  receive(chunk: Buffer): void {
    if (this.closed) return;
    const { lines, overflow } = this.lines.push(chunk);
    for (const line of lines) {
      if (this.closed) return;
      if (line.trim() !== '') this.handle(line);
    }
    if (overflow) this.drop('line too long');
  }

  /** The connection is gone (closed or failed): forget it at once. */
  disconnect(): void {
    this.closed = true;
    this.coordinator.forget(this);
  }

  /** Close the connection from this side. */
  drop(reason: string): void {
    if (this.closed) return;
    this.log.debug({ extranonce1: this.extranonce1, reason }, 'dropping agent');
    this.disconnect();
    this.transport.close(reason);
  }

  stats(): AgentStats {
    const seconds = Math.max((performance.now() - this.connectedAt) / 1000, 1e-3);
    return {
      extranonce1: this.extranonce1,
      workers: [...this.workers],
      difficulty: this.difficulty,
      accepted: this.accepted,
      rejected: this.rejected,
      blocks: this.blocks,
      hashRate: (this.acceptedWork * 2 ** 32) / seconds,
    };
  }

  /** @internal */
  pushDifficulty(difficulty: number): void {
    this.difficulty = difficulty;
    if (this.ready) this.notify('mining.set_difficulty', [difficulty]);
  }

  /** @internal */
  pushJob(job: Job): void {
    if (!this.ready) return;
    this.jobDifficulty.set(job.stratum.jobId, this.difficulty);
    for (const jobId of this.jobDifficulty.keys()) {
      if (this.coordinator.job(jobId) === undefined) this.jobDifficulty.delete(jobId);
    }
    this.notify('mining.notify', notifyParams(job.stratum));
  }

  /** Jobs go out once the agent has subscribed and authorized, in either order. */
  private get ready(): boolean {
    return this.subscribed && this.workers.size > 0;
  }

  private handle(line: string): void {
    let request: Request;
    try {
      request = parseRequest(line);
    } catch (error) {
      const id = error instanceof BadRequest ? error.id : null;
      this.reply(id, null, [OTHER, error instanceof Error ? error.message : 'bad request', null]);
      return;
    }
    try {
      const result = this.dispatch(request);
      this.reply(request.id, result, null);
      for (const next of this.afterReply.splice(0)) next();
    } catch (error) {
      this.afterReply = [];
      if (request.method === 'mining.submit') {
        this.rejected += 1;
        this.coordinator.countShare((error instanceof PowerplantError && OUTCOME_OF_CODE.get(error.code)) || 'other');
      }
      if (!(error instanceof PowerplantError)) this.log.error({ err: error }, 'stratum request failed');
      this.reply(request.id, null, [wiresOf(error).stratum ?? OTHER, clientMessage(error), null]);
    }
  }

  private dispatch(request: Request): JsonValue {
    switch (request.method) {
      case 'mining.subscribe': {
        const wasReady = this.ready;
        this.subscribed = true;
        this.sendWorkIfReady(wasReady);
        return [
          [
            ['mining.set_difficulty', this.extranonce1],
            ['mining.notify', this.extranonce1],
          ],
          this.extranonce1,
          EXTRANONCE2_SIZE,
        ];
      }
      case 'mining.authorize': {
        const [user] = request.params;
        if (typeof user !== 'string' || user.length === 0 || user.length > MAX_WORKER_NAME) {
          throw new StratumError(STRATUM_ERRORS.other, `user must be a string of 1 to ${MAX_WORKER_NAME} characters`);
        }
        if (!this.workers.has(user) && this.workers.size >= MAX_WORKERS) {
          throw new StratumError(STRATUM_ERRORS.other, `at most ${MAX_WORKERS} workers per connection`);
        }
        const wasReady = this.ready;
        this.workers.add(user);
        this.sendWorkIfReady(wasReady);
        return true;
      }
      case 'mining.submit':
        return this.submit(request.params);
      case 'mining.extranonce.subscribe':
        // Our extranonce1 never changes during a connection.
        return false;
      default:
        throw new StratumError(STRATUM_ERRORS.other, `unsupported method ${JSON.stringify(request.method.slice(0, 64))}`);
    }
  }

  /** When a session just became ready, its difficulty and job follow the reply. */
  private sendWorkIfReady(wasReady: boolean): void {
    if (wasReady || !this.ready) return;
    this.afterReply.push(() => {
      this.pushDifficulty(this.coordinator.shareDifficulty);
      this.pushJob(this.coordinator.latestJob());
    });
  }

  private submit(params: readonly JsonValue[]): true {
    if (!this.subscribed) throw new StratumError(STRATUM_ERRORS.notSubscribed, 'not subscribed');
    const [worker, jobId, extranonce2, ntime, nonce] = params;
    if (typeof worker !== 'string' || !this.workers.has(worker)) throw new StratumError(STRATUM_ERRORS.unauthorized, 'unauthorized worker');
    if (typeof jobId !== 'string') throw new StratumError(STRATUM_ERRORS.other, 'job_id must be a string');
    const job = this.coordinator.job(jobId);
    const difficulty = this.jobDifficulty.get(jobId);
    if (job === undefined || difficulty === undefined) throw new StratumError(STRATUM_ERRORS.jobNotFound, 'job not found (stale)');
    if (typeof extranonce2 !== 'string' || extranonce2.length !== EXTRANONCE2_SIZE * 2 || !/^[0-9a-fA-F]*$/.test(extranonce2)) {
      throw new StratumError(STRATUM_ERRORS.other, `extranonce2 must be ${EXTRANONCE2_SIZE * 2} hex characters`);
    }
    if (typeof ntime !== 'string' || !HEX8.test(ntime)) throw new StratumError(STRATUM_ERRORS.other, 'ntime must be 8 hex characters');
    const time = parseInt(ntime, 16);
    const jobTime = parseInt(job.stratum.ntime, 16);
    if (time < jobTime || time > jobTime + MAX_NTIME_DRIFT) throw new StratumError(STRATUM_ERRORS.other, 'ntime out of range');
    if (typeof nonce !== 'string' || !HEX8.test(nonce)) throw new StratumError(STRATUM_ERRORS.other, 'nonce must be 8 hex characters');
    const share = { extranonce1: this.extranonce1, extranonce2: extranonce2.toLowerCase(), ntime: ntime.toLowerCase(), nonce: nonce.toLowerCase() };
    const key = `${share.extranonce1}:${share.extranonce2}:${share.ntime}:${share.nonce}`;
    if (job.shares.has(key)) throw new StratumError(STRATUM_ERRORS.duplicate, 'duplicate share');
    const header = buildHeader(job.stratum, share);
    const value = hashValue(header);
    const isBlock = value <= this.coordinator.chain.target;
    if (!isBlock && value > shareTarget(difficulty)) throw new StratumError(STRATUM_ERRORS.lowDifficulty, 'low difficulty share');
    if (isBlock) {
      // The chain moves now (so a second block on the same tip is stale); the agent sees `true`
      // before the clean job that follows.
      this.coordinator.foundBlock(header, worker, (announce) => this.afterReply.push(announce));
      this.blocks += 1;
    }
    if (job.shares.size < MAX_SHARES_PER_JOB) job.shares.add(key);
    this.accepted += 1;
    this.acceptedWork += difficulty;
    this.coordinator.countShare('accepted');
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

/** A request that cannot be served, with its id when it had one: the miner matches the error by it. */
class BadRequest extends InputError {
  constructor(
    message: string,
    readonly id: JsonValue = null,
  ) {
    super(message);
  }
}

function parseRequest(line: string): Request {
  const parsed = parseJson(line);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BadRequest('a request must be a JSON object');
  const { id = null, method, params = [] } = parsed;
  if (typeof method !== 'string') throw new BadRequest('method must be a string', id);
  if (!Array.isArray(params)) throw new BadRequest('params must be a list', id);
  return { id, method, params };
}
