import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { parseJson } from '../../src/net/json.js';
import { MetanoiaMiner } from '../../src/clients/metanoia-miner.js';
import { startServer } from '../../src/server.js';
import { StratumAgent } from '../../src/clients/stratum-agent.js';
import { bitmessage } from '../../src/schemes/bitmessage.js';
import { freePort } from '../helpers/server.js';

test('both doors run inside the server on the configured ports', async () => {
  const [metanoiaPort, stratumPort] = [await freePort(), await freePort()];
  const config = loadConfig({
    flags: { host: '127.0.0.1', port: 0, metanoiaPort, stratumPort, gatePort: 0, shareDifficulty: '0.000000001', blockBits: '207fffff', logLevel: 'silent', threads: 1, stateDir: mkdtempSync(join(tmpdir(), 'powerplant-doors-')) },
  });
  const engine = createInlineEngine(referenceBackend, 64);
  const server = await startServer(config, { engine });
  try {
    assert.equal(server.addresses.metanoia?.port, metanoiaPort);
    assert.equal(server.addresses.stratum?.port, stratumPort);
    const stop = new AbortController();
    const agent = new StratumAgent({ host: '127.0.0.1', port: stratumPort, user: 'gil', engine, maxShares: 3 });
    assert.ok((await agent.run(stop.signal)).accepted >= 3);
    // A do_pow, solved by the local engine or a miner, whichever is first; verified either way.
    const miner = new MetanoiaMiner({ host: '127.0.0.1', port: metanoiaPort, engine });
    const mining = miner.run(stop.signal);
    const initialHash = Buffer.alloc(64, 9);
    const target = (1n << 64n) / 500n;
    const client = connect({ host: '127.0.0.1', port: metanoiaPort });
    client.write(`{"method":"do_pow","target":${target},"initialHash":"${initialHash.toString('base64')}"}`);
    const [line] = (await once(client, 'data')) as [Buffer];
    const answer = parseJson(line.toString().trim()) as { status: bigint; nonce: bigint; trialValue: bigint };
    assert.equal(answer.status, 200n);
    assert.equal(bitmessage.verify({ initialHash, target }, answer).valid, true);
    client.destroy();
    stop.abort();
    await mining;
  } finally {
    await server.close();
  }
});
