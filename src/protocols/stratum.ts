/**
 * The Stratum v1 front door (TCP, default port 3333): sockets in front of the coordinator
 * (src/stratum/coordinator.ts), which speaks the protocol, with the work source the config names:
 * the built-in chain, or a Bitcoin node (`stratum.node_url`) paying `stratum.payout_address`. This
 * file binds bytes to sessions and enforces the per-connection limits: connections per source
 * address, a connection whose unread answers pile up past a bound is dropped (a slow miner never
 * stalls the others), and a dead one is forgotten at once. Closing flushes what was sent first, so
 * a miner closed for an over-long line, too many errors or too many rejected shares reads why.
 * @module
 */
import { createServer, type Socket } from 'node:net';
import { Counter, Gauge } from 'prom-client';
import type { Config } from '../config.js';
import { silentLogger, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { InputError } from '../schemes/bits.js';
import { parsePayoutAddress } from '../stratum/address.js';
import { Chain } from '../stratum/chain.js';
import { errorReply } from '../stratum/errors.js';
import { Coordinator, EXTRANONCE1_SIZE, EXTRANONCE2_SIZE, type SessionLimits } from '../stratum/coordinator.js';
import { NodeWork } from '../stratum/node.js';
import type { WorkSource } from '../stratum/work.js';
import { PowerplantError } from '../errors.js';
import { SourceConnections } from '../net/connections.js';
import { listen } from '../net/listen.js';
import { boundedWriter, socketPeer } from '../net/writer.js';
import type { Door } from './door.js';

/** What the door is built from (the parts of the DoorContext it uses). */
export interface StratumContext {
  readonly config: { readonly stratum: Config['stratum']; readonly server: { readonly host: string } };
  readonly logger?: Logger;
  readonly metrics?: Metrics;
}

export interface StratumDoor extends Door {
  readonly coordinator: Coordinator;
  /** The built-in chain, when no node feeds the door. */
  readonly chain: Chain | undefined;
}

/** The Stratum door among the running doors (its workers and work status are served on the HTTP port). */
export function isStratumDoor(door: Door): door is StratumDoor {
  return door.name === 'stratum' && 'coordinator' in door;
}

/** How long a closing connection gets to take its last lines before it is destroyed. */
const CLOSE_FLUSH_MS = 1000;

export function parseBlockBits(hex: string): number {
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw new InputError('block_bits must be 8 hex characters');
  return parseInt(hex, 16);
}

/** A counter with one label; returns its increment. */
function labelledCounter(metrics: Metrics, name: string, help: string, label: string): (value: string) => void {
  const counter = new Counter({ name, help, labelNames: [label], registers: [metrics.registry] });
  return (value) => counter.inc({ [label]: value });
}

function watchCoordinator(metrics: Metrics, coordinator: Coordinator): void {
  const registers = [metrics.registry];
  const gauge = (name: string, help: string, value: () => number): void => {
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(value());
      },
    });
  };
  const agents = () => coordinator.agents();
  gauge('powerplant_stratum_chain_height', 'Height of the tip mined on (built-in chain or node)', () => (coordinator.status().height ?? 1) - 1);
  gauge('powerplant_stratum_work_up', '1 while the work source gives jobs (0: the node cannot be reached)', () => (coordinator.status().up ? 1 : 0));
  gauge('powerplant_stratum_agents', 'Stratum connections open', () => agents().length);
  gauge('powerplant_stratum_workers', 'Stratum connections with an authorized worker', () => agents().filter((agent) => agent.workers.length > 0).length);
  gauge('powerplant_stratum_hash_rate', 'Hashes per second of all miners, estimated from their accepted shares', () =>
    agents().reduce((sum, agent) => sum + agent.hashRate, 0),
  );
  gauge('powerplant_stratum_best_share', 'Highest share difficulty among the connected miners', () => Math.max(0, ...agents().map((agent) => agent.bestShare)));
}

/** The built-in chain, or the node the config names (reached, and its chain checked against the payout address). */
async function openSource(config: Config['stratum'], logger: Logger): Promise<WorkSource> {
  const extranonceBytes = EXTRANONCE1_SIZE + EXTRANONCE2_SIZE;
  if (config.node_url === '') return new Chain({ bits: parseBlockBits(config.block_bits), history: config.history, extranonceBytes });
  if (config.payout_address === '') throw new InputError('stratum.payout_address is required with stratum.node_url');
  return NodeWork.open({
    url: config.node_url,
    payout: parsePayoutAddress(config.payout_address),
    extranonceBytes,
    pollMs: config.node_poll_ms,
    timeoutMs: config.node_timeout_ms,
    logger,
  });
}

/** Each connection's limits, from the stratum section of the limits table. */
export function sessionLimits(config: Config['stratum']): SessionLimits {
  return {
    maxLineBytes: config.max_line_bytes,
    maxErrors: config.max_errors_per_connection,
    maxSharesPerJob: config.max_shares_per_job,
    maxWorkerNameChars: config.max_worker_name_chars,
    maxWorkers: config.max_workers_per_connection,
    maxNtimeDriftS: config.max_ntime_drift_s,
    maxRejectedShares: config.max_rejected_shares,
    rejectWindowShares: config.reject_window_shares,
  };
}

/** An error line in Stratum's format, then the connection closes once it is written. */
function refuse(socket: Socket, error: PowerplantError): void {
  socket.end(JSON.stringify({ id: null, result: null, error: errorReply(error) }) + '\n');
  setTimeout(() => socket.destroy(), CLOSE_FLUSH_MS).unref();
}

export async function startStratum(options: StratumContext): Promise<StratumDoor> {
  const config = options.config.stratum;
  const { metrics } = options;
  const logger = options.logger ?? silentLogger;
  const log = logger.child({ door: 'stratum' });
  const source = await openSource(config, logger);
  const countShare =
    metrics &&
    labelledCounter(metrics, 'powerplant_stratum_shares_total', 'Stratum submits by outcome: accepted, or the error (jobNotFound, duplicate, lowDifficulty, ...)', 'outcome');
  const countBlock = metrics && labelledCounter(metrics, 'powerplant_stratum_blocks_total', 'Blocks found, by the verdict of the chain or node: accepted or rejected', 'verdict');
  const coordinator = new Coordinator({
    source,
    shareDifficulty: config.share_difficulty,
    jobIntervalMs: config.job_interval_ms,
    ...sessionLimits(config),
    vardiff: {
      sharesPerMinute: config.vardiff_shares_per_min,
      retargetMs: config.vardiff_retarget_ms,
      minDifficulty: config.min_difficulty,
      maxDifficulty: config.max_difficulty,
    },
    versionMask: parseInt(config.version_mask, 16),
    authorizeTimeoutMs: config.authorize_timeout_ms,
    idleTimeoutMs: config.idle_timeout_ms,
    logger,
    onShare: countShare,
    onBlock: (verdict) => countBlock?.(verdict.accepted ? 'accepted' : 'rejected'),
    onLimit: (limit) => metrics?.limitsHit.inc({ door: 'stratum', limit }),
  });
  if (metrics !== undefined) watchCoordinator(metrics, coordinator);
  const sockets = new Set<Socket>();
  const perSource = new SourceConnections(config.max_connections_per_source);

  const server = createServer((socket) => {
    const peer = socket.remoteAddress ?? 'unknown';
    if (!perSource.add(peer)) {
      metrics?.connectionsRefused.inc({ door: 'stratum' });
      socket.on('error', () => {});
      refuse(socket, new PowerplantError('PP_ERR_TOO_MANY_CONNECTIONS', `at most ${config.max_connections_per_source} connections per address`));
      return;
    }
    sockets.add(socket);
    metrics?.connections.inc({ door: 'stratum' });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const write = boundedWriter(
      // Nothing more can reach a miner that does not read: no flush.
      socketPeer(socket, () => {
        session.disconnect();
        socket.destroy();
      }),
      config.max_buffered_bytes,
      () => {
        metrics?.limitsHit.inc({ door: 'stratum', limit: 'write_buffer' });
        log.warn({ peer: socket.remoteAddress }, 'dropping a miner that does not read');
      },
    );
    const session = coordinator.connect({
      send: (line) => write(line + '\n'),
      close() {
        socket.end();
        setTimeout(() => socket.destroy(), CLOSE_FLUSH_MS).unref();
      },
    });
    const endpoint = `${peer}:${socket.remotePort ?? 0}`;
    log.debug({ peer: endpoint, extranonce1: session.extranonce1 }, 'agent connected');
    socket.on('data', (chunk: Buffer) => session.receive(chunk));
    socket.on('error', (error) => log.debug({ err: error }, 'agent connection error'));
    socket.once('close', () => {
      log.debug({ peer: endpoint, ...session.stats() }, 'agent disconnected');
      session.disconnect();
      perSource.remove(peer);
      sockets.delete(socket);
      metrics?.connections.dec({ door: 'stratum' });
    });
  });
  server.maxConnections = config.max_connections;
  server.on('drop', () => metrics?.connectionsRefused.inc({ door: 'stratum' }));

  let address: { host: string; port: number };
  try {
    address = await listen(server, config.port, options.config.server.host);
  } catch (error) {
    coordinator.close();
    throw error;
  }
  const work = config.node_url === '' ? { blockBits: config.block_bits } : { node: 'on', payoutAddress: config.payout_address };
  log.info({ ...address, ...work, shareDifficulty: config.share_difficulty }, 'Stratum door listening');

  return {
    name: 'stratum',
    address,
    coordinator,
    chain: source instanceof Chain ? source : undefined,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      coordinator.close();
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
