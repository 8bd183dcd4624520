/**
 * `powerplant worker`: lend this machine's engine to a cluster. Takes nonce ranges of the jobs
 * that servers offer in Redis until SIGINT/SIGTERM (or --duration), then hands back the range it
 * holds and prints a JSON summary of what it did. Exits 1 when the cluster stopped trusting it.
 * @module
 */
import { Command } from 'commander';
import { ClusterWorker } from '../cluster/worker.js';
import { DEFAULT_PREFIX } from '../stores/keys.js';
import { createLogger, LOG_LEVELS, type LogLevel } from '../log.js';
import { InputError } from '../schemes/bits.js';
import { addEngineOptions, openEngine, type EngineFlags } from './common.js';
import { positiveNumber, stopOnSignals } from './client-flags.js';
import { addSummaryOption, logSummaries } from './summary.js';
import { EXIT_INVALID, printJson } from './output.js';

interface WorkerFlags extends EngineFlags {
  readonly redis?: string;
  readonly id?: string;
  readonly prefix: string;
  readonly rangeSize: string;
  readonly duration?: string;
  readonly logLevel: string;
  readonly summaryEvery: string;
}

export function register(program: Command): void {
  program.addCommand(
    addSummaryOption(addEngineOptions(
      new Command('worker')
        .description('search nonce ranges of the jobs a cluster of servers offers in Redis')
        .option('--redis <url>', 'the cluster Redis (default: $REDIS_URL)')
        .option('--id <name>', 'this worker\'s name in the cluster (default: host name and a random suffix)')
        .option('--prefix <text>', 'prefix of the cluster\'s Redis keys (cluster.prefix)', DEFAULT_PREFIX)
        .option('--range-size <n>', 'nonces per claimed range', '16777216')
        .option('--duration <seconds>', 'stop after this many seconds')
        .option('--log-level <level>', LOG_LEVELS.join('|'), 'info'),
    )).action(async (flags: WorkerFlags) => {
      const redis = flags.redis ?? process.env.REDIS_URL;
      if (redis === undefined || redis === '') throw new InputError('--redis (or REDIS_URL) is required');
      if (!/^rediss?:\/\/\S+$/.test(redis)) throw new InputError('--redis must be a redis:// or rediss:// URL');
      if (!/^[1-9]\d{0,17}$/.test(flags.rangeSize)) throw new InputError('--range-size must be a positive integer below 10^18');
      if (!(LOG_LEVELS as readonly string[]).includes(flags.logLevel)) throw new InputError(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
      const duration = flags.duration === undefined ? undefined : positiveNumber(flags.duration, '--duration');
      const engine = await openEngine(flags);
      const stop = stopOnSignals(duration);
      const logger = createLogger(flags.logLevel as LogLevel);
      const worker = new ClusterWorker({
        redis,
        engine,
        id: flags.id,
        prefix: flags.prefix,
        rangeSize: BigInt(flags.rangeSize),
        logger,
        onEvent: (event) => {
          if (event.type === 'claim') logger.info({ job: event.job, start: event.lease.start.toString(), end: event.lease.end.toString() }, 'range claimed');
          else if (event.type === 'report') logger.info({ job: event.job, nonce: event.nonce.toString() }, 'nonce reported');
          else logger.info({ job: event.job }, 'job cancelled');
        },
      });
      stop.signal.addEventListener('abort', () => void worker.close(), { once: true });
      const summaries = logSummaries(logger, flags, engine, () => ({ worker: worker.id, ...worker.counters }));
      try {
        const end = await worker.start();
        printJson({ worker: worker.id, end, backend: engine.backend, threads: engine.threads, ...worker.counters });
        if (end === 'banned') {
          process.stderr.write('powerplant: the cluster ignores this worker: too many of its results were invalid\n');
          process.exitCode = EXIT_INVALID;
        }
      } finally {
        summaries.stop();
        stop.dispose();
        await engine.close();
      }
    }),
  );
}
