/**
 * The Stratum door on a real Bitcoin node: bcoin on regtest in this process (memory database, no
 * wallet, RPC on 127.0.0.1). Blocks are checked on the node's side with bcoin's own parser.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { parseJson, stringifyJson, type JsonValue } from '../../src/net/json.js';
import { startStratum, type StratumDoor } from '../../src/protocols/stratum.js';
import { startServer } from '../../src/server.js';
import { StratumAgent } from '../../src/clients/stratum-agent.js';
import { heightScript } from '../../src/stratum/coinbase.js';
import { parseNotify } from '../../src/stratum/job.js';
import { bcoinOrSkip, startRegtestNode, type Bcoin, type BcoinObject, type RegtestNode } from '../helpers/bcoin.js';
import { CLI } from '../helpers/cli.js';
import { freePort, until } from '../helpers/server.js';
import { stratumSettings } from '../helpers/stratum.js';

/** Core's regtest form (bcoin would write rb1…); the node only sees the script. */
const PAYOUT = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';
const PAYOUT_SCRIPT = '0014751e76e8199196d454941c45d1b3a323f1433bd6';

/** Every block above `from` up to the tip: its coinbase pays `script` and starts with Core's height encoding. */
async function checkBlocks(bcoin: Bcoin, node: RegtestNode, from: number, script: string): Promise<number> {
  const count = (await node.rpc('getblockcount')) as number;
  for (let height = from + 1; height <= count; height++) {
    const hash = (await node.rpc('getblockhash', [height])) as string;
    const block: BcoinObject = bcoin.Block.fromRaw(Buffer.from((await node.rpc('getblock', [hash, false])) as string, 'hex'));
    const coinbase: BcoinObject = block.txs[0];
    const prefix = heightScript(height);
    assert.deepEqual(Buffer.from(coinbase.inputs[0].script.toRaw()).subarray(0, prefix.length), prefix, `height ${height}`);
    assert.equal(Buffer.from(coinbase.outputs[0].script.toRaw()).toString('hex'), script, `payout of block ${height}`);
    assert.equal(coinbase.outputs[0].value, 5_000_000_000);
  }
  return count;
}

function nodeSettings(node: RegtestNode, overrides: Parameters<typeof stratumSettings>[0] = {}) {
  return stratumSettings({ node_url: node.url, payout_address: PAYOUT, node_poll_ms: 50, node_timeout_ms: 2000, ...overrides });
}

test('agents mining through a node-fed door: the node takes every block, its height rises by them, each coinbase pays the address at its height', async (t) => {
  const bcoin = bcoinOrSkip(t);
  if (bcoin === undefined) return;
  const node = await startRegtestNode(bcoin);
  const door = await startStratum({ config: nodeSettings(node) });
  try {
    const engine = createInlineEngine(referenceBackend, 64);
    const stop = new AbortController();
    const agents = ['alice', 'bob'].map((user) => new StratumAgent({ host: '127.0.0.1', port: door.address.port, user, engine, backoffMs: 50 }));
    const mining = agents.map((agent) => agent.run(stop.signal));
    await until(() => door.coordinator.status().blocks.accepted >= 6, 30_000, 'six blocks');
    stop.abort();
    await Promise.all(mining);
    await until(() => {
      const { blocks } = door.coordinator.status();
      return blocks.submitted === blocks.accepted + blocks.rejected;
    }, 10_000, 'every verdict');
    const { blocks } = door.coordinator.status();
    assert.equal(blocks.rejected, 0);
    const count = await checkBlocks(bcoin, node, 0, PAYOUT_SCRIPT);
    assert.equal(count, blocks.accepted, 'the node height rose by the blocks accepted');
    assert.equal(door.coordinator.status().height, count + 1);
  } finally {
    await door.close();
    await node.close();
  }
});

test('on a node with segwit active, blocks carry the template\'s transactions, the witness commitment and the reserved value', async (t) => {
  const bcoin = bcoinOrSkip(t);
  if (bcoin === undefined) return;
  const node = await startRegtestNode(bcoin);
  let door: StratumDoor | undefined;
  try {
    // bcoin's regtest activates segwit by BIP9 signalling within 432 blocks; 450 also mature the first coinbase.
    const key: BcoinObject = bcoin.KeyRing.generate();
    const legacy: BcoinObject = bcoin.KeyRing.fromPrivate(key.privateKey, false);
    const witness: BcoinObject = bcoin.KeyRing.fromPrivate(key.privateKey);
    witness.witness = true;
    await node.rpc('generatetoaddress', [450, legacy.getAddress().toString('regtest')]);
    const first: BcoinObject = bcoin.Block.fromRaw(Buffer.from((await node.rpc('getblock', [await node.rpc('getblockhash', [1]), false])) as string, 'hex'));
    const coin: BcoinObject = bcoin.Coin.fromTX(first.txs[0], 0, 1);
    // A legacy spend to a P2WPKH output, then a segwit spend of it: the second has a witness (wtxid ≠ txid).
    const toWitness: BcoinObject = new bcoin.MTX();
    toWitness.addCoin(coin);
    toWitness.addOutput(witness.getAddress(), coin.value - 10_000);
    toWitness.sign(legacy);
    const parent: BcoinObject = toWitness.toTX();
    const spendWitness: BcoinObject = new bcoin.MTX();
    spendWitness.addCoin(bcoin.Coin.fromTX(parent, 0, -1));
    spendWitness.addOutput(witness.getAddress(), coin.value - 30_000);
    spendWitness.sign(witness);
    const child: BcoinObject = spendWitness.toTX();
    for (const tx of [parent, child]) await node.rpc('sendrawtransaction', [tx.toRaw().toString('hex')]);
    const template = (await node.rpc('getblocktemplate', [{ rules: ['segwit'] }])) as { rules: string[]; transactions: unknown[] };
    assert.ok(template.rules.includes('!segwit'), 'segwit is active');
    assert.equal(template.transactions.length, 2);

    const started = await startStratum({ config: nodeSettings(node) });
    const engine = createInlineEngine(referenceBackend, 64);
    const stop = new AbortController();
    door = started;
    const agent = new StratumAgent({ host: '127.0.0.1', port: started.address.port, user: 'hal', engine, backoffMs: 50 });
    const mining = agent.run(stop.signal);
    await until(() => started.coordinator.status().blocks.accepted >= 1, 30_000, 'a block');
    stop.abort();
    await mining;
    const block: BcoinObject = bcoin.Block.fromRaw(Buffer.from((await node.rpc('getblock', [await node.rpc('getblockhash', [451]), false])) as string, 'hex'));
    assert.deepEqual(
      block.txs.slice(1).map((tx: BcoinObject) => tx.txid()),
      [parent.txid(), child.txid()],
    );
    assert.ok(block.txs[2].hasWitness());
    assert.deepEqual(Buffer.from(block.getCommitmentHash()), Buffer.from(block.createCommitmentHash()));
    assert.deepEqual(Buffer.from(block.getWitnessNonce()), Buffer.alloc(32));
    assert.equal(Buffer.from(block.txs[0].outputs[0].script.toRaw()).toString('hex'), PAYOUT_SCRIPT);
    assert.equal(started.coordinator.status().blocks.rejected, 0);
  } finally {
    await door?.close();
    await node.close();
  }
});

test('a new tip from elsewhere reaches miners at once through the long poll, with clean_jobs', async (t) => {
  const bcoin = bcoinOrSkip(t);
  if (bcoin === undefined) return;
  const node = await startRegtestNode(bcoin);
  // No short poll within the test's time: only the long poll can tell.
  const door = await startStratum({ config: nodeSettings(node, { node_poll_ms: 600_000 }) });
  const socket = connect({ host: '127.0.0.1', port: door.address.port });
  try {
    const jobs: ReturnType<typeof parseNotify>[] = [];
    let buffered = '';
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const message = parseJson(line) as { [key: string]: JsonValue };
        if (message.method === 'mining.notify') jobs.push(parseNotify(message.params));
      }
    });
    socket.write(stringifyJson({ id: 1n, method: 'mining.subscribe', params: [] }) + '\n' + stringifyJson({ id: 2n, method: 'mining.authorize', params: ['w', 'x'] }) + '\n');
    await until(() => jobs.length === 1, 5000, 'the first job');
    const elsewhere = bcoin.Address.fromPubkeyhash(Buffer.alloc(20, 7)).toString('regtest') as string;
    const started = performance.now();
    await node.rpc('generatetoaddress', [1, elsewhere]);
    await until(() => jobs.some((job) => job.cleanJobs && job.prevhash !== jobs[0].prevhash), 5000, 'a clean job on the new tip');
    assert.ok(performance.now() - started < 5000);
    assert.equal(door.coordinator.status().height, 2);
  } finally {
    socket.destroy();
    await door.close();
    await node.close();
  }
});

test('the node going away stops the jobs and degrades /healthz; miners stay and mine again when it is back', async (t) => {
  const bcoin = bcoinOrSkip(t);
  if (bcoin === undefined) return;
  let node = await startRegtestNode(bcoin);
  const config = loadConfig({
    defaultsFile: null,
    flags: { host: '127.0.0.1', port: 0, metanoiaPort: 0, gatePort: 0, stratumPort: await freePort(), logLevel: 'silent', threads: 1, nodeUrl: node.url, payoutAddress: PAYOUT },
  });
  const server = await startServer({ ...config, stratum: { ...config.stratum, node_poll_ms: 50, node_timeout_ms: 1000, min_difficulty: 1e-12, share_difficulty: 1e-9 } }, {
    engine: createInlineEngine(referenceBackend),
  });
  const http = `http://127.0.0.1:${server.addresses.http.port}`;
  const health = async () => (await (await fetch(`${http}/healthz`)).json()) as { status: string; stratum: { kind: string; up: boolean } };
  const workers = async () => (await (await fetch(`${http}/stratum/workers`)).json()) as { work: { blocks: { accepted: number } }; workers: { accepted: number; workers: string[] }[] };
  const engine = createInlineEngine(referenceBackend, 64);
  const agent = new StratumAgent({ host: '127.0.0.1', port: server.addresses.stratum.port, user: 'carol', engine, backoffMs: 50 });
  const stop = new AbortController();
  const mining = agent.run(stop.signal);
  try {
    assert.deepEqual((await health()).status, 'ok');
    for (let i = 0; i < 400 && (await workers()).work.blocks.accepted < 2; i++) await new Promise((resolve) => setTimeout(resolve, 25));
    assert.ok((await workers()).work.blocks.accepted >= 2, 'blocks before the node goes away');
    const port = node.port;
    await node.close();
    let body = await health();
    for (let i = 0; i < 100 && body.status !== 'degraded'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      body = await health();
    }
    assert.equal(body.status, 'degraded');
    assert.deepEqual(body.stratum.up, false);
    assert.equal((await workers()).workers.length, 1, 'the miner stays connected');

    node = await startRegtestNode(bcoin, port);
    let height = 0;
    for (let i = 0; i < 400 && height < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      height = (await node.rpc('getblockcount')) as number;
    }
    assert.ok(height >= 2, `the restarted node got blocks (${height})`);
    assert.equal((await health()).status, 'ok');
    await checkBlocks(bcoin, node, 0, PAYOUT_SCRIPT);
    assert.equal(agent.summary().connections, 1, 'one connection throughout');
  } finally {
    stop.abort();
    await mining;
    await server.close();
    await node.close();
  }
});

test('a payout address that does not parse or is not of the node\'s chain stops the start with a clear error', async (t) => {
  const bcoin = bcoinOrSkip(t);
  if (bcoin === undefined) return;
  const node = await startRegtestNode(bcoin);
  try {
    await assert.rejects(startStratum({ config: nodeSettings(node, { payout_address: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4' }) }), {
      message: "stratum.payout_address bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 is not an address of the node's chain (regtest)",
    });
    await assert.rejects(startStratum({ config: nodeSettings(node, { payout_address: 'bcrt1qnotanaddress' }) }), /payout address: /);
    await assert.rejects(startStratum({ config: nodeSettings(node, { payout_address: '' }) }), /stratum.payout_address is required/);
    await assert.rejects(startStratum({ config: nodeSettings(node, { node_url: node.url.replace(/:[^:@]+@/, ':wrong@') }) }), /refused the credentials/);
    const unreachable = node.url.replace(/:\d+\/$/, `:${await freePort()}/`);
    await assert.rejects(startStratum({ config: nodeSettings(node, { node_url: unreachable }) }), /^InputError: stratum.node_url: cannot use the node at http:\/\/127.0.0.1:\d+\/: getblockchaininfo: .*ECONNREFUSED/);
  } finally {
    await node.close();
  }
});

test('`powerplant agent` mines through `powerplant serve --node-url`: the node height rises by the blocks found', async (t) => {
  const bcoin = bcoinOrSkip(t);
  if (bcoin === undefined) return;
  const node = await startRegtestNode(bcoin);
  // Core's regtest base58 form (testnet's prefixes) this time.
  const hash = Buffer.alloc(20, 0x42);
  const payout = bcoin.Address.fromPubkeyhash(hash).toString('testnet') as string;
  const stratumPort = await freePort();
  const serve = spawn(
    process.execPath,
    [CLI, 'serve', '--port', '0', '--metanoia-port', '0', '--gate-port', '0', '--stratum-port', String(stratumPort), '--threads', '1', '--engine', 'js',
      '--node-url', node.url, '--payout-address', payout, '--log-level', 'info'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  // The listening lines are on stderr; stdout holds the JSON logs.
  let serveOut = '';
  let serveErr = '';
  serve.stdout.on('data', (chunk: Buffer) => (serveOut += chunk.toString()));
  serve.stderr.on('data', (chunk: Buffer) => (serveErr += chunk.toString()));
  try {
    await until(() => /powerplant listening stratum /.test(serveErr), 20_000, 'serve to listen');
    const httpPort = Number(/powerplant listening http:\/\/127\.0\.0\.1:(\d+)/.exec(serveErr)![1]);
    const agent = spawn(
      process.execPath,
      [CLI, 'agent', '--url', `stratum+tcp://127.0.0.1:${stratumPort}`, '--user', 'dave', '--engine', 'js', '--threads', '1', '--max-shares', '6', '--log-level', 'warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let agentOut = '';
    agent.stdout.on('data', (chunk: Buffer) => (agentOut += chunk.toString()));
    assert.equal(await new Promise<number | null>((resolve) => agent.once('exit', resolve)), 0);
    assert.ok((JSON.parse(agentOut.trim().split('\n').at(-1)!) as { accepted: number }).accepted >= 6);
    let work = { blocks: { submitted: 0, accepted: 0, rejected: 0 } };
    for (let i = 0; i < 200; i++) {
      work = ((await (await fetch(`http://127.0.0.1:${httpPort}/stratum/workers`)).json()) as { work: typeof work }).work;
      if (work.blocks.submitted === work.blocks.accepted + work.blocks.rejected) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.ok(work.blocks.accepted >= 1, 'blocks were found');
    assert.equal(work.blocks.rejected, 0);
    const script = Buffer.concat([Buffer.from('76a914', 'hex'), hash, Buffer.from('88ac', 'hex')]).toString('hex');
    assert.equal(await checkBlocks(bcoin, node, 0, script), work.blocks.accepted);
    assert.match(serveOut, /block found and accepted/);
  } finally {
    serve.kill('SIGTERM');
    await new Promise((resolve) => serve.once('exit', resolve));
    await node.close();
  }
});
