/**
 * bcoin (a full Bitcoin node in JavaScript, a devDependency) for the tests: its primitives as an
 * independent implementation to check ours against, and a regtest node in this process with a
 * memory database, no wallet, RPC on 127.0.0.1. A missing bcoin skips those tests with a message,
 * except under CI=true, where it fails them.
 * @module
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { TestContext } from 'node:test';

/* eslint-disable @typescript-eslint/no-explicit-any -- bcoin ships no types; these tests use a few of its classes. */
export type Bcoin = Record<string, any>;
/** One of bcoin's objects (a TX, a Block). */
export type BcoinObject = any;

const API_KEY = 'powerplant-test';

let loaded: Bcoin | null | undefined;

/** bcoin, or undefined (the test skipped with why) when it is not installed and CI is not set. */
export function bcoinOrSkip(t: TestContext): Bcoin | undefined {
  if (loaded === undefined) {
    try {
      loaded = createRequire(import.meta.url)('bcoin') as Bcoin;
    } catch {
      loaded = null;
    }
  }
  if (loaded !== null) return loaded;
  assert.notEqual(process.env.CI, 'true', 'bcoin (devDependency) is not installed: under CI=true its tests must run');
  t.skip('bcoin is not installed (npm install --include=dev)');
  return undefined;
}

export interface RegtestNode {
  /** RPC URL with credentials, as stratum.node_url takes it. */
  readonly url: string;
  readonly port: number;
  rpc(method: string, params?: unknown[]): Promise<any>;
  /** Stop the node, cutting its open RPC connections (a long poll would hold a plain close). */
  close(): Promise<void>;
}

/** Plain JSON-RPC with fetch (not the code under test). */
export async function rpcCall(url: string, method: string, params: unknown[] = []): Promise<any> {
  const parsed = new URL(url);
  const authorization = 'Basic ' + Buffer.from(`${parsed.username}:${parsed.password}`).toString('base64');
  const response = await fetch(`http://${parsed.host}/`, { method: 'POST', headers: { authorization }, body: JSON.stringify({ id: 1, method, params }) });
  const body = (await response.json()) as { result: unknown; error: { message: string } | null };
  if (body.error !== null) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** A regtest bcoin node in this process (port 0: a free one, or the given one to restart on). */
export async function startRegtestNode(bcoin: Bcoin, port = 0): Promise<RegtestNode> {
  const node = new bcoin.FullNode({
    network: 'regtest',
    memory: true,
    httpHost: '127.0.0.1',
    httpPort: port,
    apiKey: API_KEY,
    listen: false,
    noWallet: true,
    logLevel: 'none',
    workers: false,
  });
  await node.open();
  const bound = (node.http.http.address() as { port: number }).port;
  const url = `http://bcoin:${API_KEY}@127.0.0.1:${bound}/`;
  return {
    url,
    port: bound,
    rpc: (method, params = []) => rpcCall(url, method, params),
    close: async () => {
      const http = node.http.http as import('node:http').Server;
      const closing = node.close() as Promise<void>;
      http.closeAllConnections();
      await closing;
    },
  };
}
