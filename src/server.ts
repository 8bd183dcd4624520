/**
 * `powerplant serve` as a library: one engine, one broker, and the front doors the config enables.
 * The HTTP port carries the Nano work API, /metrics, /healthz and the Nostr WebSocket; the other
 * doors (Metanoia, Stratum, the gate) listen on ports of their own.
 * @module
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo, Socket } from 'node:net';
import { createBroker } from './broker/broker.js';
import type { Broker } from './broker/types.js';
import type { Config } from './config.js';
import type { Engine } from './engine/engine.js';
import { createEngine } from './engine/index.js';
import { logRequests } from './access-log.js';
import { createLogger, type Logger } from './log.js';
import { createMetrics, type Metrics } from './metrics.js';
import { registerNanoHttp } from './protocols/nano-http.js';
import { startMetanoia } from './protocols/metanoia.js';
import { attachNostrWs } from './protocols/nostr-ws.js';
import { startStratum } from './protocols/stratum.js';
import { gateFromConfig } from './gate/gate.js';
import { countGateEvents } from './gate/metrics.js';
import { gateHttpPlugin } from './protocols/gate-http.js';
import { SourceConnections } from './protocols/connections.js';
import { startGateTcp } from './protocols/gate-tcp.js';
import { createEngineSource } from './sources/engine.js';
import { clusterFromConfig } from './cluster/cluster.js';
import { createClusterSource } from './sources/cluster.js';
import { registerDashboard } from './dashboard/routes.js';
import { createUpstreamSource } from './sources/upstream.js';

export interface Address {
  readonly host: string;
  readonly port: number;
}

/** A front door with a port of its own; server.ts closes it on shutdown. */
export interface Door {
  readonly name: string;
  readonly address: Address;
  /** Stop accepting, end its connections; the broker fails their jobs with 'shutdown'. */
  close(): Promise<void>;
}

/** What every front door is built from. */
export interface DoorContext {
  readonly config: Config;
  readonly broker: Broker;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly engine: Engine;
}

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

function addressOf(app: FastifyInstance): Address {
  const address = app.server.address() as AddressInfo;
  return { host: address.address, port: address.port };
}

export async function startServer(config: Config, deps: ServerDeps = {}): Promise<RunningServer> {
  const logger = deps.logger ?? createLogger(config.log.level);
  const metrics = createMetrics();
  // Built before the gate (no connection yet), so the gate's stores can live in Redis.
  const cluster = clusterFromConfig(config.cluster, { logger, metrics });
  // Before anything starts, so that a bad gate secret stops the server cleanly.
  const gate = gateFromConfig(config.gate, {
    onEvent: countGateEvents(metrics.registry),
    ...(cluster === undefined ? {} : { spent: cluster.spent, rate: cluster.rate }),
  });
  const engine =
    deps.engine ??
    (await createEngine({
      threads: config.pow.threads,
      backend: config.pow.backend,
      onWarning: (message) => logger.warn({ component: 'engine' }, message),
    }));
  const ownsEngine = deps.engine === undefined;
  if (engine.stats !== undefined) metrics.watchEngine(() => engine.stats!());

  const broker = createBroker({
    queueLimit: config.broker.queue_limit,
    maxActiveJobs: config.broker.max_active_jobs,
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
  const context: DoorContext = { config, broker, metrics, logger, engine };

  const app = Fastify({ bodyLimit: config.server.max_message_bytes, forceCloseConnections: true });
  app.server.maxConnections = config.server.max_http_connections;
  app.server.on('drop', () => metrics.connectionsRefused.inc({ door: 'http' }));
  const httpSources = new SourceConnections(config.server.max_http_connections_per_source);
  app.server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    if (!httpSources.add(address)) {
      metrics.connectionsRefused.inc({ door: 'http' });
      socket.destroy();
      return;
    }
    socket.once('close', () => httpSources.remove(address));
  });
  logRequests(app, logger);
  app.get('/healthz', async () => ({
    status: cluster !== undefined && !cluster.link.up ? 'degraded' : 'ok',
    ...(cluster === undefined ? {} : { redis: cluster.link.up ? 'up' : 'down' }),
    engine: { backend: engine.backend, threads: engine.threads },
    jobs: broker.stats(),
  }));
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  registerNanoHttp(app, context);
  await app.register(gateHttpPlugin, { prefix: '/gate', gate });
  const nostrWs = attachNostrWs(app.server, context);

  const doors: Door[] = [];
  const dashboard = config.dashboard.enabled
    ? registerDashboard(app, { broker, metrics, engine, gate, cluster, upstreams: config.nano.upstreams, doors: () => doors }, config.dashboard, logger, config.server.host)
    : undefined;
  const closeAll = async (): Promise<void> => {
    dashboard?.close();
    await Promise.allSettled([nostrWs.close(), ...doors.map((door) => door.close())]);
    await app.close();
    if (ownsEngine) await engine.close();
    await cluster?.close();
  };
  try {
    await app.listen({ host: config.server.host, port: config.server.port });
    // The doors with ports of their own (0 disables each).
    if (config.metanoia.port !== 0) doors.push(await startMetanoia(context));
    if (config.stratum.port !== 0) doors.push(await startStratum(context));
    if (config.gate.tcp_port !== 0) {
      doors.push(await startGateTcp({ gate, config: config.gate, logger, metrics, port: config.gate.tcp_port, host: config.server.host }));
    }
  } catch (error) {
    await broker.close();
    await closeAll();
    throw error;
  }

  const addresses: Record<string, Address> = { http: addressOf(app) };
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
