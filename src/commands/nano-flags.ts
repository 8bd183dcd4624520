/**
 * The threshold flags `solve nano` and `verify nano` share: --difficulty, --multiplier or
 * --receive (at most one), Nano's send threshold when none is given.
 * @module
 */
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { InputError } from '../schemes/bits.js';
import { NANO_RECEIVE, NANO_SEND, TWO_64, multiplierOf, parseDifficulty, thresholdFromMultiplier } from '../schemes/nano.js';

export interface NanoThresholdFlags {
  readonly difficulty?: string;
  readonly multiplier?: string;
  readonly receive?: boolean;
}

export function addNanoThresholdOptions(command: Command): Command {
  return command
    .option('--difficulty <hex16>', 'threshold (default fffffff800000000, Nano send)')
    .option('--multiplier <x>', 'threshold as a multiplier of the send threshold')
    .option('--receive', 'Nano receive/open threshold (fffffe0000000000)');
}

export function nanoThreshold(flags: NanoThresholdFlags): bigint {
  const given = [flags.difficulty, flags.multiplier, flags.receive].filter((flag) => flag !== undefined).length;
  if (given > 1) throw new InputError('give at most one of --difficulty, --multiplier and --receive');
  if (flags.difficulty !== undefined) return parseDifficulty(flags.difficulty, '--difficulty');
  if (flags.multiplier !== undefined) return thresholdFromMultiplier(flags.multiplier);
  return flags.receive ? NANO_RECEIVE : NANO_SEND;
}

/**
 * A warning for thresholds harder than a server accepts (nano.max_multiplier), with the average
 * number of attempts, so a long search does not look like a hang; undefined for ordinary ones.
 */
export function hardThresholdWarning(threshold: bigint): string | undefined {
  const serverCap = loadConfig({ defaultsFile: null }).nano.max_multiplier;
  const multiplier = multiplierOf(threshold);
  if (multiplier <= serverCap) return undefined;
  const attempts = Number(TWO_64) / Number(TWO_64 - threshold);
  return (
    `multiplier ${multiplier.toPrecision(4)} needs about ${attempts.toExponential(1)} attempts on average ` +
    `(Powerplant servers refuse above ${serverCap}, nano.max_multiplier); Ctrl-C stops`
  );
}
