/**
 * `powerplant miner`: mine Bitmessage jobs for a Metanoia server with the engine. Prints a JSON
 * summary (results pushed and accepted) when it stops: on SIGINT or SIGTERM, after the first
 * accepted result with --once, or after --duration seconds.
 * @module
 */
import { Command } from 'commander';
import { createLogger, LOG_LEVELS, type LogLevel } from '../log.js';
import { InputError } from '../schemes/bits.js';
import { MetanoiaMiner } from '../clients/metanoia-miner.js';
import { addEngineOptions, openEngine, type EngineFlags } from './common.js';
import { printJson } from './output.js';
import { parseEndpoint, positiveNumber, stopOnSignals } from './client-flags.js';
import { addSummaryOption, logSummaries } from './summary.js';

interface MinerFlags extends EngineFlags {
  readonly metanoia: string;
  readonly once?: boolean;
  readonly duration?: string;
  readonly logLevel: string;
  readonly summaryEvery: string;
}

export function register(program: Command): void {
  program.addCommand(
    addSummaryOption(addEngineOptions(
      new Command('miner')
        .description('mine Bitmessage jobs for a Metanoia server')
        .requiredOption('--metanoia <host:port>', 'the Metanoia server')
        .option('--once', 'stop after the first accepted result')
        .option('--duration <seconds>', 'stop after this many seconds')
        .option('--log-level <level>', LOG_LEVELS.join('|'), 'info'),
    )).action(async (flags: MinerFlags) => {
      const { host, port } = parseEndpoint(flags.metanoia, 'metanoia:', '--metanoia');
      const duration = flags.duration === undefined ? undefined : positiveNumber(flags.duration, '--duration');
      if (!(LOG_LEVELS as readonly string[]).includes(flags.logLevel)) throw new InputError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
      const engine = await openEngine(flags);
      const stop = stopOnSignals(duration);
      const logger = createLogger(flags.logLevel as LogLevel);
      const miner = new MetanoiaMiner({ host, port, engine, once: flags.once, logger });
      const summaries = logSummaries(logger, flags, engine, () => miner.summary());
      try {
        printJson(await miner.run(stop.signal));
      } finally {
        summaries.stop();
        stop.dispose();
        await engine.close();
      }
    }),
  );
}
