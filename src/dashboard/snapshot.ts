/**
 * The data behind the dashboard: one snapshot of the whole server, read through the public stats
 * of the broker, the engine, the metrics and the doors, plus a short history of hash rates sampled
 * once a second. Everything here only reads.
 *
 *   sampler (1 Hz) ── cumulative attempts and solved work per source and scheme ──▶ ring of samples
 *   snapshot()     ── broker.stats, engine.stats, counters, doors' stats, ring ──▶ one JSON object
 * @module
 */
import type { RemoteWork } from '../broker/remote-work.js';
import type { Broker } from '../broker/types.js';
import type { Cluster } from '../cluster/cluster.js';
import { engineDevices, type Engine, type EngineDevice } from '../engine/engine.js';
import { reasonOf, type ErrorCode } from '../errors.js';
import type { Gate } from '../gate/gate.js';
import type { Metrics } from '../metrics.js';
import { packageVersion } from '../paths.js';
import type { Chain } from '../stratum/chain.js';
import type { Coordinator } from '../stratum/coordinator.js';

/** The running Stratum door as the dashboard reads it: its coordinator, and the built-in chain when no node feeds it. */
export interface StratumView {
  readonly coordinator: Coordinator;
  readonly chain: Chain | undefined;
}

export interface DashboardSources {
  readonly broker: Broker;
  readonly metrics: Metrics;
  readonly engine: Engine;
  readonly gate?: Gate;
  readonly cluster?: Cluster;
  readonly upstreams: readonly string[];
  /** The Stratum coordinator while its door runs (it starts after the HTTP port, so this is read at each snapshot). */
  readonly stratum: () => StratumView | undefined;
  /** The Metanoia miners' work handle, where the Metanoia door is open. */
  readonly miners?: Pick<RemoteWork<unknown>, 'waitingWorkers'>;
}

export interface SchemeJobs {
  readonly scheme: string;
  readonly solved: number;
  readonly cached: number;
  /** busy, over-budget, timeout, exhausted, shutdown, failed (FAILED_OUTCOMES). */
  readonly failed: number;
  readonly cancelled: number;
  /** Time to a searched solution, in seconds, estimated from the histogram's buckets (null before any). */
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
}

export interface StratumWorkerView {
  readonly name: string;
  readonly extranonce1: string;
  readonly hashRate: number;
  readonly difficulty: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly blocks: number;
  /** Submits for a job no longer current (counted among the rejected). */
  readonly stale: number;
  /** Highest difficulty of an accepted share's hash (0 before the first). */
  readonly bestShare: number;
  /** Milliseconds since the epoch of the last accepted share; null before the first. */
  readonly lastSeen: number | null;
}

export interface UpstreamView {
  readonly url: string;
  readonly wins: number;
  readonly failures: Readonly<Record<string, number>>;
  /** 'failing' when it failed within the last minute and won nothing since. */
  readonly health: 'ok' | 'failing' | 'idle';
}

export interface History {
  readonly intervalMs: number;
  /** Sample times, ms since the epoch. */
  readonly t: readonly number[];
  /** Hashes per second: `source:<kind>` and `scheme:<name>` series, aligned with t. */
  readonly series: Readonly<Record<string, readonly number[]>>;
}

export interface Snapshot {
  readonly at: number;
  readonly version: string;
  readonly uptimeS: number;
  readonly engine: {
    readonly backend: string;
    readonly threads: number;
    readonly rate: number;
    readonly totalAttempts: number;
    readonly activeJobs: number;
    readonly queuedJobs: number;
    /** The kernel chosen for each hash family, once the engine reports it; null until then. */
    readonly kernels: Readonly<Record<string, string>> | null;
    /** OpenCL devices (GPU lanes) searching beside the threads, with their rates. */
    readonly devices: readonly EngineDevice[];
  };
  readonly jobs: {
    readonly active: number;
    readonly queued: number;
    readonly waiting: number;
    readonly cached: number;
    readonly cacheHits: number;
    readonly schemes: readonly SchemeJobs[];
  };
  /** The latest hash rates (the last point of the history). */
  readonly hashRate: { readonly bySource: Readonly<Record<string, number>>; readonly byScheme: Readonly<Record<string, number>> };
  readonly history: History;
  readonly stratum: {
    readonly height: number;
    readonly shareDifficulty: number;
    readonly blocks: readonly { readonly height: number; readonly hash: string; readonly time: number; readonly foundBy?: string }[];
    readonly workers: readonly StratumWorkerView[];
  } | null;
  readonly metanoia: { readonly waitingMiners: number; readonly connections: number; readonly results: Readonly<Record<string, number>> } | null;
  readonly cluster: {
    readonly redis: 'up' | 'down';
    readonly serverId: string;
    /** Per-worker figures, once workers publish them; empty until then. */
    readonly workers: readonly { readonly id: string; readonly hashRate: number; readonly lastSeen: number }[];
  } | null;
  readonly upstreams: readonly UpstreamView[];
  readonly gate: {
    readonly issued: number;
    readonly passed: number;
    readonly refusals: Readonly<Record<string, number>>;
    readonly bitsMin: number;
    readonly bitsMax: number;
    readonly currentBits: number | null;
  } | null;
}

type Values = { values: { labels: Partial<Record<string, string | number>>; value: number; metricName?: string }[] };

/** Sum of a metric's values whose labels match, grouped by one label. */
function groupBy(metric: Values, label: string, filter: (labels: Partial<Record<string, string | number>>) => boolean = () => true): Map<string, number> {
  const sums = new Map<string, number>();
  for (const { labels, value } of metric.values) {
    if (!filter(labels)) continue;
    const key = String(labels[label] ?? '');
    sums.set(key, (sums.get(key) ?? 0) + value);
  }
  return sums;
}

/** The q-quantile of cumulative buckets (upper bound → count), interpolated within its bucket as Prometheus does. */
export function bucketQuantile(q: number, buckets: readonly (readonly [number, number])[]): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const [upper, count] of buckets) {
    if (count >= rank) {
      if (upper === Infinity) return lower;
      return lower + ((upper - lower) * (rank - below)) / Math.max(count - below, 1e-12);
    }
    lower = upper;
    below = count;
  }
  return lower;
}

/** The jobs counter's outcomes (reasonOf of the broker's error codes) that count as failed. */
const FAILED_OUTCOMES = new Set((['PP_ERR_BUSY', 'PP_ERR_OVER_BUDGET', 'PP_ERR_TIMEOUT', 'PP_ERR_EXHAUSTED', 'PP_ERR_SHUTDOWN', 'PP_ERR_FAILED'] as const satisfies readonly ErrorCode[]).map(reasonOf));
const CANCELLED = reasonOf('PP_ERR_CANCELLED');

/** Samples kept: ten minutes at one a second. */
export const HISTORY_SAMPLES = 600;
export const SAMPLE_INTERVAL_MS = 1000;
/** Sources whose rate comes from the work they solved: a job at a time, so averaged over a longer window. */
const SOLVED_WORK_WINDOW = 30;

interface Sample {
  readonly t: number;
  /** Cumulative attempts (`source:` and `scheme:` keys) and cumulative solved work (`won:` keys). */
  readonly totals: ReadonlyMap<string, number>;
  /** Rates read directly (Stratum agents' share-based estimate). */
  readonly rates: ReadonlyMap<string, number>;
}

/** Kinds of source whose attempts are counted one by one; the rest are judged by the work they solved. */
const COUNTED_SOURCES = new Set(['engine', 'metanoia']);

export class Dashboard {
  readonly #sources: DashboardSources;
  readonly #samples: Sample[] = [];
  readonly #started = Date.now();
  readonly #version = packageVersion();
  readonly #timer: NodeJS.Timeout;
  readonly #intervalMs: number;
  /** Per upstream: failures seen at the last snapshot and when they last grew; wins likewise. */
  readonly #upstreamSeen = new Map<string, { failures: number; wins: number; failedAt: number; wonAt: number }>();

  constructor(sources: DashboardSources, intervalMs = SAMPLE_INTERVAL_MS) {
    this.#sources = sources;
    this.#intervalMs = intervalMs;
    this.#timer = setInterval(() => void this.sample(), intervalMs);
    this.#timer.unref();
    void this.sample();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  /** Take one sample of the cumulative counts (the timer does this once a second). */
  async sample(): Promise<void> {
    const { metrics, engine } = this.#sources;
    const totals = new Map<string, number>();
    const add = (key: string, value: number): void => {
      totals.set(key, (totals.get(key) ?? 0) + value);
    };
    for (const { labels, value } of (await metrics.attempts.get()).values) {
      add(`source:${labels.source}`, value);
      add(`scheme:${labels.scheme}`, value);
    }
    // The engine's own total is the floor: it counts every search it ran, a broker job's or not.
    const stats = engine.stats?.();
    if (stats !== undefined) totals.set('source:engine', Math.max(totals.get('source:engine') ?? 0, stats.totalAttempts));
    for (const { labels, value } of (await metrics.solvedWork.get()).values) {
      if (COUNTED_SOURCES.has(String(labels.source))) continue;
      add(`won:source:${labels.source}`, value);
      add(`won:scheme:${labels.scheme}`, value);
    }
    const rates = new Map<string, number>();
    const stratum = this.#sources.stratum()?.coordinator;
    if (stratum !== undefined) {
      const rate = stratum.agents().reduce((sum, agent) => sum + agent.hashRate, 0);
      rates.set('source:stratum', rate);
      rates.set('scheme:bitcoin', rate);
    }
    this.#samples.push({ t: Date.now(), totals, rates });
    if (this.#samples.length > HISTORY_SAMPLES + SOLVED_WORK_WINDOW) this.#samples.shift();
  }

  /** Rates at sample i: counted attempts over the last sample, solved work over a longer window, direct rates as read. */
  #ratesAt(i: number): Map<string, number> {
    const rates = new Map<string, number>();
    const now = this.#samples[i];
    if (now === undefined) return rates;
    const add = (key: string, value: number): void => {
      rates.set(key, (rates.get(key) ?? 0) + value);
    };
    const since = (window: number, key: string): number => {
      const before = this.#samples[Math.max(0, i - window)];
      if (before === undefined || before === now) return 0;
      const grown = (now.totals.get(key) ?? 0) - (before.totals.get(key) ?? 0);
      return grown > 0 ? (grown * 1000) / (now.t - before.t) : 0;
    };
    for (const key of now.totals.keys()) {
      if (key.startsWith('won:')) add(key.slice('won:'.length), since(SOLVED_WORK_WINDOW, key));
      else add(key, since(1, key));
    }
    for (const [key, value] of now.rates) add(key, value);
    return rates;
  }

  #history(full: boolean): History {
    const first = full ? Math.max(0, this.#samples.length - HISTORY_SAMPLES) : Math.max(0, this.#samples.length - 1);
    const t: number[] = [];
    const rows: Map<string, number>[] = [];
    for (let i = first; i < this.#samples.length; i++) {
      t.push(this.#samples[i]!.t);
      rows.push(this.#ratesAt(i));
    }
    const keys = new Set(rows.flatMap((row) => [...row.keys()]));
    const series: Record<string, number[]> = {};
    for (const key of [...keys].sort()) series[key] = rows.map((row) => Math.round(row.get(key) ?? 0));
    return { intervalMs: this.#intervalMs, t, series };
  }

  /** The whole server at this moment; `full` carries the whole history, otherwise its latest point. */
  async snapshot(full = true): Promise<Snapshot> {
    const { broker, metrics, engine, gate, cluster } = this.#sources;
    const history = this.#history(full);
    const latest = Object.entries(history.series).map(([key, values]) => [key, values.at(-1) ?? 0] as const);
    const pick = (prefix: string) => Object.fromEntries(latest.filter(([key]) => key.startsWith(prefix)).map(([key, value]) => [key.slice(prefix.length), value]));
    const stats = engine.stats?.();
    const brokerStats = broker.stats();
    const [jobs, cacheHits, ttsValues] = await Promise.all([metrics.jobs.get(), metrics.cacheHits.get(), metrics.timeToSolution.get()]);
    return {
      at: Date.now(),
      version: this.#version,
      uptimeS: Math.round((Date.now() - this.#started) / 1000),
      engine: {
        backend: engine.backend,
        threads: engine.threads,
        rate: Math.round(stats?.rate ?? pick('source:').engine ?? 0),
        totalAttempts: stats?.totalAttempts ?? 0,
        activeJobs: stats?.activeJobs ?? 0,
        queuedJobs: stats?.queuedJobs ?? 0,
        kernels: engine.kernels === undefined ? null : Object.fromEntries(Object.entries(engine.kernels).map(([family, choice]) => [family, choice.variant])),
        devices: engineDevices(engine),
      },
      jobs: {
        active: brokerStats.active,
        queued: brokerStats.queued,
        waiting: brokerStats.waiting,
        cached: brokerStats.cached,
        cacheHits: [...groupBy(cacheHits, 'scheme').values()].reduce((a, b) => a + b, 0),
        schemes: schemeJobs(jobs, ttsValues),
      },
      hashRate: { bySource: pick('source:'), byScheme: pick('scheme:') },
      history,
      stratum: this.#stratum(),
      metanoia: await this.#metanoia(),
      cluster:
        cluster === undefined
          ? null
          : { redis: cluster.link.up ? 'up' : 'down', serverId: cluster.serverId, workers: [] },
      upstreams: await this.#upstreams(),
      gate: gate === undefined ? null : { ...(await this.#gateEvents()), bitsMin: gate.policy.bitsMin, bitsMax: gate.policy.bitsMax, currentBits: gate.lastIssuedBits ?? null },
    };
  }

  #stratum(): Snapshot['stratum'] {
    const door = this.#sources.stratum();
    if (door === undefined) return null;
    const { coordinator, chain } = door;
    const workers = coordinator.agents().flatMap((agent) =>
      (agent.workers.length === 0 ? ['(not authorized)'] : agent.workers).map((name) => ({
        name,
        extranonce1: agent.extranonce1,
        // A connection's figures are shared by the workers it authorized.
        hashRate: Math.round(agent.hashRate / Math.max(agent.workers.length, 1)),
        difficulty: agent.difficulty,
        accepted: agent.accepted,
        rejected: agent.rejected,
        blocks: agent.blocks,
        stale: agent.stale,
        bestShare: agent.bestShare,
        lastSeen: agent.lastShareAt,
      })),
    );
    // Blocks found are listed from the built-in chain; a node keeps its own record of them.
    const blocks = (chain?.blocks() ?? [])
      .filter((block) => block.foundBy !== undefined)
      .slice(-10)
      .reverse()
      .map(({ height, hash, time, foundBy }) => ({ height, hash, time, foundBy }));
    // The status names the block being mined; the height shown is its parent's, the tip.
    const height = (coordinator.status().height ?? 1) - 1;
    return { height, shareDifficulty: coordinator.shareDifficulty, blocks, workers };
  }

  async #metanoia(): Promise<Snapshot['metanoia']> {
    const { metrics, miners } = this.#sources;
    if (miners === undefined) return null;
    const results = metrics.registry.getSingleMetric('powerplant_metanoia_results_total') as unknown as { get(): Promise<Values> } | undefined;
    const connections = groupBy(await metrics.connections.get(), 'door').get('metanoia') ?? 0;
    return {
      waitingMiners: miners.waitingWorkers,
      connections,
      results: Object.fromEntries(results === undefined ? [] : groupBy(await results.get(), 'outcome')),
    };
  }

  async #upstreams(): Promise<UpstreamView[]> {
    const { metrics, upstreams } = this.#sources;
    const [wins, failures] = await Promise.all([metrics.upstreamWins.get(), metrics.upstreamFailures.get()]);
    const now = Date.now();
    return upstreams.map((url) => {
      const byReason = groupBy(failures, 'reason', (labels) => labels.upstream === url);
      const failed = [...byReason.values()].reduce((a, b) => a + b, 0);
      const won = groupBy(wins, 'upstream').get(url) ?? 0;
      const seen = this.#upstreamSeen.get(url) ?? { failures: 0, wins: 0, failedAt: 0, wonAt: 0 };
      if (failed > seen.failures) seen.failedAt = now;
      if (won > seen.wins) seen.wonAt = now;
      seen.failures = failed;
      seen.wins = won;
      this.#upstreamSeen.set(url, seen);
      const health = seen.failedAt > seen.wonAt && now - seen.failedAt < 60_000 ? 'failing' : seen.wonAt > 0 || seen.failedAt > 0 ? 'ok' : 'idle';
      return { url, wins: won, failures: Object.fromEntries(byReason), health };
    });
  }

  async #gateEvents(): Promise<{ issued: number; passed: number; refusals: Record<string, number> }> {
    const counter = this.#sources.metrics.registry.getSingleMetric('powerplant_gate_events_total') as unknown as { get(): Promise<Values> } | undefined;
    const events = counter === undefined ? new Map<string, number>() : groupBy(await counter.get(), 'event');
    const { issued = 0, passed = 0, ...refusals } = Object.fromEntries(events);
    return { issued, passed, refusals };
  }
}

function schemeJobs(jobs: Values, tts: Values): SchemeJobs[] {
  const schemes = new Set(jobs.values.map(({ labels }) => String(labels.scheme)));
  return [...schemes].sort().map((scheme) => {
    const outcomes = groupBy(jobs, 'outcome', (labels) => labels.scheme === scheme);
    let failed = 0;
    for (const [outcome, count] of outcomes) if (FAILED_OUTCOMES.has(outcome)) failed += count;
    // Buckets of every door, added up per upper bound.
    const buckets = new Map<number, number>();
    for (const { labels, value, metricName } of tts.values) {
      if (labels.scheme !== scheme || !metricName?.endsWith('_bucket')) continue;
      const upper = labels.le === '+Inf' ? Infinity : Number(labels.le);
      buckets.set(upper, (buckets.get(upper) ?? 0) + value);
    }
    const sorted = [...buckets].sort(([a], [b]) => a - b);
    const quantile = (q: number): number | null => {
      const value = bucketQuantile(q, sorted);
      return value === null ? null : Math.round(value * 1000) / 1000;
    };
    return {
      scheme,
      solved: outcomes.get('solved') ?? 0,
      cached: outcomes.get('cached') ?? 0,
      failed,
      cancelled: outcomes.get(CANCELLED) ?? 0,
      p50: quantile(0.5),
      p90: quantile(0.9),
      p99: quantile(0.99),
    };
  });
}
