/**
 * The gate in front of a website: a reverse proxy on a port of its own (`gate.http.port`). A
 * request the policy allows, or that carries a valid pass earned with enough bits, streams to
 * `gate.http.upstream` and back (bodies, status, headers, WebSocket upgrades); any other gets the
 * challenge page (or a 401 with the challenge in JSON) and never reaches the upstream. The gate's
 * own HTTP door is mounted at /gate on the same origin, so the page's widget, its pass cookie and
 * forward-auth all live beside the site. The proxying itself is @fastify/http-proxy (undici).
 *
 * Sent upstream: the visitor's request less hop-by-hop headers and the gate's pass (its cookie,
 * or its Bearer credential), with `Host` kept (or set by `gate.http.host`) and X-Forwarded-For,
 * -Proto and -Host added.
 * @module
 */
import httpProxy from '@fastify/http-proxy';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { Transform } from 'node:stream';
import { PowerplantError } from '../errors.js';
import { decide, outcomeOf, replyChallenge, replyError, requestFacts, type Admission } from '../gate/admission.js';
import { GATE_COOKIE } from '../gate/middleware.js';
import { GatePolicy } from '../gate/policy.js';
import { capConnections, requestTimeouts } from '../net/connections.js';
import { httpAddress, type Door, type DoorContext } from './door.js';
import { gateHttpPlugin } from './gate-http.js';

/** What the proxy is started from: `gate.http` and `server.host`/`trust_proxy` of the config. */
export type GateProxyContext = Pick<DoorContext, 'config' | 'gate' | 'logger'> & Partial<Pick<DoorContext, 'metrics'>>;

/** Where the gate's own routes live on the proxied origin; the upstream never sees this prefix. */
export const GATE_PREFIX = '/gate';

/** Headers that belong to one hop (RFC 9110 §7.6.1) and are never passed on, either way. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];

/** `headers` without hop-by-hop ones, nor those the Connection header names. */
function withoutHopByHop<T extends IncomingHttpHeaders | OutgoingHttpHeaders>(headers: T): T {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  const copy = { ...headers };
  for (const name of [...HOP_BY_HOP, ...named]) delete copy[name];
  return copy;
}

/** The Cookie header without the gate's pass; undefined when nothing else is left. */
function cookieWithoutPass(cookie: string | undefined): string | undefined {
  if (cookie === undefined) return undefined;
  const kept = cookie
    .split(';')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part.split('=', 1)[0] !== GATE_COOKIE);
  return kept.length === 0 ? undefined : kept.join('; ');
}

/** What of a request (HTTP or a WebSocket upgrade) the upstream's headers are made from. */
type Visitor = Pick<FastifyRequest, 'ip' | 'protocol' | 'host' | 'headers' | 'gatePass'> & { readonly socket: { readonly remoteAddress?: string | undefined } };

/** What the upstream is told about the visitor. */
function forwardingHeaders(request: Visitor, host: string): Record<string, string> {
  const peer = request.socket.remoteAddress ?? '';
  // request.ip differs from the peer only when the peer is a trusted proxy: then its chain is kept.
  const chain = request.ip !== peer ? request.headers['x-forwarded-for'] : undefined;
  return {
    'x-forwarded-for': typeof chain === 'string' && chain !== '' ? `${chain}, ${peer}` : peer,
    'x-forwarded-proto': request.protocol,
    'x-forwarded-host': request.host,
    host: host === '' ? (request.headers.host ?? '') : host,
  };
}

/** The request's headers as the upstream gets them. */
function upstreamHeaders(request: Visitor, headers: IncomingHttpHeaders, host: string): IncomingHttpHeaders {
  const sent: IncomingHttpHeaders = { ...withoutHopByHop(headers), ...forwardingHeaders(request, host) };
  const cookie = cookieWithoutPass(headers.cookie);
  if (cookie === undefined) delete sent.cookie;
  else sent.cookie = cookie;
  if (request.gatePass !== undefined && /^Bearer\s+/i.test(headers.authorization ?? '') && headers.authorization!.includes(request.gatePass.token)) {
    delete sent.authorization;
  }
  return sent;
}

/** An error fastify answers with 413. */
const tooLarge = (limit: number) => Object.assign(new PowerplantError('PP_ERR_TOO_LARGE', `request body is larger than ${limit} bytes`), { statusCode: 413 });

/**
 * The request body as it streams upstream, cut at `limit` bytes (fastify's bodyLimit does not
 * apply to bodies passed through as streams). A declared length over the limit is refused at once.
 * `onCut` is told of each body refused.
 */
function limitedBody(request: FastifyRequest, payload: NodeJS.ReadableStream, limit: number, onCut: () => void): NodeJS.ReadableStream {
  const refuse = (): PowerplantError => {
    onCut();
    return tooLarge(limit);
  };
  if (Number(request.headers['content-length'] ?? 0) > limit) throw refuse();
  // No body to count: bodiless requests and WebSocket upgrades (whose stream is the socket's).
  if (request.headers['transfer-encoding'] === undefined && request.headers['content-length'] === undefined) return payload;
  let received = 0;
  return payload.pipe(
    new Transform({
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        done(received > limit ? refuse() : null, chunk);
      },
    }),
  );
}

/** Headers without the absent ones (the WebSocket client refuses undefined values). */
const definedOnly = (headers: IncomingHttpHeaders): IncomingHttpHeaders =>
  Object.fromEntries(Object.entries(headers).filter(([, value]) => value !== undefined));

/** Start the proxy; resolves once it listens on `gate.http.port` (0 picks a free port). */
export async function startGateProxy(context: GateProxyContext): Promise<Door> {
  const { gate, logger, metrics } = context;
  const config = context.config.gate.http;
  const trustProxy = context.config.server.trust_proxy;
  const policy = new GatePolicy(config.rules);
  const app = Fastify({
    trustProxy: trustProxy.length === 0 ? false : [...trustProxy],
    bodyLimit: config.max_body_bytes,
    requestTimeout: config.request_timeout_ms,
    http: requestTimeouts(config.request_timeout_ms),
    forceCloseConnections: true,
  });
  capConnections(app.server, { max: config.max_connections, perSource: config.max_connections_per_source }, () =>
    metrics?.connectionsRefused.inc({ door: 'gate-proxy' }),
  );
  const countLimit = (limit: string) => metrics?.limitsHit.inc({ door: 'gate-proxy', limit });
  // Node cuts a request past request_timeout_ms itself (fastify answers 408): count it as it goes.
  app.server.on('clientError', (error: NodeJS.ErrnoException) => {
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') countLimit('request_timeout');
  });
  app.addHook('preParsing', async (request, _reply, payload) => limitedBody(request, payload, config.max_body_bytes, () => countLimit('body_bytes')));
  await app.register(gateHttpPlugin, { prefix: GATE_PREFIX, gate, policy, ...(metrics === undefined ? {} : { metrics }) });
  const admission: Admission = { gate, policy, endpoint: GATE_PREFIX, onLimit: countLimit };

  /** The gate, before anything is proxied: a refused request ends here. */
  const admit = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const decision = decide(admission, requestFacts(request, request.url, request.method), request);
    metrics?.gateAdmissions.inc({ route: 'proxy', outcome: outcomeOf(decision) });
    if (decision.kind === 'allow') return;
    if (decision.kind === 'pass') {
      request.gatePass = decision.pass;
      return;
    }
    if (decision.kind === 'deny') {
      await replyError(request, reply, decision.refusal);
      return;
    }
    await replyChallenge(admission, request, reply, { bits: decision.bits, refusal: decision.refusal, returnTo: request.url });
  };

  const timeout = config.upstream_timeout_ms;
  // The WebSocket client's header hook is missing from the plugin's types.
  const wsClientOptions = {
    rewriteRequestHeaders: (_headers: IncomingHttpHeaders, request: Visitor) =>
      upstreamHeaders(request, definedOnly({ cookie: request.headers.cookie, authorization: request.headers.authorization }), config.host),
    handshakeTimeout: timeout,
  };
  await app.register(httpProxy, {
    upstream: config.upstream,
    websocket: true,
    preHandler: admit,
    undici: { headersTimeout: timeout, bodyTimeout: timeout, connect: { timeout, rejectUnauthorized: true } },
    replyOptions: {
      rewriteRequestHeaders: (request, headers) => upstreamHeaders(request, headers, config.host),
      rewriteHeaders: (headers) => withoutHopByHop(headers),
      onError: (reply, { error }) => {
        const request = reply.request as FastifyRequest;
        const cause = (error as { cause?: unknown }).cause;
        if (cause instanceof PowerplantError) {
          replyError(request, reply as FastifyReply, cause);
          return;
        }
        logger.warn({ err: error, upstream: config.upstream }, 'gate proxy: upstream failed');
        const failure =
          (error as { statusCode?: number }).statusCode === 504
            ? new PowerplantError('PP_ERR_UPSTREAM_TIMEOUT', 'the site behind the gate did not answer in time')
            : new PowerplantError('PP_ERR_UNAVAILABLE', 'the site behind the gate cannot be reached');
        replyError(request, reply as FastifyReply, failure);
      },
    },
    wsClientOptions,
  });

  await app.listen({ host: context.config.server.host, port: config.port });
  const address = httpAddress(app);
  logger.info({ port: address.port, upstream: config.upstream }, 'gate: HTTP proxy listening');
  return { name: 'gate-proxy', address, close: () => app.close() };
}
