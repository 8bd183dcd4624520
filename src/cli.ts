#!/usr/bin/env node
/**
 * The `powerplant` command line. Each command lives in src/commands/<name>.ts and registers itself
 * on the program; this file only lists them and maps failures to exit codes.
 * @module
 */
import { Command, CommanderError } from 'commander';
import { COMMANDS } from './commands/index.js';
import { exitWith } from './commands/output.js';
import { packageVersion } from './paths.js';

const program = new Command('powerplant')
  .description('Proof of work for Nostr, Nano/Banano, Bitmessage, Bitcoin/Stratum and hashcash gates')
  .version(packageVersion());

for (const register of COMMANDS) register(program);

/** Commands added with addCommand do not inherit settings: make every one throw instead of exiting. */
const throwInsteadOfExit = (command: Command): void => {
  command.exitOverride().showHelpAfterError();
  command.commands.forEach(throwInsteadOfExit);
};
throwInsteadOfExit(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version exit through here with code 0; usage mistakes are bad input (2).
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  exitWith(error);
}
