/**
 * `powerplant agent`: mine for a Stratum v1 coordinator (ours or any pool) with the engine.
 * Prints a JSON summary (shares accepted and rejected, hash rate) when it stops: on SIGINT or
 * SIGTERM, after --max-shares accepted shares, or after --duration seconds.
 * @module
 */
import { Command } from 'commander';
import { createLogger, LOG_LEVELS, type LogLevel } from '../log.js';
import { InputError } from '../schemes/bits.js';
import { StratumAgent } from '../clients/stratum-agent.js';
import { addEngineOptions, openEngine, type EngineFlags } from './common.js';
import { printJson } from './output.js';
import { parseEndpoint, positiveNumber, stopOnSignals } from './client-flags.js';
import { addSummaryOption, logSummaries } from './summary.js';

interface AgentFlags extends EngineFlags {
  readonly url: string;
  readonly user: string;
  readonly pass: string;
  readonly maxShares?: string;
  readonly duration?: string;
  readonly logLevel: string;
  readonly summaryEvery: string;
}

export function register(program: Command): void {
  program.addCommand(
    addSummaryOption(addEngineOptions(
      new Command('agent')
        .description('mine for a Stratum v1 coordinator or pool')
        .requiredOption('--url <url>', 'stratum+tcp://HOST:PORT')
        .requiredOption('--user <name>', 'worker name for mining.authorize')
        .option('--pass <password>', 'password for mining.authorize', 'x')
        .option('--max-shares <n>', 'stop after this many accepted shares')
        .option('--duration <seconds>', 'stop after this many seconds')
        .option('--log-level <level>', LOG_LEVELS.join('|'), 'info'),
    )).action(async (flags: AgentFlags) => {
      const { host, port } = parseEndpoint(flags.url, 'stratum+tcp:', '--url');
      const maxShares = flags.maxShares === undefined ? undefined : positiveNumber(flags.maxShares, '--max-shares', true);
      const duration = flags.duration === undefined ? undefined : positiveNumber(flags.duration, '--duration');
      if (!(LOG_LEVELS as readonly string[]).includes(flags.logLevel)) throw new InputError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
      const engine = await openEngine(flags);
      const stop = stopOnSignals(duration);
      const logger = createLogger(flags.logLevel as LogLevel);
      const agent = new StratumAgent({ host, port, user: flags.user, pass: flags.pass, engine, maxShares, logger });
      const summaries = logSummaries(logger, flags, engine, () => agent.summary());
      try {
        printJson(await agent.run(stop.signal));
      } finally {
        summaries.stop();
        stop.dispose();
        await engine.close();
      }
    }),
  );
}
