/**
 * A Metanoia miner: get_work (long poll) → search the nonce range it was given (the whole space
 * when the server names none) → push_result, over one connection, reconnecting with exponential
 * backoff when it drops. Works with any Metanoia server, ours or the original.
 * @module
 */
import type { Socket } from 'node:net';
import type { Engine } from '../engine/engine.js';
import { silentLogger, type Logger } from '../log.js';
import { InputError, integer } from '../schemes/bits.js';
import { bitmessage, parseInitialHash, parseTarget } from '../schemes/bitmessage.js';
import { JsonObjectSplitter } from '../net/framing.js';
import { JsonSyntaxError, parseJson, stringifyJson, type JsonValue } from '../net/json.js';
import { openTcp, reconnecting, type Backoff } from '../net/tcp-client.js';
import { searchRange } from './search-range.js';

export interface MinerOptions extends Backoff {
  readonly host: string;
  readonly port: number;
  readonly engine: Engine;
  readonly logger?: Logger;
  /** Stop after the first result the server acknowledges. */
  readonly once?: boolean;
}

export interface MinerSummary {
  /** Results pushed, and how many the server accepted. */
  readonly pushed: number;
  readonly accepted: number;
  readonly attempts: number;
}

const U64_SPACE = 1n << 64n;
const MAX_ANSWER_BYTES = 1 << 16;

type Answer = { readonly [key: string]: JsonValue };

/** The server refuses this miner (403): reconnecting would not help. */
export class MinerRefusedError extends InputError {}

export class MetanoiaMiner {
  private pushed = 0;
  private accepted = 0;
  private attempts = 0;
  private readonly stop = new AbortController();
  private readonly log: Logger;

  constructor(private readonly options: MinerOptions) {
    this.log = (options.logger ?? silentLogger).child({ component: 'miner' });
  }

  summary(): MinerSummary {
    return { pushed: this.pushed, accepted: this.accepted, attempts: this.attempts };
  }

  /** Mine until `signal` aborts (or the first accepted result with `once`). */
  async run(signal?: AbortSignal): Promise<MinerSummary> {
    const isFatal = (error: unknown): boolean => error instanceof MinerRefusedError;
    await reconnecting(() => this.connection(), { stop: this.stop, signal, backoff: this.options, log: this.log, isFatal });
    return this.summary();
  }

  /** One connection; resolves true when it got work at least once, false when it failed early. */
  private async connection(): Promise<boolean> {
    const socket = await openTcp(this.options.host, this.options.port, this.stop.signal);
    const lost = new AbortController();
    const signal = AbortSignal.any([this.stop.signal, lost.signal]);
    const answers = answerQueue(socket, lost);
    let worked = false;
    try {
      while (!signal.aborted) {
        socket.write(stringifyJson({ method: 'get_work' }) + '\n');
        const work = await answers.next();
        if (work.status === 'NO_DATA') continue;
        if (work.status === 403n) throw new MinerRefusedError(`the server refuses this miner: ${String(work.error)}`);
        if (work.status !== 200n) throw new InputError(`get_work failed: ${stringifyJson(work)}`);
        worked = true;
        const job = { initialHash: parseInitialHash(work.initialHash), target: parseTarget(work.target) };
        const start = work.nonceStart === undefined ? 0n : integer(work.nonceStart, 0n, U64_SPACE, 'nonceStart');
        const end = work.nonceEnd === undefined ? U64_SPACE : integer(work.nonceEnd, start, U64_SPACE, 'nonceEnd');
        this.log.info({ target: job.target.toString(), start: start.toString(), end: end.toString() }, 'work received');
        const { nonce, attempts } = await searchRange(this.options.engine, bitmessage.task(job), { signal, start, end });
        this.attempts += attempts;
        if (nonce === null) continue;
        const { trialValue } = bitmessage.solution(job, nonce);
        const initialHash = Buffer.from(job.initialHash).toString('base64');
        socket.write(stringifyJson({ method: 'push_result', nonce, trialValue, initialHash }) + '\n');
        const ack = await answers.next();
        this.pushed += 1;
        if (ack.status === 200n && ack.accepted !== false) this.accepted += 1;
        this.log.info({ nonce: nonce.toString(), answer: stringifyJson(ack) }, 'result pushed');
        if (this.options.once && ack.status === 200n) this.stop.abort();
      }
      return worked;
    } catch (error) {
      if (signal.aborted) return worked;
      throw error;
    } finally {
      socket.destroy();
    }
  }
}

/** Answers from the server, one at a time, in order; rejects once the connection is gone. */
function answerQueue(socket: Socket, lost: AbortController): { next(): Promise<Answer> } {
  const splitter = new JsonObjectSplitter(MAX_ANSWER_BYTES);
  const ready: Answer[] = [];
  let waiter: { resolve(answer: Answer): void; reject(error: Error): void } | null = null;
  let failure: Error | null = null;
  const fail = (error: Error): void => {
    failure ??= error;
    lost.abort(error);
    waiter?.reject(error);
    waiter = null;
  };
  socket.on('data', (chunk: Buffer) => {
    for (const frame of splitter.push(chunk)) {
      try {
        if (frame.kind === 'error') throw new JsonSyntaxError(frame.error);
        const answer = parseJson(frame.text);
        if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) throw new JsonSyntaxError('an answer must be an object');
        if (waiter !== null) waiter.resolve(answer), (waiter = null);
        else ready.push(answer);
      } catch (error) {
        fail(new InputError(`bad answer from the server: ${(error as Error).message}`));
        socket.destroy();
      }
    }
  });
  socket.on('error', (error) => fail(error));
  socket.once('close', () => fail(new Error('connection closed')));
  return {
    next() {
      const answer = ready.shift();
      if (answer !== undefined) return Promise.resolve(answer);
      if (failure !== null) return Promise.reject(failure);
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
      });
    },
  };
}
