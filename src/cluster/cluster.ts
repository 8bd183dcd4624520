/**
 * A server's handle on the cluster: the Redis link, the stores that live there (result cache, job
 * ownership, gate spent marks and rate counters, each with its in-process fallback for outages),
 * the job board and the range leases, and a `powerplant_redis_up` gauge.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { Gauge } from 'prom-client';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { MemoryRateCounter, type RateCounter } from '../gate/rate.js';
import { MemorySpentStore, type SpentStore } from '../gate/spent.js';
import { silentLogger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { RedisJobClaims, type JobClaims } from '../stores/claims.js';
import { FallbackRateCounter, FallbackSpentStore, RedisRateCounter, RedisSpentStore } from '../stores/gate.js';
import { RedisResultStore, type ResultStore } from '../stores/results.js';
import { JobBoard } from './board.js';
import { RedisLink, redactUrl } from './connection.js';
import { clusterKeys, type ClusterKeys } from '../stores/keys.js';
import { LeaseBook } from './leases.js';

export interface ClusterSettings {
  readonly redis: string;
  readonly prefix: string;
  /** A claimed range's lease (renewed by its holder while it searches); also how long a dead owner's job lingers. */
  readonly leaseMs: number;
  /** Nonces per range the server's own engine claims. */
  readonly rangeSize: bigint;
  /** Invalid results after which a worker is ignored. */
  readonly maxInvalid: number;
  /** How long verified solutions stay in the shared cache. */
  readonly resultTtlMs: number;
}

export interface Cluster {
  /** This server's name in the cluster (results for its jobs arrive on its channel). */
  readonly serverId: string;
  readonly settings: ClusterSettings;
  readonly link: RedisLink;
  readonly keys: ClusterKeys;
  readonly board: JobBoard;
  readonly leases: LeaseBook;
  readonly claims: JobClaims;
  readonly results: ResultStore;
  /** The gate's stores: Redis while it is up, this server's memory while it is not. */
  readonly spent: SpentStore;
  readonly rate: RateCounter;
  /** Tagged with this server's id only; each part of the cluster adds its own component. */
  readonly logger: Logger;
  /** Connect (waits at most a couple of seconds; a server starts degraded rather than not at all). */
  connect(): Promise<boolean>;
  close(): Promise<void>;
}

/** Build the cluster handle without opening any connection yet. */
export function createCluster(settings: ClusterSettings, deps: { readonly logger?: Logger; readonly metrics?: Metrics } = {}): Cluster {
  const serverId = randomBytes(6).toString('hex');
  // Tagged with the server only: each part adds its own component (pino would repeat the key).
  const logger = (deps.logger ?? silentLogger).child({ server: serverId });
  const log = logger.child({ component: 'cluster' });
  const link = new RedisLink(settings.redis, logger);
  const keys = clusterKeys(settings.prefix);
  const available = (): boolean => link.up;
  if (deps.metrics !== undefined) {
    new Gauge({
      name: 'powerplant_redis_up',
      help: '1 while the cluster Redis is reachable, 0 while this server runs degraded on its own',
      registers: [deps.metrics.registry],
      collect() {
        this.set(link.up ? 1 : 0);
      },
    });
  }
  return {
    serverId,
    settings,
    link,
    keys,
    board: new JobBoard(link.commands, keys),
    leases: new LeaseBook(link.commands, keys),
    claims: new RedisJobClaims(link.commands, keys),
    results: new RedisResultStore(link.commands, keys),
    spent: new FallbackSpentStore(new RedisSpentStore(link.commands, keys), new MemorySpentStore(), available),
    rate: new FallbackRateCounter(new RedisRateCounter(link.commands, keys), new MemoryRateCounter(), available),
    logger,
    async connect() {
      const up = await link.connect();
      if (!up) log.warn({ url: redactUrl(settings.redis) }, 'redis unreachable at start; serving locally until it answers');
      return up;
    },
    close: () => link.close(),
  };
}

/** The cluster a server's config asks for, or undefined when `cluster.redis` is empty (memory only). */
export function clusterFromConfig(section: Config['cluster'], deps: { readonly logger?: Logger; readonly metrics?: Metrics } = {}): Cluster | undefined {
  if (section.redis === '') return undefined;
  return createCluster(
    {
      redis: section.redis,
      prefix: section.prefix,
      leaseMs: section.lease_ms,
      rangeSize: BigInt(section.range_size),
      maxInvalid: section.max_invalid,
      resultTtlMs: section.result_ttl_s * 1000,
    },
    deps,
  );
}
