/**
 * Prometheus metrics of one server instance. Each server gets its own Registry (not prom-client's
 * global one), so tests can run several servers in one process.
 * @module
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineStats } from './engine/engine.js';
import type { KernelChoice } from './engine/kernel-selection.js';
import { packageVersion } from './paths.js';

/** Seconds from submit to a searched solution: from a cached-looking 5 ms to the 10-minute job timeout. */
export const TIME_TO_SOLUTION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/**
 * A source name as a bounded metric label: its kind, the part before the first colon
 * (`worker:w1` → `worker`, `metanoia:10.0.0.1:5000` → `metanoia`), so no client gets a label of its own.
 */
export const sourceKind = (source: string): string => source.split(':', 1)[0] ?? source;

export interface Metrics {
  readonly registry: Registry;
  /** Jobs by scheme and outcome: solved, cached, joined, busy, over-budget, timeout, cancelled, exhausted, shutdown, failed. */
  readonly jobs: Counter<'scheme' | 'outcome'>;
  readonly queueDepth: Gauge;
  readonly activeJobs: Gauge;
  readonly cacheHits: Counter<'scheme'>;
  readonly cacheMisses: Counter<'scheme'>;
  /** Submits that joined a search already in flight. */
  readonly dedupeJoins: Counter<'scheme'>;
  /** Candidates that failed verification, by the kind of source that reported them (sourceKind). */
  readonly invalidCandidates: Counter<'source'>;
  /** Jobs won, by the kind of source (engine, upstream, metanoia, worker, cluster-cache). */
  readonly wins: Counter<'source'>;
  /** Nonces tried for broker jobs, by the kind of source and the job's scheme. */
  readonly attempts: Counter<'source' | 'scheme'>;
  /**
   * Expected attempts of the jobs solved, by the kind of source that won and the scheme: its rate
   * is the effective hash rate of sources that do not count their attempts (upstreams, workers).
   */
  readonly solvedWork: Counter<'source' | 'scheme'>;
  /** Seconds from submit to a searched solution (cache hits excluded), by scheme and front door. */
  readonly timeToSolution: Histogram<'scheme' | 'door'>;
  readonly upstreamWins: Counter<'upstream'>;
  /** Upstream failures by reason: error, timeout, invalid. */
  readonly upstreamFailures: Counter<'upstream' | 'reason'>;
  /** Open connections by front door. */
  readonly connections: Gauge<'door'>;
  /** Connections refused (limit reached) by front door. */
  readonly connectionsRefused: Counter<'door'>;
  /** Requests refused or connections dropped at a per-connection limit, by door and limit. */
  readonly limitsHit: Counter<'door' | 'limit'>;
  /** Requests the gate admitted or refused, by route (proxy, forward-auth) and outcome (allowed, passed, or the refusal's reason). */
  readonly gateAdmissions: Counter<'route' | 'outcome'>;
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
    wins: new Counter({ name: 'powerplant_wins_total', help: 'Jobs solved, by the kind of source whose answer won', labelNames: ['source'], registers }),
    attempts: new Counter({
      name: 'powerplant_attempts_total',
      help: 'Nonces tried for broker jobs, by the kind of source and the scheme',
      labelNames: ['source', 'scheme'],
      registers,
    }),
    solvedWork: new Counter({
      name: 'powerplant_solved_work_total',
      help: 'Expected attempts of the jobs solved, by the kind of source that won and the scheme',
      labelNames: ['source', 'scheme'],
      registers,
    }),
    timeToSolution: new Histogram({
      name: 'powerplant_time_to_solution_seconds',
      help: 'Seconds from submit to a searched, verified solution (cache hits excluded), by scheme and front door',
      labelNames: ['scheme', 'door'],
      buckets: TIME_TO_SOLUTION_BUCKETS,
      registers,
    }),
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
    gateAdmissions: new Counter({
      name: 'powerplant_gate_admissions_total',
      help: 'Requests the gate admitted or refused, by route (proxy, forward-auth) and outcome (allowed, passed, or the refusal reason)',
      labelNames: ['route', 'outcome'],
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
  let countedAttempts = 0;
  new Counter({
    name: 'powerplant_engine_attempts_total',
    help: 'Local engine attempts since start, on every search (cluster ranges included)',
    registers,
    collect() {
      const total = engineStats?.().totalAttempts ?? 0;
      if (total > countedAttempts) this.inc(total - countedAttempts);
      countedAttempts = Math.max(countedAttempts, total);
    },
  });
  new Gauge({
    name: 'powerplant_build_info',
    help: 'Always 1; the labels say which build runs',
    labelNames: ['version', 'node_version'],
    registers,
  }).set({ version: packageVersion(), node_version: process.versions.node }, 1);
  // process_* (CPU, memory, open files) and nodejs_* (event loop lag, heap, GC), read at scrape time.
  collectDefaultMetrics({ register: registry });
  return metrics;
}
