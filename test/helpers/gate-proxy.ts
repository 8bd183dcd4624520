/**
 * Test helper: a real upstream website (test/gate/upstream.ts) behind the gate's reverse proxy, as
 * `powerplant serve --gate-upstream URL --gate-http-port 0` starts it (other doors off).
 * @module
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { startUpstream, type Upstream } from '../gate/upstream.js';

export const GATE_TEST_SECRET = 'a test secret of enough length';
export const GATE_TEST_BITS = 8;
const dir = mkdtempSync(join(tmpdir(), 'gate-proxy-'));
let files = 0;

export interface GateInFront {
  readonly upstream: Upstream;
  readonly server: RunningServer;
  /** The proxy's origin. */
  readonly proxy: string;
  /** The main HTTP port's origin (forward-auth). */
  readonly api: string;
}

/** A real upstream behind the proxy, with `toml` layered over the test config; `upstreamUrl` replaces the upstream's address. */
export async function gateInFront(t: TestContext, toml = '', upstreamUrl?: string): Promise<GateInFront> {
  const upstream = await startUpstream();
  const file = join(dir, `config-${++files}.toml`);
  const bits = GATE_TEST_BITS;
  writeFileSync(file, `[gate]\nsecret = "${GATE_TEST_SECRET}"\npurpose = "proxy-test"\nbits_min = ${bits}\nbits_max = ${bits}\n${toml}`);
  const config = loadConfig({
    file,
    flags: { host: '127.0.0.1', port: 0, metanoiaPort: 0, stratumPort: 0, gatePort: 0, logLevel: 'silent', threads: 1, gateUpstream: upstreamUrl ?? upstream.url, gateHttpPort: 0 },
  });
  const server = await startServer(config, { engine: createInlineEngine(referenceBackend) });
  t.after(async () => {
    await server.close();
    await upstream.close();
  });
  const proxy = `http://127.0.0.1:${server.addresses['gate-proxy']!.port}`;
  return { upstream, server, proxy, api: `http://127.0.0.1:${server.addresses.http.port}` };
}
