/**
 * `powerplant gate-client HOST:PORT`: get through a powtcp gate (src/clients/gate-client.ts) and
 * write what the gate (or the service behind it) sends after `4:` to stdout.
 * @module
 */
import { Command } from 'commander';
import { DEFAULT_MAX_BITS, GateDeniedError, passGate } from '../clients/gate-client.js';
import { InputError } from '../schemes/bits.js';
import { addEngineOptions, openEngine, progressLine, type EngineFlags } from './common.js';
import { EXIT_INVALID } from './output.js';

/** HOST:PORT or [v6]:PORT. */
function parseAddress(raw: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(raw);
  const port = Number(match?.[3]);
  if (match === null || port < 1 || port > 65535) throw new InputError(`address must be HOST:PORT, got '${raw}'`);
  return { host: match[1] ?? match[2]!, port };
}

export function register(program: Command): void {
  program.addCommand(
    addEngineOptions(
      new Command('gate-client')
        .description('get through a powtcp/hashcash gate: solve its puzzle and print the resource')
        .argument('<address>', 'HOST:PORT of the gate')
        .option('--max-bits <n>', `refuse puzzles harder than this (default ${DEFAULT_MAX_BITS})`),
    ).action(async (address: string, flags: EngineFlags & { maxBits?: string }) => {
      const { host, port } = parseAddress(address);
      const maxBits = flags.maxBits === undefined ? DEFAULT_MAX_BITS : Number(flags.maxBits);
      if (!Number.isInteger(maxBits) || maxBits < 0 || maxBits > 160) throw new InputError('--max-bits must be an integer in 0..160');
      const engine = await openEngine(flags);
      const progress = progressLine();
      try {
        await passGate({ host, port, engine, maxBits, onProgress: progress.update, output: (chunk) => process.stdout.write(chunk, 'latin1') });
      } catch (error) {
        if (!(error instanceof GateDeniedError)) throw error;
        process.stderr.write(`powerplant: ${error.message}\n`);
        process.exitCode = EXIT_INVALID;
      } finally {
        progress.done();
        await engine.close();
      }
    }),
  );
}
