/**
 * What the TCP clients (`powerplant miner`, `agent`, `gate-client`) share: opening a
 * connection that an AbortSignal can cancel, and the reconnect loop with exponential backoff.
 * @module
 */
import { connect, type Socket } from 'node:net';
import type { Logger } from '../log.js';
import { pause } from '../pause.js';

export function openTcp(host: string, port: number, signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, signal });
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.setNoDelay(true);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

export interface Backoff {
  /** First pause before reconnecting (default 1 s), doubled after each failure up to `maxBackoffMs` (30 s). */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface ReconnectOptions {
  /** The client's own stop; aborted here too when `signal` (the caller's) aborts. */
  readonly stop: AbortController;
  readonly signal?: AbortSignal;
  readonly backoff: Backoff;
  readonly log: Logger;
  /** Errors that end the loop instead of a retry. */
  readonly isFatal?: (error: unknown) => boolean;
}

/**
 * Run `connection` again and again until `stop` aborts. It resolves true when the connection got
 * going (the backoff starts over) and false or throws when it failed early (the backoff doubles).
 */
export async function reconnecting(connection: () => Promise<boolean>, options: ReconnectOptions): Promise<void> {
  const stop = options.stop.signal;
  const onAbort = (): void => options.stop.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await retry(connection, options, stop);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function retry(connection: () => Promise<boolean>, options: ReconnectOptions, stop: AbortSignal): Promise<void> {
  const initial = options.backoff.backoffMs ?? 1000;
  let backoff = initial;
  while (!stop.aborted) {
    let healthy: boolean;
    try {
      healthy = await connection();
    } catch (error) {
      if (options.isFatal?.(error) === true) throw error;
      options.log.warn({ err: error instanceof Error ? error.message : String(error) }, 'connection failed');
      healthy = false;
    }
    if (stop.aborted) return;
    backoff = healthy ? initial : Math.min(backoff * 2, options.backoff.maxBackoffMs ?? 30_000);
    options.log.info({ retryInMs: backoff }, 'reconnecting');
    await pause(backoff, stop);
  }
}
