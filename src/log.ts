/**
 * Structured logs: pino, JSON lines on stdout. Tests pass level 'silent'.
 * @module
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ name: 'powerplant', level });
}

/** A logger that writes nothing, for library callers and tests that pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
