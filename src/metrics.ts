/**
 * Prometheus metrics of one server instance. Each server gets its own Registry (not prom-client's
 * global one), so tests can run several servers in one process.
 * @module
 */
import { Counter, Gauge, Registry } from 'prom-client';
import type { EngineStats } from './engine/engine.js';
import type { KernelChoice } from './engine/kernel-selection.js';

export interface Metrics {
  readonly registry: Registry;
  /** Jobs by scheme and outcome: solved, cached, joined, busy, over_budget, timeout, cancelled, exhausted, shutdown, failed. */
  readonly jobs: Counter<'scheme' | 'outcome'>;
  readonly queueDepth: Gauge;
  readonly activeJobs: Gauge;
  readonly cacheHits: Counter<'scheme'>;
  readonly cacheMisses: Counter<'scheme'>;
  /** Submits that joined a search already in flight. */
  readonly dedupeJoins: Counter<'scheme'>;
  /** Candidates that failed verification, by the source that reported them. */
  readonly invalidCandidates: Counter<'source'>;
  /** Jobs won, by source name (engine, upstream:URL, miners...). */
  readonly wins: Counter<'source'>;
  readonly upstreamWins: Counter<'upstream'>;
  /** Upstream failures by reason: error, timeout, invalid. */
  readonly upstreamFailures: Counter<'upstream' | 'reason'>;
  /** Open connections by front door. */
  readonly connections: Gauge<'door'>;
  /** Connections refused (limit reached) by front door. */
  readonly connectionsRefused: Counter<'door'>;
  /** Requests refused or connections dropped at a per-connection limit, by door and limit. */
  readonly limitsHit: Counter<'door' | 'limit'>;
  /** Read the engine's figures at scrape time. */
  watchEngine(stats: () => EngineStats): void;
  /** Name the kernel variant of every family (fixed for the engine's life). */
  showKernels(kernels: Readonly<Record<string, KernelChoice>>): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  let engineStats: (() => EngineStats) | undefined;
  const engineKernel = new Gauge({
    name: 'powerplant_engine_kernel',
    help: 'The kernel variant each family runs (1), and how it was chosen: measured, cached, pinned or fixed',
    labelNames: ['family', 'kernel', 'source'],
    registers,
  });
  const metrics: Metrics = {
    registry,
    jobs: new Counter({ name: 'powerplant_jobs_total', help: 'Jobs by scheme and outcome', labelNames: ['scheme', 'outcome'], registers }),
    queueDepth: new Gauge({ name: 'powerplant_queue_depth', help: 'Jobs waiting for a free search slot', registers }),
    activeJobs: new Gauge({ name: 'powerplant_active_jobs', help: 'Jobs being searched now', registers }),
    cacheHits: new Counter({ name: 'powerplant_cache_hits_total', help: 'Jobs answered from the result cache', labelNames: ['scheme'], registers }),
    cacheMisses: new Counter({ name: 'powerplant_cache_misses_total', help: 'Jobs the result cache could not answer', labelNames: ['scheme'], registers }),
    dedupeJoins: new Counter({ name: 'powerplant_dedupe_joins_total', help: 'Submits that joined an identical job in flight', labelNames: ['scheme'], registers }),
    invalidCandidates: new Counter({ name: 'powerplant_invalid_candidates_total', help: 'Reported solutions that failed verification', labelNames: ['source'], registers }),
    wins: new Counter({ name: 'powerplant_wins_total', help: 'Jobs solved, by the source whose answer won', labelNames: ['source'], registers }),
    upstreamWins: new Counter({ name: 'powerplant_upstream_wins_total', help: 'Nano jobs won by an upstream work server', labelNames: ['upstream'], registers }),
    upstreamFailures: new Counter({ name: 'powerplant_upstream_failures_total', help: 'Upstream work requests that failed', labelNames: ['upstream', 'reason'], registers }),
    connections: new Gauge({ name: 'powerplant_connections', help: 'Open connections by front door', labelNames: ['door'], registers }),
    connectionsRefused: new Counter({ name: 'powerplant_connections_refused_total', help: 'Connections refused at the limit', labelNames: ['door'], registers }),
    limitsHit: new Counter({
      name: 'powerplant_limits_hit_total',
      help: 'Requests refused or connections dropped at a per-connection limit',
      labelNames: ['door', 'limit'],
      registers,
    }),
    watchEngine(stats) {
      engineStats = stats;
    },
    showKernels(kernels) {
      for (const [family, { variant, source }] of Object.entries(kernels)) engineKernel.set({ family, kernel: variant, source }, 1);
    },
  };
  new Gauge({
    name: 'powerplant_engine_hash_rate',
    help: 'Local engine attempts per second over the last few seconds',
    registers,
    collect() {
      this.set(engineStats?.().rate ?? 0);
    },
  });
  new Gauge({
    name: 'powerplant_engine_lane_hash_rate',
    help: 'Local engine attempts per second over the last few seconds, per lane: cpu (every thread) or opencl:N (one device)',
    labelNames: ['lane'],
    registers,
    collect() {
      for (const { lane, rate } of engineStats?.().lanes ?? []) this.set({ lane }, rate);
    },
  });
  new Gauge({
    name: 'powerplant_engine_attempts',
    help: 'Local engine attempts since start',
    registers,
    collect() {
      this.set(engineStats?.().totalAttempts ?? 0);
    },
  });
  return metrics;
}
