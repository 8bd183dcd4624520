/**
 * A Stratum v1 mining agent: subscribes and authorizes, builds headers from each `mining.notify`
 * with its own extranonce2 counter, searches them with the engine against the share target, and
 * submits what it finds. A new job aborts the search at once; a stricter difficulty restarts it.
 * A lost connection is retried with exponential backoff.
 * @module
 */
import type { Engine } from '../engine/engine.js';
import { silentLogger, type Logger } from '../log.js';
import { bitcoin, shareTarget, targetFromBits } from '../schemes/bitcoin.js';
import { InputError } from '../schemes/bits.js';
import { LineSplitter } from '../net/framing.js';
import { parseJson, stringifyJson, type JsonValue } from '../net/json.js';
import { openTcp, reconnecting, type Backoff } from '../net/tcp-client.js';
import { buildHeader, counterHex, hex32, parseNotify, type StratumJob } from '../stratum/job.js';
import { searchRange } from './search-range.js';

export interface AgentOptions extends Backoff {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly pass?: string;
  readonly engine: Engine;
  readonly logger?: Logger;
  /** Stop after this many accepted shares. */
  readonly maxShares?: number;
}

export interface AgentSummary {
  readonly accepted: number;
  readonly rejected: number;
  /** Hashes tried, and hashes per second over the run. */
  readonly attempts: number;
  readonly rate: number;
  readonly connections: number;
}

/** Longest line accepted from a coordinator (a notify with a long coinbase and branch). */
const MAX_LINE_BYTES = 1 << 20;
const HEADER_NONCES = 1n << 32n;
const MAX_EXTRANONCE2_SIZE = 16;
/** The reply given to requests still waiting when the connection closes: neither accepted nor rejected. */
const CONNECTION_CLOSED: JsonValue = [20n, 'connection closed', null];

interface Subscription {
  readonly extranonce1: string;
  readonly extranonce2Size: number;
}

export class StratumAgent {
  private accepted = 0;
  private rejected = 0;
  private attempts = 0;
  private connections = 0;
  private started = performance.now();
  private readonly log: Logger;
  /** Stops everything: the caller's signal or enough shares. */
  private readonly stop = new AbortController();

  constructor(private readonly options: AgentOptions) {
    this.log = (options.logger ?? silentLogger).child({ component: 'agent' });
  }

  summary(): AgentSummary {
    const seconds = (performance.now() - this.started) / 1000;
    return {
      accepted: this.accepted,
      rejected: this.rejected,
      attempts: this.attempts,
      rate: seconds > 0 ? this.attempts / seconds : 0,
      connections: this.connections,
    };
  }

  /** Mine until `signal` aborts or maxShares shares are accepted. */
  async run(signal?: AbortSignal): Promise<AgentSummary> {
    this.started = performance.now();
    await reconnecting(() => this.connection(), { stop: this.stop, signal, backoff: this.options, log: this.log });
    return this.summary();
  }

  /** One connection's life; resolves (true if it got as far as a subscription) when it ends. */
  private async connection(): Promise<boolean> {
    const socket = await openTcp(this.options.host, this.options.port, this.stop.signal);
    this.connections += 1;
    const pending = new Map<number, (reply: { result: JsonValue; error: JsonValue }) => void>();
    const lines = new LineSplitter(MAX_LINE_BYTES);
    let nextId = 1;
    let subscription: Subscription | null = null;
    let difficulty = 1;
    let search: AbortController | null = null;
    let current: { job: StratumJob; target: bigint } | null = null;
    let extranonce2 = 0n;

    const request = (method: string, params: JsonValue[]): Promise<{ result: JsonValue; error: JsonValue }> => {
      const id = nextId++;
      socket.write(stringifyJson({ id, method, params }) + '\n');
      return new Promise((resolve) => pending.set(id, resolve));
    };

    const mine = (job: StratumJob, shareGoal: bigint): void => {
      // A hash that meets the block target is worth sending even when it misses the share target.
      const blockTarget = targetFromBits(parseInt(job.nbits, 16));
      const target = shareGoal > blockTarget ? shareGoal : blockTarget;
      search?.abort();
      search = new AbortController();
      current = { job, target };
      void this.searchJob(job, target, subscription!, () => extranonce2++, search.signal, request).catch((error: unknown) => {
        if (!isAbort(error)) this.log.error({ err: error }, 'search failed');
      });
    };

    const onMessage = (message: JsonValue): void => {
      if (typeof message !== 'object' || message === null || Array.isArray(message)) return;
      const { id, method, params, result = null, error = null } = message;
      if (typeof id === 'bigint' && pending.has(Number(id))) {
        const resolve = pending.get(Number(id))!;
        pending.delete(Number(id));
        resolve({ result, error });
        return;
      }
      try {
        if (method === 'mining.set_difficulty') {
          const value = Array.isArray(params) ? Number(params[0]) : NaN;
          shareTarget(value);
          difficulty = value;
          // Applies to the next job; a stricter one restarts the current search at once.
          if (current !== null && shareTarget(value) < current.target) mine(current.job, shareTarget(value));
        } else if (method === 'mining.notify' && subscription !== null) {
          const job = parseNotify(params);
          this.log.info({ job: job.jobId, clean: job.cleanJobs }, 'new job');
          mine(job, shareTarget(difficulty));
        }
      } catch (error) {
        this.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'bad message from the coordinator');
      }
    };

    socket.on('data', (chunk: Buffer) => {
      const { lines: received, overflow } = lines.push(chunk);
      for (const line of received) {
        try {
          if (line.trim() !== '') onMessage(parseJson(line));
        } catch {
          this.log.warn('unparseable line from the coordinator');
        }
      }
      if (overflow) socket.destroy();
    });
    const closed = new Promise<void>((resolve) => {
      socket.once('close', () => {
        search?.abort();
        for (const resolvePending of pending.values()) resolvePending({ result: null, error: CONNECTION_CLOSED });
        pending.clear();
        resolve();
      });
    });
    socket.on('error', (error) => this.log.debug({ err: error.message }, 'socket error'));
    const onStop = (): void => {
      socket.destroy();
    };
    this.stop.signal.addEventListener('abort', onStop, { once: true });

    try {
      const subscribe = await request('mining.subscribe', ['powerplant-agent/0.1']);
      subscription = parseSubscription(subscribe.result);
      const authorize = await request('mining.authorize', [this.options.user, this.options.pass ?? 'x']);
      if (authorize.result !== true) throw new InputError(`authorization refused: ${stringifyJson(authorize.error)}`);
      this.log.info({ extranonce1: subscription.extranonce1 }, 'subscribed and authorized');
      await closed;
      return true;
    } catch (error) {
      socket.destroy();
      await closed;
      if (error instanceof InputError) throw error;
      return subscription !== null;
    } finally {
      this.stop.signal.removeEventListener('abort', onStop);
    }
  }

  /** Search one job: extranonce2 after extranonce2, every passing nonce submitted as a share. */
  private async searchJob(
    job: StratumJob,
    target: bigint,
    subscription: Subscription,
    nextExtranonce2: () => bigint,
    signal: AbortSignal,
    request: (method: string, params: JsonValue[]) => Promise<{ result: JsonValue; error: JsonValue }>,
  ): Promise<void> {
    while (!signal.aborted) {
      const extranonce2 = counterHex(nextExtranonce2(), subscription.extranonce2Size);
      const share = { extranonce1: subscription.extranonce1, extranonce2, ntime: job.ntime, nonce: '00000000' };
      const task = bitcoin.task({ header: buildHeader(job, share), target });
      for (let start = 0n; start < HEADER_NONCES && !signal.aborted; ) {
        const { nonce, attempts } = await searchRange(this.options.engine, task, { signal, start, end: HEADER_NONCES });
        this.attempts += attempts;
        if (nonce === null) break;
        start = nonce + 1n;
        // An engine may answer without a macrotask in between (a share in its first chunk):
        // yield so the connection's replies and new jobs are read.
        await new Promise((resolve) => setImmediate(resolve));
        if (signal.aborted) return;
        void request('mining.submit', [this.options.user, job.jobId, extranonce2, job.ntime, hex32(Number(nonce))]).then(
          ({ result, error }) => this.counted(result === true, error),
        );
      }
    }
  }

  private counted(accepted: boolean, error: JsonValue): void {
    if (error === CONNECTION_CLOSED) return;
    if (accepted) this.accepted += 1;
    else this.rejected += 1;
    this.log.info(accepted ? { accepted } : { accepted, error: stringifyJson(error) }, accepted ? 'share accepted' : 'share rejected');
    const limit = this.options.maxShares;
    if (limit !== undefined && this.accepted >= limit) this.stop.abort();
  }
}

function parseSubscription(result: JsonValue): Subscription {
  if (!Array.isArray(result) || result.length < 3) throw new InputError('mining.subscribe answered without a subscription');
  const [, extranonce1, size] = result;
  if (typeof extranonce1 !== 'string' || !/^(?:[0-9a-fA-F]{2}){0,32}$/.test(extranonce1)) throw new InputError('extranonce1 must be hex');
  if (typeof size !== 'bigint' || size < 1n || size > BigInt(MAX_EXTRANONCE2_SIZE)) {
    throw new InputError(`extranonce2_size must be 1 to ${MAX_EXTRANONCE2_SIZE}`);
  }
  return { extranonce1: extranonce1.toLowerCase(), extranonce2Size: Number(size) };
}

const isAbort = (error: unknown): boolean => error instanceof Error && error.name === 'AbortError';
