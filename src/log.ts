/**
 * Structured logs: pino, JSON lines on stdout. Tests pass level 'silent'.
 * @module
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

let stdoutGone = false;
let watchingStdout = false;

/**
 * Write to standard output without ever failing or holding the process: once stdout breaks (its
 * reader is gone: EPIPE), what is written is dropped. A server must go on serving, and exit on
 * SIGTERM, whatever became of the terminal or pipe it was started with.
 */
export function writeStdout(text: string): void {
  if (!watchingStdout) {
    watchingStdout = true;
    process.stdout.on('error', () => {
      stdoutGone = true;
    });
  }
  if (!stdoutGone) process.stdout.write(text);
}

/**
 * JSON lines through {@link writeStdout}: pino's own stdout stream would retry a broken pipe, and
 * flush it on exit, blocking the process that should be exiting.
 */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ name: 'powerplant', level }, { write: writeStdout });
}

/** A logger that writes nothing, for library callers and tests that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
