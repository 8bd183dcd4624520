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
 * alongside them. do_pow goes to the broker; get_work and push_result speak to the remote-work
 * handle of the miners' source, which the broker feeds.
 * @module
 */
import { createServer, type Socket } from 'node:net';
import { Counter, Gauge } from 'prom-client';
import type { Handout, RemoteWork } from '../broker/remote-work.js';
import type { Broker } from '../broker/types.js';
import type { Config } from '../config.js';
import { clientMessage, InputError, PowerplantError, reasonOf, wiresOf } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { integer } from '../schemes/bits.js';
import { bitmessage, parseInitialHash, parseNonce, parseTarget, trialValue, type BitmessageJob } from '../schemes/bitmessage.js';
import { JsonObjectSplitter } from '../net/framing.js';
import { JsonSyntaxError, parseJson, stringifyJson, type JsonValue } from '../net/json.js';
import { endWith, SourceConnections } from '../net/connections.js';
import { listen } from '../net/listen.js';
import { boundedWriter, socketPeer } from '../net/writer.js';
import { clientOf, type Door } from './door.js';

/** What the door is built from (the parts of the DoorContext it uses). */
export interface MetanoiaContext {
  readonly broker: Broker;
  readonly config: { readonly metanoia: Config['metanoia']; readonly server: { readonly host: string } };
  /** Where get_work takes ranges and push_result reports nonces: a source registered with the broker. */
  readonly remoteWork: RemoteWork<BitmessageJob>;
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

const U64_MAX = (1n << 64n) - 1n;
type Message = { readonly [key: string]: JsonValue };

const isMessage = (value: JsonValue): value is Message =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Miner gauges read at scrape time; returns the push_result counter. */
function watchMiners(metrics: Metrics, miners: RemoteWork<BitmessageJob>): (outcome: 'accepted' | 'wrong' | 'late') => void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'powerplant_metanoia_waiting_miners',
    help: 'Metanoia miners long-polling for work',
    registers,
    collect() {
      this.set(miners.waitingWorkers);
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

export async function startMetanoia(options: MetanoiaContext): Promise<Door> {
  const { broker, metrics, remoteWork: miners } = options;
  const config = options.config.metanoia;
  const log = (options.logger ?? silentLogger).child({ door: 'metanoia' });
  const countResult = metrics === undefined ? undefined : watchMiners(metrics, miners);
  const sockets = new Set<Socket>();
  const perAddress = new SourceConnections(config.max_connections_per_address);
  /** Close a connection with a last answer in the registry's Metanoia status. */
  const closeWith = (socket: Socket, error: PowerplantError): void => {
    metrics?.limitsHit.inc({ door: 'metanoia', limit: reasonOf(error.code) });
    endWith(socket, stringifyJson({ status: wiresOf(error).metanoia ?? 400, error: error.message }) + '\n', config.linger_ms);
  };

  const server = createServer((socket) => {
    const address = socket.remoteAddress ?? '?';
    sockets.add(socket);
    socket.on('error', (error) => log.debug({ address, err: error }, 'connection error'));
    if (!perAddress.add(address)) {
      socket.once('close', () => sockets.delete(socket));
      metrics?.connectionsRefused.inc({ door: 'metanoia' });
      const limit = config.max_connections_per_address;
      closeWith(socket, new PowerplantError('PP_ERR_TOO_MANY_CONNECTIONS', `too many connections from your address (limit ${limit})`));
      return;
    }
    metrics?.connections.inc({ door: 'metanoia' });
    socket.once('close', () => {
      sockets.delete(socket);
      perAddress.remove(address);
      metrics?.connections.dec({ door: 'metanoia' });
    });
    serveConnection(socket);
  });
  server.maxConnections = config.max_connections;
  server.on('drop', () => metrics?.connectionsRefused.inc({ door: 'metanoia' }));

  function serveConnection(socket: Socket): void {
    const peer = `metanoia:${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    const client = clientOf('metanoia', socket);
    const closed = new AbortController();
    const splitter = new JsonObjectSplitter(config.max_message_bytes);
    /** The range this miner is searching, if any. */
    let held: Handout<BitmessageJob> | null = null;
    let wrongResults = 0;
    let minerTurn = Promise.resolve();
    /** Requests accepted and not yet answered: a bound, or one connection could pile up jobs and long-polls. */
    let inFlight = 0;

    const write = boundedWriter(socketPeer(socket), config.max_buffered_bytes, () => {
      metrics?.limitsHit.inc({ door: 'metanoia', limit: 'write_buffer' });
      log.warn({ peer }, 'dropping a connection that does not read its answers');
    });
    const send = (answer: JsonValue): void => write(stringifyJson(answer) + '\n');
    /** Answer an error in the registry's Metanoia status; the connection stays open. */
    const fail = (error: unknown): void => {
      if (!(error instanceof PowerplantError)) log.error({ peer, err: error }, 'message failed');
      send({ status: wiresOf(error).metanoia ?? 500, error: clientMessage(error) });
    };
    let errors = 0;
    /** Answer an error the client's own message earned; the last one allowed closes the connection. */
    const reject = (message: string): void => {
      if (++errors < config.max_errors_per_connection) return fail(new InputError(message));
      const limit = config.max_errors_per_connection;
      closeWith(socket, new PowerplantError('PP_ERR_TOO_MANY_ERRORS', `too many errors on this connection (limit ${limit})`));
    };
    // Idle: no message and nothing in flight (a long-poll is in flight) for idle_timeout_ms.
    const idle = setTimeout(function expire() {
      if (inFlight > 0) idle.refresh();
      else closeWith(socket, new PowerplantError('PP_ERR_IDLE_TIMEOUT', `idle for ${config.idle_timeout_ms} ms`));
    }, config.idle_timeout_ms);

    socket.setKeepAlive(true, 30_000);
    log.debug({ peer }, 'connection opened');
    socket.once('close', () => {
      log.debug({ peer, wrongResults }, 'connection closed');
      clearTimeout(idle);
      closed.abort();
      // A miner that leaves loses nothing: the part it did not report goes back to the job.
      held?.release();
      held = null;
    });
    socket.on('data', (chunk: Buffer) => {
      idle.refresh();
      for (const frame of splitter.push(chunk)) {
        // Closed by an error cap: the rest of the chunk is not worth reading.
        if (socket.readyState !== 'open') return;
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
          fail(new PowerplantError('PP_ERR_TOO_MANY_REQUESTS', `too many requests in flight on this connection (limit ${config.max_requests_per_connection})`));
          return async () => {};
        }
        inFlight += 1;
        return async () => {
          try {
            await work(message);
          } catch (error) {
            if (error instanceof InputError) reject(error.message);
            else fail(error);
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
      const target = parseTarget(message.target, BigInt(config.min_target));
      try {
        const solution = await broker.submit(bitmessage, { initialHash, target }, { signal: closed.signal, client });
        send({ status: 200, nonce: solution.nonce, trialValue: solution.trialValue });
      } catch (error) {
        if (!closed.signal.aborted) throw error;
      }
    }

    async function getWork(): Promise<void> {
      if (wrongResults >= config.max_wrong_results) {
        throw new PowerplantError('PP_ERR_WRONG_RESULTS', `no more work for this connection: ${wrongResults} wrong results`);
      }
      // Asking again means the last range was searched to its end without a result.
      held?.finish();
      held = null;
      const assignment = await miners.next(peer, config.long_poll_ms, closed.signal);
      if (closed.signal.aborted) {
        assignment?.release();
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
      // A pushed result names no target, so several open jobs may share its initialHash.
      const wanted = Buffer.from(initialHash);
      const sameHash = (input: BitmessageJob): boolean => wanted.equals(input.initialHash);
      const open = miners.openInputs(sameHash);
      if (open.length === 0) {
        // Honest but late: the job was solved by someone else (or withdrawn) meanwhile.
        countResult?.('late');
        send({ status: 200, accepted: false, reason: 'no open job has this initialHash (already solved or withdrawn)' });
        return;
      }
      const highestTarget = open.reduce((highest, input) => (input.target > highest ? input.target : highest), 0n);
      const accepted = miners.report((input) => sameHash(input) && actual <= input.target, nonce, peer);
      if (held !== null && sameHash(held.input)) {
        // The miner stopped at the nonce it found; what it did not search goes back unless the job is solved.
        held.report(nonce);
        held = null;
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

  const address = await listen(server, config.port, options.config.server.host);
  log.info(address, 'Metanoia door listening');

  return {
    name: 'metanoia',
    address,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
