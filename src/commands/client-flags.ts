/**
 * Flags the mining clients (`powerplant agent`, `powerplant miner`) share: a server address, a
 * positive count or duration, and stopping on SIGINT/SIGTERM or after a while.
 * @module
 */
import { InputError } from '../schemes/bits.js';

/** HOST:PORT, optionally as a URL with the given scheme (e.g. stratum+tcp://HOST:PORT). */
export function parseEndpoint(raw: string, protocol: string, label: string): { host: string; port: number } {
  const text = raw.includes('://') ? raw : `${protocol}//${raw}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`${label} must be HOST:PORT or ${protocol}//HOST:PORT`);
  }
  const port = Number(url.port);
  if (url.protocol !== protocol || url.hostname === '' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InputError(`${label} must be HOST:PORT or ${protocol}//HOST:PORT`);
  }
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
}

export function positiveNumber(raw: string, label: string, integer = false): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isSafeInteger(value))) {
    throw new InputError(`${label} must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

/** An AbortSignal that fires on SIGINT/SIGTERM or after `seconds`; dispose() removes the handlers. */
export function stopOnSignals(seconds?: number): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const timer = seconds === undefined ? undefined : setTimeout(stop, seconds * 1000);
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
