/**
 * A door that cannot bind its port is a configuration problem, not a crash: say which door, which
 * address and why, and how to choose another port (flag, config key, environment variable).
 * @module
 */
import { ConfigError } from './config.js';
import { envName } from './config-env.js';

export interface DoorPort {
  /** The door as `serve` prints it: http, metanoia, stratum, gate. */
  readonly door: string;
  readonly host: string;
  readonly port: number;
  readonly flag: string;
  /** The config key, as section.key or section.table.key. */
  readonly key: string;
  /** What port 0 does for this door (default: disables it). */
  readonly zero?: string;
}

const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is in use (by another powerplant serve, or another program)',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'this machine has no such address (--host, server.host)',
};

/** Run a door's listen(); a bind failure becomes a ConfigError that names the door and its settings. */
export async function listenOrExplain<T>(where: DoorPort, listen: () => Promise<T>): Promise<T> {
  try {
    return await listen();
  } catch (error) {
    const reason = REASONS[(error as NodeJS.ErrnoException).code ?? ''];
    if (reason === undefined) throw error;
    const [section = '', ...key] = where.key.split('.');
    throw new ConfigError(
      `the ${where.door} door cannot listen on ${where.host}:${where.port}: ${reason}; ` +
        `choose another port with ${where.flag}, ${where.key} or ${envName(section, key.join('_'))} (${where.zero ?? '0 disables the door'})`,
    );
  }
}
