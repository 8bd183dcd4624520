/**
 * Start a real server for door tests: ephemeral port on 127.0.0.1, other doors off, silent logs,
 * and (unless asked otherwise) the in-thread reference engine so results do not depend on which
 * kernels this machine built. Files the server keeps (the gate secret) go to a temporary state directory.
 * @module
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { TestContext } from 'node:test';
import { tmpdir } from 'node:os';
import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { StratumAgent } from '../../src/clients/stratum-agent.js';
import { loadConfig, type Config, type ConfigFlags } from '../../src/config.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import type { Engine } from '../../src/engine/engine.js';
import { startServer, type RunningServer } from '../../src/server.js';

const dir = mkdtempSync(join(tmpdir(), 'powerplant-server-'));
let files = 0;

/** A config from TOML text layered over the defaults, with every port safe for tests unless `flags` open one. */
export function testConfig(toml = '', env: Record<string, string> = {}, flags: ConfigFlags = {}): Config {
  const file = join(dir, `config-${++files}.toml`);
  writeFileSync(file, toml);
  return loadConfig({
    file,
    env,
    flags: { host: '127.0.0.1', port: 0, metanoiaPort: 0, stratumPort: 0, gatePort: 0, logLevel: 'silent', threads: 1, stateDir: dir, ...flags },
  });
}

export function startTestServer(toml = '', options: { env?: Record<string, string>; engine?: Engine } = {}): Promise<RunningServer> {
  return startServer(testConfig(toml, options.env), { engine: options.engine ?? createInlineEngine(referenceBackend) });
}

/**
 * A server on `engine` whose Stratum door takes easy shares on a built-in chain that finds a block
 * every few, and an agent `user` mining through it until the test ends.
 */
export async function startMiningServer(t: TestContext, engine: Engine, user: string, toml = ''): Promise<RunningServer> {
  const stratumPort = await freePort();
  const server = await startServer(testConfig(toml, {}, { stratumPort, shareDifficulty: '0.00000002', blockBits: '2000ffff' }), { engine });
  const stop = new AbortController();
  const agent = new StratumAgent({ host: '127.0.0.1', port: stratumPort, user, engine: createInlineEngine(referenceBackend, 256) });
  const mining = agent.run(stop.signal);
  t.after(async () => {
    stop.abort();
    await mining;
    await server.close();
  });
  return server;
}

export const httpUrl = (server: RunningServer, path = '/'): string =>
  `http://127.0.0.1:${server.addresses.http.port}${path}`;

export const wsUrl = (server: RunningServer): string => `ws://127.0.0.1:${server.addresses.http.port}/`;

/** Poll until a condition holds (at most `ms`). */
export async function until(condition: () => boolean, ms = 5000, label = 'condition'): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A port nobody listens on right now (for doors where port 0 means "off"). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * A keep-alive connection to an HTTP port that has had one GET of `path` answered 200; resolves to
 * null when the server closes it unanswered.
 */
export async function openHttpConnection(port: number, path = '/healthz', from = '127.0.0.1'): Promise<Socket | null> {
  const socket = connect({ port, host: '127.0.0.1', localAddress: from });
  socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  return new Promise((resolve) => {
    socket.once('data', (chunk) => resolve(chunk.toString().startsWith('HTTP/1.1 200') ? socket : null));
    socket.once('close', () => resolve(null));
    socket.once('error', () => resolve(null));
  });
}
