/**
 * How commands print: results to stdout, errors to stderr without stack traces for user mistakes,
 * and the exit codes every command shares (0 ok, 1 invalid proof, 2 bad input, 3 internal error,
 * 130 interrupted by Ctrl-C, as shells report SIGINT).
 * @module
 */
import { InputError } from '../schemes/bits.js';

export const EXIT_OK = 0;
export const EXIT_INVALID = 1;
export const EXIT_BAD_INPUT = 2;
export const EXIT_FAILURE = 3;
export const EXIT_INTERRUPTED = 130;

/** The user pressed Ctrl-C: not bad input, not a failure. */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor() {
    super('interrupted');
  }
}

/** Print an error the way a user should see it, then exit with its code. */
export function exitWith(error: unknown): never {
  if (error instanceof InterruptedError) {
    process.stderr.write('powerplant: interrupted\n');
    process.exit(EXIT_INTERRUPTED);
  }
  if (error instanceof InputError) {
    process.stderr.write(`powerplant: ${error.message}\n`);
    process.exit(EXIT_BAD_INPUT);
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`powerplant: internal error: ${message}\n`);
  process.exit(EXIT_FAILURE);
}

/** Write a JSON value (BigInt as decimal string) on one line. */
export function printJson(value: unknown): void {
  process.stdout.write(
    JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) + '\n',
  );
}
