/**
 * The Stratum v1 front door (TCP, default port 3333): sockets in front of the coordinator
 * (src/stratum/coordinator.ts), which speaks the protocol and keeps the built-in chain. This file
 * only binds bytes to sessions and enforces the per-connection limits: a connection whose unread
 * answers pile up past a bound is dropped (a slow agent never stalls the others), one that sends
 * an over-long line is closed, and a dead one is forgotten at once.
 * @module
 */
import { createServer, type Socket } from 'node:net';
import { Counter, Gauge } from 'prom-client';
import type { Config } from '../config.js';
import { silentLogger, type Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { InputError } from '../schemes/bits.js';
import { Chain } from '../stratum/chain.js';
import { Coordinator, EXTRANONCE1_SIZE, EXTRANONCE2_SIZE } from '../stratum/coordinator.js';
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
  readonly chain: Chain;
}

export function parseBlockBits(hex: string): number {
  if (!/^[0-9a-fA-F]{8}$/.test(hex)) throw new InputError('block_bits must be 8 hex characters');
  return parseInt(hex, 16);
}

function shareCounter(metrics: Metrics): (outcome: string) => void {
  const shares = new Counter({
    name: 'powerplant_stratum_shares_total',
    help: 'Stratum submits by outcome: accepted, or the error (jobNotFound, duplicate, lowDifficulty, ...)',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  return (outcome) => shares.inc({ outcome });
}

function watchCoordinator(metrics: Metrics, coordinator: Coordinator): void {
  const registers = [metrics.registry];
  new Gauge({
    name: 'powerplant_stratum_chain_height',
    help: 'Height of the built-in chain',
    registers,
    collect() {
      this.set(coordinator.chain.height);
    },
  });
  new Gauge({
    name: 'powerplant_stratum_agents',
    help: 'Stratum agents connected',
    registers,
    collect() {
      this.set(coordinator.agents().length);
    },
  });
  new Gauge({
    name: 'powerplant_stratum_hash_rate',
    help: 'Hashes per second of all agents, estimated from their accepted shares',
    registers,
    collect() {
      this.set(coordinator.agents().reduce((sum, agent) => sum + agent.hashRate, 0));
    },
  });
}

export async function startStratum(options: StratumContext): Promise<StratumDoor> {
  const config = options.config.stratum;
  const { metrics } = options;
  const logger = options.logger ?? silentLogger;
  const log = logger.child({ door: 'stratum' });
  const chain = new Chain({
    bits: parseBlockBits(config.block_bits),
    history: config.history,
    extranonceBytes: EXTRANONCE1_SIZE + EXTRANONCE2_SIZE,
  });
  const coordinator = new Coordinator({
    chain,
    shareDifficulty: config.share_difficulty,
    jobIntervalMs: config.job_interval_ms,
    maxLineBytes: config.max_line_bytes,
    logger,
    onShare: metrics === undefined ? undefined : shareCounter(metrics),
  });
  if (metrics !== undefined) watchCoordinator(metrics, coordinator);
  const sockets = new Set<Socket>();

  const server = createServer((socket) => {
    sockets.add(socket);
    metrics?.connections.inc({ door: 'stratum' });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    const write = boundedWriter(
      socketPeer(socket, () => session.drop('write buffer full')),
      config.max_buffered_bytes,
      () => {
        metrics?.limitsHit.inc({ door: 'stratum', limit: 'write_buffer' });
        log.warn({ peer: socket.remoteAddress }, 'dropping an agent that does not read');
      },
    );
    const session = coordinator.connect({
      send: (line) => write(line + '\n'),
      close() {
        socket.destroy();
      },
    });
    const peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`;
    log.debug({ peer, extranonce1: session.extranonce1 }, 'agent connected');
    socket.on('data', (chunk: Buffer) => session.receive(chunk));
    socket.on('error', (error) => log.debug({ err: error }, 'agent connection error'));
    socket.once('close', () => {
      log.debug({ peer, ...session.stats() }, 'agent disconnected');
      session.disconnect();
      sockets.delete(socket);
      metrics?.connections.dec({ door: 'stratum' });
    });
  });
  server.maxConnections = config.max_connections;
  server.on('drop', () => metrics?.connectionsRefused.inc({ door: 'stratum' }));

  const address = await listen(server, config.port, options.config.server.host);
  log.info({ ...address, blockBits: config.block_bits, shareDifficulty: config.share_difficulty }, 'Stratum door listening');

  return {
    name: 'stratum',
    address,
    coordinator,
    chain,
    async close() {
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      coordinator.close();
      for (const socket of sockets) socket.destroy();
      await stopped;
    },
  };
}
