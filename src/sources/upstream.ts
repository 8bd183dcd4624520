/**
 * Nano upstream work servers as a source: every upstream is asked at once (node RPC
 * work_generate), beside the local engine. An answer counts only when the broker verifies it for
 * the difficulty the client asked for; invalid work is logged and counted, never trusted. When the
 * job ends (won here or elsewhere) the upstreams still working get work_cancel. A round in which
 * every upstream failed is retried after a pause that doubles, up to maxAttempts rounds.
 * @module
 */
import type { Logger } from 'pino';
import type { Source, SourceJob } from '../broker/types.js';
import { silentLogger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { pause } from '../pause.js';
import { toHex } from '../schemes/bits.js';
import { hex16, parseWork, type NanoJob } from '../schemes/nano.js';

/** The longest pause between rounds, as a Nano node backs off its work peers. */
const MAX_BACKOFF_MS = 300_000;
const CANCEL_TIMEOUT_MS = 2000;
/** Longest upstream answer read: work is about 200 bytes, and a public node must not fill our memory. */
const MAX_ANSWER_BYTES = 1 << 16;

export interface UpstreamOptions {
  /** Work servers or nodes answering the node RPC work_generate / work_cancel. */
  readonly urls: readonly string[];
  /** Rounds of asking every upstream before this source gives up on a job. */
  readonly maxAttempts: number;
  /** One request's limit, in milliseconds. */
  readonly timeoutMs: number;
  /** Pause after the first failed round; doubles after each one. */
  readonly backoffMs: number;
  readonly metrics?: Metrics;
  readonly logger?: Logger;
}

type Outcome = { readonly work: bigint } | { readonly failure: 'error' | 'timeout' | 'aborted'; readonly detail: string };

const isNanoJob = (input: unknown): input is NanoJob =>
  typeof input === 'object' && input !== null && (input as { root?: unknown }).root instanceof Uint8Array;

async function post(url: string, body: unknown, signal: AbortSignal): Promise<unknown> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`HTTP ${response.status}`);
  }
  const chunks: Uint8Array[] = [];
  let length = 0;
  // Leaving the loop early cancels the rest of the body.
  for await (const chunk of response.body ?? []) {
    length += chunk.byteLength;
    if (length > MAX_ANSWER_BYTES) throw new Error(`answer over ${MAX_ANSWER_BYTES} bytes`);
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

export function createUpstreamSource(options: UpstreamOptions): Source {
  const { metrics } = options;
  const log = (options.logger ?? silentLogger).child({ component: 'upstream' });

  function cancel(url: string, hash: string): void {
    post(url, { action: 'work_cancel', hash }, AbortSignal.timeout(CANCEL_TIMEOUT_MS)).catch((error: unknown) =>
      log.debug({ upstream: url, err: error }, 'work_cancel failed'),
    );
  }

  async function ask(url: string, job: SourceJob, hash: string, difficulty: string): Promise<Outcome> {
    const timeout = AbortSignal.timeout(options.timeoutMs);
    try {
      const answer = await post(url, { action: 'work_generate', hash, difficulty }, AbortSignal.any([job.signal, timeout]));
      if (typeof answer !== 'object' || answer === null) return { failure: 'error', detail: 'answer is not a JSON object' };
      const { work, error } = answer as { work?: unknown; error?: unknown };
      if (typeof error === 'string') return { failure: 'error', detail: error };
      if (typeof work !== 'string') return { failure: 'error', detail: 'answer has no work' };
      return { work: parseWork(work) };
    } catch (error) {
      // The upstream may still be working: tell it to stop.
      cancel(url, hash);
      if (job.signal.aborted) return { failure: 'aborted', detail: 'job over' };
      if (timeout.aborted) return { failure: 'timeout', detail: `no answer within ${options.timeoutMs} ms` };
      return { failure: 'error', detail: error instanceof Error ? error.message : String(error) };
    }
  }

  /** One round: ask every upstream at once; true when one of them won the job. */
  async function round(job: SourceJob, hash: string, difficulty: string): Promise<boolean> {
    let won = false;
    await Promise.all(
      options.urls.map(async (url) => {
        const outcome = await ask(url, job, hash, difficulty);
        if ('failure' in outcome) {
          if (outcome.failure === 'aborted') return;
          metrics?.upstreamFailures.inc({ upstream: url, reason: outcome.failure });
          log.warn({ job: job.id, upstream: url, reason: outcome.detail }, 'upstream failed');
          return;
        }
        if (job.signal.aborted) return;
        if (job.reportSolution({ work: outcome.work }, `upstream:${url}`)) {
          won = true;
          metrics?.upstreamWins.inc({ upstream: url });
          return;
        }
        metrics?.upstreamFailures.inc({ upstream: url, reason: 'invalid' });
        log.warn({ job: job.id, upstream: url, work: hex16(outcome.work), difficulty }, 'upstream returned invalid work');
      }),
    );
    return won;
  }

  async function race(job: SourceJob): Promise<void> {
    if (!isNanoJob(job.input)) return;
    const hash = toHex(job.input.root).toUpperCase();
    const difficulty = hex16(job.input.threshold);
    let backoff = options.backoffMs;
    for (let attempt = 1; attempt <= options.maxAttempts && !job.signal.aborted; attempt++) {
      if (await round(job, hash, difficulty)) return;
      if (attempt < options.maxAttempts) {
        await pause(backoff, job.signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  return {
    name: 'upstream',
    accepts: (scheme) => scheme === 'nano' && options.urls.length > 0,
    run(job) {
      race(job).catch((error: unknown) => log.error({ job: job.id, err: error }, 'upstream race failed'));
    },
  };
}
