/**
 * Structured logs: pino, JSON lines on stdout. Tests pass level 'silent'.
 * @module
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * A writer to `stream` that never fails or holds the process: once the stream breaks (its reader is
 * gone: EPIPE), what is written is dropped. A server must go on serving, and exit on SIGTERM,
 * whatever became of the terminal or pipe it was started with.
 */
function droppingWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let gone = false;
  let watching = false;
  return (text) => {
    if (!watching) {
      watching = true;
      stream.on('error', () => {
        gone = true;
      });
    }
    if (!gone) stream.write(text);
  };
}

/** Standard output, dropped once it breaks: JSON log lines and command output. */
export const writeStdout = droppingWriter(process.stdout);
/** Standard error, dropped once it breaks: the human lines next to JSON logs (serve's addresses). */
export const writeStderr = droppingWriter(process.stderr);

/**
 * JSON lines through {@link writeStdout}: pino's own stdout stream would retry a broken pipe, and
 * flush it on exit, blocking the process that should be exiting.
 */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ name: 'powerplant', level }, { write: writeStdout });
}

/** A logger that writes nothing, for library callers and tests that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
