/**
 * `powerplant serve` as a library: one engine, one broker, and the front doors the config enables.
 * The HTTP port carries the Nano work API, /metrics, /healthz, the gate's HTTP API, the Nostr
 * WebSocket and the dashboard (GET /, which reads the parts' stats and is no door); the other doors
 * (Metanoia, Stratum, the gate's TCP door and its reverse proxy) listen on ports of their own.
 * @module
 */
import Fastify from 'fastify';
import swagger from '@fastify/swagger';
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createBroker } from './broker/broker.js';
import { ERRORS } from './errors.js';
import type { Broker } from './broker/types.js';
import type { Config } from './config.js';
import { engineDevices, type Engine } from './engine/engine.js';
import { createEngine } from './engine/index.js';
import { logRequests } from './access-log.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { gateFromConfig } from './gate/gate.js';
import { resolveGateSecret } from './gate/secret.js';
import { listenOrExplain, type DoorPort } from './listen-error.js';
import { packageVersion, stateDirectory } from './paths.js';
import { resolve } from 'node:path';
import { countGateEvents } from './gate/metrics.js';
import { capConnections, endWith, requestTimeouts } from './net/connections.js';
import { httpAddress, type Address, type Door, type DoorContext, type StartDoor } from './protocols/door.js';
import { startGateHttp } from './protocols/gate-http.js';
import { startGateProxy } from './protocols/gate-proxy.js';
import { startGateTcp } from './protocols/gate-tcp.js';
import { startMetanoia } from './protocols/metanoia.js';
import { startNanoHttp } from './protocols/nano-http.js';
import { startNostrWs } from './protocols/nostr-ws.js';
import { isStratumDoor, startStratum } from './protocols/stratum.js';
import { createEngineSource } from './sources/engine.js';
import { RemoteMiners } from './sources/remote-miners.js';
import { clusterFromConfig } from './cluster/cluster.js';
import { createClusterSource } from './sources/cluster/source.js';
import { registerDashboard } from './dashboard/routes.js';
import { createUpstreamSource } from './sources/upstream.js';

/** The doors served on the HTTP port: they add their routes before it listens. */
const HTTP_DOORS: readonly StartDoor[] = [startNanoHttp, startGateHttp, startNostrWs];

interface PortDoor extends Omit<DoorPort, 'host' | 'port'> {
  readonly port: (config: Config) => number;
  /** Whether the config asks for the door (default: its port is not 0). */
  readonly enabled?: (config: Config) => boolean;
  readonly start: StartDoor;
}

/**
 * The doors with ports of their own. A port one cannot bind is explained with the door's name,
 * flag and config key (listen-error.ts).
 */
const PORT_DOORS: readonly PortDoor[] = [
  { door: 'metanoia', flag: '--metanoia-port', key: 'metanoia.port', port: (config) => config.metanoia.port, start: startMetanoia },
  { door: 'stratum', flag: '--stratum-port', key: 'stratum.port', port: (config) => config.stratum.port, start: startStratum },
  { door: 'gate', flag: '--gate-port', key: 'gate.tcp_port', port: (config) => config.gate.tcp_port, start: startGateTcp },
  {
    door: 'gate-proxy',
    flag: '--gate-http-port',
    key: 'gate.http.port',
    zero: '0 picks a free port; an empty gate.http.upstream disables the door',
    port: (config) => config.gate.http.port,
    enabled: (config) => config.gate.http.upstream !== '',
    start: startGateProxy,
  },
];

export interface ServerDeps {
  /** Use this engine instead of starting a pool (tests); the server does not close it. */
  readonly engine?: Engine;
  readonly logger?: Logger;
}

export interface RunningServer {
  /** Where each door listens: `http` always, plus one entry per enabled door (by Door.name). */
  readonly addresses: { readonly http: Address } & Readonly<Record<string, Address>>;
  readonly broker: Broker;
  readonly engine: Engine;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** Stop accepting, give jobs server.shutdown_timeout_ms to finish, close every door and the engine. */
  close(): Promise<void>;
}

/**
 * A request Node could not take (not received within the timeout, malformed): answered in the
 * doors' JSON error shape, then the connection is closed.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Duplex, timeoutMs: number): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const timedOut = error.code === 'ERR_HTTP_REQUEST_TIMEOUT';
  const answer = timedOut
    ? httpErrorResponse('PP_ERR_IDLE_TIMEOUT', `the request was not received within ${timeoutMs} ms`)
    : httpErrorResponse('PP_ERR_INVALID', 'malformed or over-long HTTP request');
  if (socket.writable) socket.write(answer);
  socket.destroy();
}

/** A whole HTTP response, written raw on a socket no request owns: the error's status, `{"error"}`, close. */
function httpErrorResponse(code: 'PP_ERR_IDLE_TIMEOUT' | 'PP_ERR_INVALID' | 'PP_ERR_TOO_MANY_CONNECTIONS', message: string): string {
  const status = ERRORS[code].http;
  const body = JSON.stringify({ error: message });
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export async function startServer(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  const logger = deps.logger ?? createLogger(config.log.level);
  const metrics = createMetrics();
  // Built before the gate (no connection yet), so the gate's stores can live in Redis.
  const cluster = clusterFromConfig(config.cluster, { logger, metrics });
  // Before anything starts, so that a bad gate secret stops the server cleanly.
  const secretFile = resolve(stateDirectory(config.server.state_dir), config.gate.secret_file);
  const gate = gateFromConfig(config.gate, {
    secret: resolveGateSecret(config.gate.secret, secretFile, (file) => logger.info({ file }, `gate: generated a secret, kept in ${file}`)),
    onEvent: countGateEvents(metrics.registry),
    ...(cluster === undefined ? {} : { spent: cluster.spent, rate: cluster.rate }),
  });
  const engine =
    deps.engine ??
    (await createEngine({
      threads: config.pow.threads,
      backend: config.pow.backend,
      nice: config.pow.nice,
      gpu: config.pow.gpu,
      onWarning: (message) => logger.warn({ component: 'engine' }, message),
    }));
  const ownsEngine = deps.engine === undefined;
  if (engine.stats !== undefined) metrics.watchEngine(() => engine.stats!());
  if (engine.kernels !== undefined) metrics.showKernels(engine.kernels);

  const broker = createBroker({
    queueLimit: config.broker.queue_limit,
    maxActiveJobs: config.broker.max_active_jobs,
    quickSlots: config.broker.quick_slots,
    quickJobAttempts: config.broker.quick_job_attempts,
    maxJobsPerClient: config.broker.max_jobs_per_connection,
    maxJobsPerAddress: config.broker.max_jobs_per_address,
    maxAttemptsPerAddress: config.broker.max_attempts_per_address,
    cacheSize: config.broker.cache_size,
    jobTimeoutMs: config.broker.job_timeout_ms,
    metrics,
    logger,
  });
  const engineSource = createEngineSource(engine, { logger });
  // In a cluster the local engine runs through the cluster source: it searches the jobs this
  // server owns (with the workers), and every job while Redis is down.
  broker.addSource(cluster === undefined ? engineSource : createClusterSource({ cluster, local: engineSource, engine }));
  await cluster?.connect();
  if (config.nano.upstreams.length > 0) {
    broker.addSource(
      createUpstreamSource({
        urls: config.nano.upstreams,
        maxAttempts: config.nano.max_attempts,
        timeoutMs: config.nano.upstream_timeout_ms,
        backoffMs: config.nano.backoff_ms,
        metrics,
        logger,
      }),
    );
  }
  // Metanoia miners take their ranges through the Metanoia door, so they work only where it is open.
  const remoteMiners = new RemoteMiners(BigInt(config.metanoia.range_size));
  if (config.metanoia.port !== 0) broker.addSource(remoteMiners);

  const trustProxy = config.server.trust_proxy.length === 0 ? false : [...config.server.trust_proxy];
  const app = Fastify({
    bodyLimit: config.server.max_message_bytes,
    forceCloseConnections: true,
    trustProxy,
    requestTimeout: config.server.request_timeout_ms,
    http: requestTimeouts(config.server.request_timeout_ms),
    clientErrorHandler: (error, socket) => answerClientError(error, socket, config.server.request_timeout_ms),
  });
  const perSource = config.server.max_http_connections_per_source;
  capConnections(
    app.server,
    { max: config.server.max_http_connections, perSource },
    () => metrics.connectionsRefused.inc({ door: 'http' }),
    (socket) => endWith(socket, httpErrorResponse('PP_ERR_TOO_MANY_CONNECTIONS', `too many connections from your address (limit ${perSource})`), config.server.linger_ms),
  );
  logRequests(app, logger);
  // A keep-alive connection that earns server.max_errors_per_connection error statuses is closed after the last.
  const httpErrors = new WeakMap<Socket, number>();
  app.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode >= 400) {
      const errors = (httpErrors.get(request.raw.socket) ?? 0) + 1;
      httpErrors.set(request.raw.socket, errors);
      if (errors >= config.server.max_errors_per_connection) reply.header('connection', 'close');
    }
    done(null, payload);
  });
  // Registered before the routes, whose schemas it collects into the OpenAPI document.
  await app.register(swagger, { openapi: { info: { title: 'Powerplant', version: packageVersion() } } });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const doors: Door[] = [];
  /** The running Stratum door: its work source's state is part of /healthz, its miners are /stratum/workers. */
  const stratumDoor = () => doors.find(isStratumDoor);
  app.get('/healthz', async () => {
    const stratum = stratumDoor()?.coordinator.status();
    return {
      status: (cluster !== undefined && !cluster.link.up) || stratum?.up === false ? 'degraded' : 'ok',
      ...(cluster === undefined ? {} : { redis: cluster.link.up ? 'up' : 'down' }),
      ...(stratum === undefined ? {} : { stratum }),
      engine: { backend: engine.backend, threads: engine.threads, kernels: engine.kernels, devices: engineDevices(engine) },
      jobs: broker.stats(),
    };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/stratum/workers', async (_request, reply) => {
    const stratum = stratumDoor();
    return stratum === undefined ? reply.code(404).send({ error: 'the Stratum door is off' }) : { work: stratum.coordinator.status(), workers: stratum.coordinator.agents() };
  });
  const context: DoorContext = { config, broker, metrics, logger, http: app, remoteWork: remoteMiners, gate };
  for (const start of HTTP_DOORS) doors.push(await start(context));
  if (config.dashboard.enabled) {
    registerDashboard(app, {
      broker,
      metrics,
      engine,
      gate,
      cluster,
      upstreams: config.nano.upstreams,
      // The Stratum door starts after the HTTP port listens: looked up at each snapshot.
      stratum: stratumDoor,
      miners: config.metanoia.port === 0 ? undefined : remoteMiners,
    }, config, logger);
  }

  const closeAll = async (): Promise<void> => {
    await Promise.allSettled(doors.map((door) => door.close()));
    await app.close();
    if (ownsEngine) await engine.close();
    await cluster?.close();
  };
  try {
    const host = config.server.host;
    await listenOrExplain({ door: 'http', host, port: config.server.port, flag: '--port', key: 'server.port', zero: '0 picks a free port' }, () =>
      app.listen({ host, port: config.server.port }),
    );
    for (const { port, enabled, start, ...names } of PORT_DOORS) {
      const where = { ...names, host, port: port(config) };
      if (enabled?.(config) ?? where.port !== 0) doors.push(await listenOrExplain(where, () => start(context)));
    }
  } catch (error) {
    await broker.close();
    await closeAll();
    throw error;
  }

  const addresses: Record<string, Address> = { http: httpAddress(app) };
  for (const door of doors) addresses[door.name] = door.address;
  logger.info({ addresses, backend: engine.backend, threads: engine.threads }, 'powerplant listening');

  let closing: Promise<void> | undefined;
  return {
    addresses: addresses as RunningServer['addresses'],
    broker,
    engine,
    metrics,
    logger,
    close() {
      closing ??= (async () => {
        // Refuse new work at once; jobs in flight get the grace period, then fail with 'shutdown'.
        const drained = broker.close({ graceMs: config.server.shutdown_timeout_ms });
        app.server.close();
        await drained;
        await closeAll();
      })();
      return closing;
    },
  };
}
