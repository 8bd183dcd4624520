/**
 * The periodic summary line the mining clients (`miner`, `agent`, `worker`) log at info, so an
 * operator tailing their logs sees that they work between jobs and shares.
 * @module
 */
import type { Command } from 'commander';
import type { Engine } from '../engine/engine.js';
import type { Logger } from '../log.js';
import { positiveNumber } from './client-flags.js';

export const DEFAULT_SUMMARY_SECONDS = 30;

export function addSummaryOption(command: Command): Command {
  return command.option('--summary-every <seconds>', 'log a summary line this often', String(DEFAULT_SUMMARY_SECONDS));
}

/** Log `summary()` with the engine's hash rate every `--summary-every` seconds until stop(). */
export function logSummaries(logger: Logger, flags: { readonly summaryEvery: string }, engine: Engine, summary: () => object): { stop(): void } {
  const seconds = positiveNumber(flags.summaryEvery, '--summary-every');
  const timer = setInterval(() => {
    const stats = engine.stats?.();
    logger.info({ ...summary(), ...(stats === undefined ? {} : { rate: Math.round(stats.rate), totalAttempts: stats.totalAttempts }) }, 'summary');
  }, seconds * 1000);
  return { stop: () => clearInterval(timer) };
}
