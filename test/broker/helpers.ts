/**
 * Test doubles for the broker: a source the test drives by hand, and Nano work found by brute
 * force with the scheme's own (independent) value function.
 * @module
 */
import { createBroker, type BrokerOptions } from '../../src/broker/broker.js';
import type { Broker, Source, SourceJob } from '../../src/broker/types.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import type { SchemeName } from '../../src/schemes/scheme.js';
import { workValue, type NanoJob } from '../../src/schemes/nano.js';

/** A source that records every job it is offered and lets the test report for it. */
export class ManualSource implements Source {
  readonly jobs: SourceJob[] = [];

  constructor(
    readonly name = 'manual',
    private readonly schemes: readonly SchemeName[] = ['nano', 'nostr'],
  ) {}

  accepts(scheme: SchemeName): boolean {
    return this.schemes.includes(scheme);
  }

  run(job: SourceJob): void {
    this.jobs.push(job);
  }

  get last(): SourceJob {
    const job = this.jobs.at(-1);
    if (job === undefined) throw new Error('no job was offered');
    return job;
  }
}

export function root(fill: number): Uint8Array {
  return new Uint8Array(32).fill(fill);
}

/** The first nonce whose work value reaches `threshold`, and that value. */
export function findWork(rootBytes: Uint8Array, threshold: bigint, from = 0n): { nonce: bigint; value: bigint } {
  for (let nonce = from; ; nonce++) {
    const value = workValue(rootBytes, nonce);
    if (value >= threshold) return { nonce, value };
  }
}

/** A nonce whose work value is below `threshold` (an invalid answer). */
export function findBadWork(rootBytes: Uint8Array, threshold: bigint): bigint {
  for (let nonce = 0n; ; nonce++) if (workValue(rootBytes, nonce) < threshold) return nonce;
}

export const EASY = 0xff00000000000000n;

export function nanoJob(fill: number, threshold = EASY): NanoJob {
  return { root: root(fill), threshold };
}

export function brokerWith(
  overrides: Partial<BrokerOptions> = {},
  ...sources: Source[]
): { broker: Broker; metrics: Metrics } {
  const metrics = createMetrics();
  const broker = createBroker({ queueLimit: 10, maxActiveJobs: 4, cacheSize: 100, jobTimeoutMs: 10_000, metrics, ...overrides });
  for (const source of sources) broker.addSource(source);
  return { broker, metrics };
}

/** The value of one labelled series of a counter or gauge. */
export async function metricValue(
  metric: { get(): Promise<{ values: { labels: Partial<Record<string, string | number>>; value: number }[] }> },
  labels: Record<string, string> = {},
): Promise<number> {
  const { values } = await metric.get();
  const match = values.find((entry) => Object.entries(labels).every(([key, value]) => entry.labels[key] === value));
  return match?.value ?? 0;
}
