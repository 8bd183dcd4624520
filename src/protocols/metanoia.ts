/**
 * The Metanoia front door: Bitmessage proof of work as JSON over TCP (default port 7040).
 *
 *   {"method":"do_pow","target":N,"initialHash":"<base64>"}      client → broker → {"status":200,"nonce":N,"trialValue":N}
 *   {"method":"get_work"}                                        miner long-polls → a nonce range of an open job, or "NO_DATA"
 *   {"method":"push_result","nonce":N,"trialValue":N,"initialHash":"<base64>"}   verified, then reported to the job
 *
 * Messages may arrive newline-terminated or back to back; answers are one JSON object per line
 * with exact integers. A bad message gets {"status":400,"error":"..."} and the connection stays
 * open. A miner's messages are handled one after another in arrival order; a client's do_pow runs
 * alongside them.
 * @module
 */
import { createServer, type Socket } from 'node:net';
import { Counter, Gauge } from 'prom-client';
import { BrokerError, type Broker, type BrokerErrorCode } from '../broker/types.js';
import { silentLogger, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { integer, InputError } from '../schemes/bits.js';
import { bitmessage, parseInitialHash, parseNonce, parseTarget, trialValue } from '../schemes/bitmessage.js';
import { RemoteMiners, type Assignment } from '../sources/remote-miners.js';
import { JsonObjectSplitter, JsonSyntaxError, parseJson, stringifyJson, type JsonValue } from './json-stream.js';
import { listen } from './listen.js';

/** The `metanoia` section of the configuration. */
export interface MetanoiaSettings {
  readonly port: number;
  /** How long a get_work waits for a job before answering NO_DATA, in milliseconds. */
  readonly long_poll_ms: number;
  /** Nonces handed to a miner per get_work (a decimal string in the config: it may pass 2^53). */
  readonly range_size: string | number | bigint;
  /** Longest message accepted, in bytes. */
  readonly max_message_bytes: number;
  readonly max_connections: number;
  /** Requests (do_pow, get_work, push_result) one connection may have waiting at once. */
  readonly max_requests_per_connection: number;
}

/** What the door is built from: the server's DoorContext fits. */
export interface MetanoiaOptions {
  readonly broker: Broker;
  readonly config: { readonly metanoia: MetanoiaSettings; readonly server: { readonly host: string } };
  readonly logger?: Logger;
  readonly metrics?: Metrics;
  /** Port to bind instead of metanoia.port; 0 picks a free one (tests). */
  readonly listenPort?: number;
}

export interface MetanoiaDoor {
  readonly name: 'metanoia';
  readonly address: { readonly host: string; readonly port: number };
  /** The source through which miners take work (for stats and tests). */
  readonly miners: RemoteMiners;
  close(): Promise<void>;
}

const U64_MAX = (1n << 64n) - 1n;
/** Wrong push_results after which a connection gets no more work. */
export const MAX_WRONG_RESULTS = 3;
/** Answers queued to a connection that does not read them, in bytes, before it is dropped. */
const MAX_PENDING_WRITE_BYTES = 1 << 20;

const BROKER_STATUS: Readonly<Record<BrokerErrorCode, number>> = {
  busy: 503,
  timeout: 504,
  cancelled: 499,
  exhausted: 404,
  shutdown: 503,
  failed: 500,
};

type Message = { readonly [key: string]: JsonValue };

const isMessage = (value: JsonValue): value is Message =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Miner gauges read at scrape time; returns the push_result counter. */
function watchMiners(metrics: Metrics, miners: RemoteMiners): (outcome: 'accepted' | 'wrong' | 'late') => void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'powerplant_metanoia_waiting_miners',
    help: 'Metanoia miners long-polling for work',
    registers,
    collect() {
      this.set(miners.waitingMiners);
    },
  });
  const results = new Counter({
    name: 'powerplant_metanoia_results_total',
    help: 'Metanoia push_results by outcome: accepted, wrong, late (job already solved)',
    labelNames: ['outcome'],
    registers,
  });
  return (outcome) => results.inc({ outcome });
}

export async function startMetanoia(options: MetanoiaOptions): Promise<MetanoiaDoor> {
  const { broker, metrics } = options;
  const config = options.config.metanoia;
  const log = (options.logger ?? silentLogger).child({ door: 'metanoia' });
  const miners = new RemoteMiners(BigInt(config.range_size));
  const detachSource = broker.addSource(miners);
  const countResult = metrics === undefined ? undefined : watchMiners(metrics, miners);
  const sockets = new Set<Socket>();

  const server = createServer((socket) => {
    sockets.add(socket);
    metrics?.connections.inc({ door: 'metanoia' });
    socket.once('close', () => {
      sockets.delete(socket);
      metrics?.connections.dec({ door: 'metanoia' });
    });
    serveConnection(socket);
  });
  server.maxConnections = config.max_connections;
  server.on('drop', () => metrics?.connectionsRefused.inc({ door: 'metanoia' }));

  function serveConnection(socket: Socket): void {
    const peer = `metanoia:${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const closed = new AbortController();
    const splitter = new JsonObjectSplitter(config.max_message_bytes);
    /** The range this miner is searching, if any. */
    let held: Assignment | null = null;
    let wrongResults = 0;
    let minerTurn = Promise.resolve();
    /** Requests accepted and not yet answered: a bound, or one connection could pile up jobs and long-polls. */
    let inFlight = 0;

    const send = (answer: JsonValue): void => {
      if (socket.destroyed) return;
      socket.write(stringifyJson(answer) + '\n');
      if (socket.writableLength > MAX_PENDING_WRITE_BYTES) {
        metrics?.limitsHit.inc({ door: 'metanoia', limit: 'write_buffer' });
        log.warn({ peer }, 'dropping a connection that does not read its answers');
        socket.destroy();
      }
    };
    const reject = (error: string): void => send({ status: 400, error });
    /** The held range searched up to `end` (exclusive), counted as the miners' attempts. */
    const countSearched = (end: bigint): void => {
      if (held === null || end <= held.range.start || end > held.range.end) return;
      held.job.countAttempts(Number(end - held.range.start), peer);
    };

    socket.setKeepAlive(true, 30_000);
    log.debug({ peer }, 'connection opened');
    socket.on('error', (error) => log.debug({ peer, err: error }, 'connection error'));
    socket.once('close', () => {
      log.debug({ peer, wrongResults }, 'connection closed');
      closed.abort();
      // A miner that leaves loses nothing: the part it did not report goes back to the job.
      if (held !== null && !held.job.signal.aborted) held.job.release(held.range);
      held = null;
    });
    socket.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) {
        if (frame.kind === 'error') reject(frame.error);
        else handle(frame.text);
      }
    });

    function handle(text: string): void {
      let parsed: JsonValue;
      try {
        parsed = parseJson(text);
      } catch (error) {
        reject(error instanceof JsonSyntaxError ? error.message : 'bad JSON');
        return;
      }
      // The splitter only passes objects; the guard gives the type.
      if (!isMessage(parsed)) return reject('a message must be a JSON object');
      const message = parsed;
      /** Admit a request now (or refuse it at once when too many wait); the work runs when called. */
      const run = (work: (message: Message) => Promise<void> | void) => {
        if (inFlight >= config.max_requests_per_connection) {
          metrics?.limitsHit.inc({ door: 'metanoia', limit: 'requests_per_connection' });
          reject(`too many requests in flight on this connection (limit ${config.max_requests_per_connection})`);
          return async () => {};
        }
        inFlight += 1;
        return async () => {
          try {
            await work(message);
          } catch (error) {
            if (error instanceof InputError) reject(error.message);
            else {
              log.error({ peer, err: error }, 'message failed');
              send({ status: 500, error: 'internal error' });
            }
          } finally {
            inFlight -= 1;
          }
        };
      };
      switch (message.method) {
        case 'do_pow':
          void run(doPow)();
          return;
        case 'get_work':
          minerTurn = minerTurn.then(run(getWork));
          return;
        case 'push_result':
          minerTurn = minerTurn.then(run(pushResult));
          return;
        case undefined:
          return reject('missing method; expected do_pow, get_work or push_result');
        default:
          return reject(
            typeof message.method === 'string'
              ? `unknown method ${JSON.stringify(message.method.slice(0, 64))}; expected do_pow, get_work or push_result`
              : 'method must be a string',
          );
      }
    }

    async function doPow(message: Message): Promise<void> {
      const initialHash = parseInitialHash(message.initialHash);
      const target = parseTarget(message.target);
      try {
        const solution = await broker.submit(bitmessage, { initialHash, target }, { signal: closed.signal, door: 'metanoia' });
        send({ status: 200, nonce: solution.nonce, trialValue: solution.trialValue });
      } catch (error) {
        if (closed.signal.aborted) return;
        if (!(error instanceof BrokerError)) throw error;
        send({ status: BROKER_STATUS[error.code], error: error.message });
      }
    }

    async function getWork(): Promise<void> {
      if (wrongResults >= MAX_WRONG_RESULTS) {
        send({ status: 403, error: `no more work for this connection: ${wrongResults} wrong results` });
        return;
      }
      // Asking again means the last range was searched to its end without a result.
      if (held !== null) countSearched(held.range.end);
      if (held !== null && !held.job.signal.aborted) held.job.finish(held.range);
      held = null;
      const assignment = await miners.next(config.long_poll_ms, closed.signal);
      if (closed.signal.aborted) {
        if (assignment !== null) assignment.job.release(assignment.range);
        return;
      }
      if (assignment === null) {
        send({ status: 'NO_DATA' });
        return;
      }
      held = assignment;
      log.debug({ peer, start: assignment.range.start.toString(), end: assignment.range.end.toString() }, 'range handed out');
      send({
        status: 200,
        target: assignment.input.target,
        initialHash: Buffer.from(assignment.input.initialHash).toString('base64'),
        nonceStart: assignment.range.start.toString(),
        nonceEnd: assignment.range.end.toString(),
      });
    }

    function pushResult(message: Message): void {
      const nonce = parseNonce(message.nonce);
      const claimed = integer(message.trialValue, 0n, U64_MAX, 'trialValue');
      const initialHash = parseInitialHash(message.initialHash);
      const wrong = (error: string): void => {
        wrongResults += 1;
        countResult?.('wrong');
        log.warn({ peer, error, wrongResults }, 'wrong push_result');
        reject(error);
      };
      const actual = trialValue(initialHash, nonce);
      if (actual !== claimed) return wrong(`trialValue of nonce ${nonce} is ${actual}, not ${claimed}`);
      const jobs = miners.jobsFor(initialHash);
      if (jobs.length === 0) {
        // Honest but late: the job was solved by someone else (or withdrawn) meanwhile.
        countResult?.('late');
        send({ status: 200, accepted: false, reason: 'no open job has this initialHash (already solved or withdrawn)' });
        return;
      }
      let highestTarget = 0n;
      let accepted = false;
      for (const { job, input } of jobs) {
        if (held?.job === job) {
          countSearched(nonce + 1n);
          held = null;
        }
        if (input.target > highestTarget) highestTarget = input.target;
        if (actual <= input.target && job.reportNonce(nonce, peer)) accepted = true;
      }
      log.debug({ peer, nonce: nonce.toString(), accepted }, 'result pushed');
      if (accepted) {
        countResult?.('accepted');
        send({ status: 200, accepted: true });
      } else if (actual > highestTarget) wrong(`trialValue ${actual} is above the target ${highestTarget}`);
      else {
        countResult?.('late');
        send({ status: 200, accepted: false, reason: 'the job was solved meanwhile' });
      }
    }
  }

  const address = await listen(server, options.listenPort ?? config.port, options.config.server.host);
  log.info(address, 'Metanoia door listening');

  return {
    name: 'metanoia',
    address,
    miners,
    async close() {
      detachSource();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
