/** Stratum door settings for tests: the config defaults with a fast built-in chain and no vardiff. */
import { createServer } from 'node:net';
import { loadConfig } from '../../src/config.js';
import type { StratumSettings } from '../../src/protocols/stratum.js';

export function stratumSettings(overrides: Partial<StratumSettings> = {}) {
  const stratum: StratumSettings = {
    ...loadConfig({ defaultsFile: null }).stratum,
    share_difficulty: 1e-9, // about one hash in four is a share
    block_bits: '207fffff', // about one hash in two is a block
    job_interval_ms: 60_000,
    max_line_bytes: 1024,
    max_connections: 10,
    vardiff_shares_per_min: 0,
    min_difficulty: 1e-12,
    ...overrides,
  };
  return { stratum, server: { host: '127.0.0.1' } };
}

/** A port free right now (for doors where port 0 means "off"). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
