/**
 * The Nostr front door (the Powplant API): JSON over WebSocket on the HTTP port.
 *
 *   → {"event":{created_at,kind,tags,content,pubkey},"target_pow":N,"id"?:ID,"update_created_at"?:bool}
 *   ← {"event":{...,"id":"<hex>","tags":[...,["nonce","<n>","<N>"]]},"pow":P,"id"?:ID}
 *   ← {"error":"<specific message>","id"?:ID}
 *   ← {"progress":{"attempts","rate","expected"},"id"?:ID}   every second before the answer, when the request said "progress":true
 *
 * Several requests may be in flight on one connection; answers carry the request's id. Closing
 * the connection withdraws its requests from the broker.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { ClientIdentity, JobProgress } from '../broker/types.js';
import { clientMessage, ERRORS, InputError, PowerplantError } from '../errors.js';
import { SourceConnections } from '../net/connections.js';
import { boundedWriter, webSocketPeer } from '../net/writer.js';
import { nostr, parseEvent, type NostrJob } from '../schemes/nostr.js';
import { clientOf, httpDoor, type Door, type DoorContext } from './door.js';

const DOOR = 'nostr-ws';
/** How often a request that asked for progress hears of it. */
export const PROGRESS_INTERVAL_MS = 1000;
/** Messages up to this multiple of the limit get a JSON error; larger ones close the socket (1009). */
const HARD_LIMIT_FACTOR = 2;
const CLOSE_HANDSHAKE_MS = 1000;

type RequestId = string | number;

/** A request that passed validation. */
interface NostrRequest {
  readonly id?: RequestId;
  readonly job: NostrJob;
  /** Send progress messages until the answer. */
  readonly progress: boolean;
}

/** A request that failed validation, with the id to echo when it had a usable one. */
class RequestError extends InputError {
  constructor(
    message: string,
    readonly id?: RequestId,
  ) {
    super(message);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Validate one request message; throws RequestError with a specific message. */
export function parseNostrRequest(text: string, limits: { defaultDifficulty: number; maxDifficulty: number }, now = Date.now()): NostrRequest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new RequestError(`bad JSON: ${(error as Error).message}`);
  }
  if (!isRecord(raw)) throw new RequestError('request must be a JSON object');
  const id = requestId(raw.id);
  const progress = raw.progress ?? false;
  if (typeof progress !== 'boolean') throw new RequestError('progress must be a boolean', id);
  try {
    return { id, job: nostrJob(raw, limits, now), progress };
  } catch (error) {
    if (error instanceof InputError) throw new RequestError(error.message, id);
    throw error;
  }
}

function requestId(raw: unknown): RequestId | undefined {
  if (raw === undefined || typeof raw === 'string' || (typeof raw === 'number' && Number.isFinite(raw))) return raw;
  throw new RequestError('id must be a string or a number');
}

/** The job a well-formed request asks for; throws InputError naming the bad field. */
function nostrJob(raw: Record<string, unknown>, limits: { defaultDifficulty: number; maxDifficulty: number }, now: number): NostrJob {
  if (raw.event === undefined) throw new InputError('event is required');
  const { id: _id, sig: _sig, ...event } = parseEvent(raw.event);
  const target = raw.target_pow ?? limits.defaultDifficulty;
  if (typeof target !== 'number' || !Number.isInteger(target) || target < 0) {
    throw new InputError('target_pow must be a non-negative integer');
  }
  if (target > limits.maxDifficulty) throw new InputError(`target_pow ${target} is above the maximum of ${limits.maxDifficulty}`);
  const update = raw.update_created_at ?? false;
  if (typeof update !== 'boolean') throw new InputError('update_created_at must be a boolean');
  // The id and any signature are dropped: mining changes the id, so neither would still hold.
  const createdAt = update ? Math.floor(now / 1000) : event.created_at;
  return { event: { ...event, created_at: createdAt }, difficulty: target };
}

/** Serve the Nostr WebSocket API on the upgrade requests of the server's HTTP port. */
export async function startNostrWs(context: Pick<DoorContext, 'config' | 'broker' | 'metrics' | 'logger' | 'http'>): Promise<Door> {
  const { config, broker, metrics, http } = context;
  const server = http.server;
  const log = context.logger.child({ component: DOOR });
  const limit = config.server.max_message_bytes;
  const limits = { defaultDifficulty: config.pow.default_difficulty, maxDifficulty: config.pow.max_difficulty };
  const perAddress = new SourceConnections(config.server.max_connections_per_address);
  const wss = new WebSocketServer({ noServer: true, maxPayload: limit * HARD_LIMIT_FACTOR });
  metrics.connections.set({ door: DOOR }, 0);

  function onUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const address = request.socket.remoteAddress ?? '?';
    if (wss.clients.size >= config.server.max_connections || !perAddress.add(address)) {
      metrics.connectionsRefused.inc({ door: DOOR });
      socket.end(`HTTP/1.1 ${ERRORS.PP_ERR_TOO_MANY_CONNECTIONS.http} Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      ws.once('close', () => perAddress.remove(address));
      serve(ws, clientOf(DOOR, request.socket));
    });
  }

  function serve(ws: WebSocket, client: ClientIdentity): void {
    metrics.connections.inc({ door: DOOR });
    const gone = new AbortController();
    let inFlight = 0;
    let errors = 0;
    const closeFor = (code: 'PP_ERR_TOO_MANY_ERRORS' | 'PP_ERR_IDLE_TIMEOUT', reason: string): void => {
      metrics.limitsHit.inc({ door: DOOR, limit: code === 'PP_ERR_IDLE_TIMEOUT' ? 'idle' : 'errors' });
      ws.close(ERRORS[code].websocket, reason);
    };
    // A live client that asks nothing holds a place as surely as a dead one.
    const idle = setTimeout(function expire() {
      if (inFlight > 0) idle.refresh();
      else closeFor('PP_ERR_IDLE_TIMEOUT', 'idle timeout');
    }, config.server.idle_timeout_ms);
    const write = boundedWriter(webSocketPeer(ws), config.server.max_buffered_bytes, () => {
      metrics.limitsHit.inc({ door: DOOR, limit: 'write_buffer' });
      log.warn('dropping a client that does not read its answers');
    });
    const send = (answer: Record<string, unknown>): void => write(JSON.stringify(answer));
    const answerError = (message: string, id?: RequestId): void => send(id === undefined ? { error: message } : { error: message, id });
    /** An error the client's own message earned: past the bound the connection closes. */
    const error = (message: string, id?: RequestId): void => {
      answerError(message, id);
      if (++errors >= config.server.max_errors_per_connection) closeFor('PP_ERR_TOO_MANY_ERRORS', 'too many errors');
    };
    // A client that vanished without closing (a phone out of coverage) would hold its slot and its jobs forever.
    let answeredPing = true;
    ws.on('pong', () => {
      answeredPing = true;
    });
    const heartbeat = setInterval(() => {
      if (!answeredPing) {
        metrics.limitsHit.inc({ door: DOOR, limit: 'ping' });
        log.debug('dropping a client that does not answer pings');
        ws.terminate();
        return;
      }
      answeredPing = false;
      ws.ping();
    }, config.server.ping_interval_ms);

    ws.on('message', (data: RawData, isBinary: boolean) => {
      idle.refresh();
      const bytes = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (bytes.length > limit) {
        metrics.limitsHit.inc({ door: DOOR, limit: 'message_bytes' });
        return error(`message too large: ${bytes.length} bytes, the limit is ${limit}`);
      }
      if (isBinary) return error('binary messages are not accepted; send JSON text');
      let request: NostrRequest;
      try {
        request = parseNostrRequest(bytes.toString('utf8'), limits);
      } catch (failure) {
        if (failure instanceof RequestError) return error(failure.message, failure.id);
        throw failure;
      }
      if (inFlight >= config.server.max_requests_per_connection) {
        metrics.limitsHit.inc({ door: DOOR, limit: 'requests_per_connection' });
        return error(`too many requests in flight on this connection (limit ${config.server.max_requests_per_connection})`, request.id);
      }
      inFlight += 1;
      broker
        .submit(nostr, request.job, {
          signal: gone.signal,
          client,
          ...(request.progress
            ? {
                progressIntervalMs: PROGRESS_INTERVAL_MS,
                onProgress: (progress: JobProgress) => send(request.id === undefined ? { progress } : { progress, id: request.id }),
              }
            : {}),
        })
        .then(
          (solution) => {
            const answer: Record<string, unknown> = { event: solution.event, pow: solution.pow };
            if (request.id !== undefined) answer.id = request.id;
            send(answer);
          },
          (failure: unknown) => {
            if (!(failure instanceof PowerplantError)) log.error({ err: failure }, 'nostr job failed');
            answerError(clientMessage(failure), request.id);
          },
        )
        .finally(() => {
          inFlight -= 1;
        });
    });
    ws.on('error', (failure) => log.debug({ err: failure }, 'websocket error'));
    ws.on('close', () => {
      clearInterval(heartbeat);
      clearTimeout(idle);
      metrics.connections.dec({ door: DOOR });
      gone.abort();
    });
  }

  server.on('upgrade', onUpgrade);
  return httpDoor(DOOR, http, async () => {
    server.off('upgrade', onUpgrade);
    const closed = new Promise<void>((resolve) => wss.close(() => resolve()));
    for (const ws of wss.clients) ws.close(ERRORS.PP_ERR_SHUTDOWN.websocket, 'server shutting down');
    // A client that never answers the close handshake is cut off.
    const timer = setTimeout(() => {
      for (const ws of wss.clients) ws.terminate();
    }, CLOSE_HANDSHAKE_MS);
    await closed;
    clearTimeout(timer);
  });
}
