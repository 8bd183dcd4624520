import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { test } from 'node:test';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { createMetrics } from '../../src/metrics.js';
import { startStratum, type StratumDoor } from '../../src/protocols/stratum.js';
import type { Chain } from '../../src/stratum/chain.js';
import { sha256d } from '../../src/schemes/bitcoin.js';
import { StratumAgent } from '../../src/clients/stratum-agent.js';
import { metricValue } from '../broker/helpers.js';
import { stratumSettings } from '../helpers/stratum.js';

const CLI = new URL('../../src/cli.js', import.meta.url).pathname;

/** Poll until `done()` holds (agents mine in milliseconds, so tests wait on counts, not time). */
async function until(done: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const settings = stratumSettings;

function builtIn(door: StratumDoor): Chain {
  assert.ok(door.chain, 'the door mines on the built-in chain');
  return door.chain;
}

test('two agents find blocks in a row on a low-difficulty chain, with no duplicates', async () => {
  const metrics = createMetrics();
  const door = await startStratum({ config: settings(), metrics });
  const engine = createInlineEngine(referenceBackend, 64);
  const agents = ['alice', 'bob'].map(
    (user) => new StratumAgent({ host: '127.0.0.1', port: door.address.port, user, engine, maxShares: 12, backoffMs: 50 }),
  );
  try {
    const summaries = await Promise.all(agents.map((agent) => agent.run(AbortSignal.timeout(20_000))));
    for (const summary of summaries) assert.ok(summary.accepted >= 12, `accepted ${summary.accepted}`);
    const chain = builtIn(door);
    const blocks = chain.blocks();
    assert.ok(chain.height >= 5, `height ${chain.height}`);
    assert.deepEqual(
      blocks.map((block) => block.height),
      blocks.map((_, i) => i),
    );
    assert.equal(new Set(blocks.map((block) => block.hash)).size, blocks.length);
    for (let i = 1; i < blocks.length; i++) {
      assert.deepEqual(Buffer.from(blocks[i].header.subarray(4, 36)), sha256d(blocks[i - 1].header), 'each block links to the one before');
    }
    const finders = new Set(blocks.slice(1).map((block) => block.foundBy));
    assert.ok([...finders].every((name) => name === 'alice' || name === 'bob'));
    const scraped = await metrics.registry.metrics();
    assert.match(scraped, new RegExp(`powerplant_stratum_chain_height ${chain.height}\n`));
    assert.match(scraped, /powerplant_stratum_shares_total\{outcome="accepted"\} \d+/);
  } finally {
    await door.close();
  }
});

test('a raw client sending garbage and an over-long line is closed; an agent alongside keeps mining', async () => {
  const door = await startStratum({ config: settings({ max_line_bytes: 256 }) });
  try {
    const raw = connect({ host: '127.0.0.1', port: door.address.port });
    const received: string[] = [];
    raw.on('data', (chunk: Buffer) => received.push(chunk.toString()));
    const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    raw.write('garbage\n{"id":1,"method":"mining.submit","params":[]}\n');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const answers = received.join('').trim().split('\n').map((line) => JSON.parse(line) as { id: unknown; error: unknown[] });
    assert.equal(answers.length, 2);
    assert.equal(answers[0].error[0], 20);
    assert.deepEqual(answers[1], { id: 1, result: null, error: [25, 'not subscribed', null] });

    const engine = createInlineEngine(referenceBackend, 64);
    const agent = new StratumAgent({ host: '127.0.0.1', port: door.address.port, user: 'carol', engine, backoffMs: 50 });
    const stop = new AbortController();
    const mining = agent.run(stop.signal);
    raw.write('x'.repeat(1000));
    await closed;
    // Told why before the close.
    assert.deepEqual(JSON.parse(received.join('').trim().split('\n').at(-1)!), { id: null, result: null, error: [20, 'line longer than 256 bytes', null] });
    await until(() => agent.summary().accepted >= 3);
    assert.equal(door.coordinator.agents().length, 1, 'the closed client is forgotten, the agent mines on');
    stop.abort();
    assert.equal((await mining).connections, 1);
  } finally {
    await door.close();
  }
});

test('`powerplant agent` mines shares for the coordinator and exits with a summary', async () => {
  const door = await startStratum({ config: settings() });
  try {
    const child = spawn(
      process.execPath,
      [CLI, 'agent', '--url', `stratum+tcp://127.0.0.1:${door.address.port}`, '--user', 'dave', '--engine', 'js', '--threads', '1', '--max-shares', '3', '--log-level', 'warn'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as { accepted: number };
    assert.ok(summary.accepted >= 3);
    assert.ok(builtIn(door).height >= 1);
  } finally {
    await door.close();
  }
});

test('connections past stratum.max_connections are refused; the others are served', async () => {
  const door = await startStratum({ config: settings({ max_connections: 1 }) });
  try {
    const first = connect({ host: '127.0.0.1', port: door.address.port });
    await new Promise<void>((resolve) => first.once('connect', () => resolve()));
    const second = connect({ host: '127.0.0.1', port: door.address.port });
    second.on('error', () => {});
    await new Promise<void>((resolve) => second.once('close', () => resolve()));
    first.write('{"id":1,"method":"mining.subscribe","params":[]}\n');
    const answer = await new Promise<string>((resolve) => first.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    assert.match(answer, /^\{"id":1,"result":\[\[\["mining.set_difficulty"/);
    first.destroy();
  } finally {
    await door.close();
  }
});

test('an agent follows a difficulty change mid-search: no low-difficulty shares after it', async () => {
  const metrics = createMetrics();
  const door = await startStratum({ config: settings({ block_bits: '1d00ffff' }), metrics });
  try {
    const engine = createInlineEngine(referenceBackend, 64);
    const agent = new StratumAgent({ host: '127.0.0.1', port: door.address.port, user: 'erin', engine, backoffMs: 50 });
    const stop = new AbortController();
    const mining = agent.run(stop.signal);
    await until(() => agent.summary().accepted >= 4);
    door.coordinator.setShareDifficulty(4e-9);
    const before = agent.summary().accepted;
    await until(() => agent.summary().accepted >= before + 8);
    stop.abort();
    await mining;
    assert.equal(door.coordinator.shareDifficulty, 4e-9);
    const scraped = await metrics.registry.metrics();
    assert.doesNotMatch(scraped, /outcome="lowDifficulty"/);
  } finally {
    await door.close();
  }
});

test('an agent that does not read is dropped; one that reads keeps its connection', async () => {
  const door = await startStratum({ config: settings({ block_bits: '1d00ffff' }) });
  try {
    const join = async (read: boolean) => {
      const socket = connect({ host: '127.0.0.1', port: door.address.port });
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.on('error', () => {});
      socket.write('{"id":1,"method":"mining.subscribe","params":[]}\n{"id":2,"method":"mining.authorize","params":["w","x"]}\n');
      if (read) socket.resume();
      else socket.pause();
      return socket;
    };
    const reader = await join(true);
    const sleeper = await join(false);
    await until(() => door.coordinator.agents().length === 2);
    // Each round sends set_difficulty and a job to everyone (~18 MB per 200 rounds), until the
    // sleeper's kernel buffers and then its 1 MiB write bound are full.
    for (let round = 0; round < 1000 && door.coordinator.agents().length === 2; round++) {
      for (let i = 0; i < 200; i++) door.coordinator.setShareDifficulty(1 + i);
      await new Promise((resolve) => setImmediate(resolve));
    }
    // The server dropped the sleeper (its paused socket will only notice when it reads).
    assert.equal(door.coordinator.agents().length, 1);
    assert.equal(reader.destroyed, false);
    reader.destroy();
    sleeper.destroy();
  } finally {
    await door.close();
  }
});

test('an agent reconnects with backoff when the coordinator restarts', async () => {
  const first = await startStratum({ config: settings() });
  const port = first.address.port;
  const engine = createInlineEngine(referenceBackend, 64);
  const agent = new StratumAgent({ host: '127.0.0.1', port, user: 'fay', engine, backoffMs: 20, maxBackoffMs: 100 });
  const stop = new AbortController();
  const mining = agent.run(stop.signal);
  await until(() => agent.summary().accepted >= 2);
  await first.close();
  await new Promise((resolve) => setTimeout(resolve, 100));
  const second = await startStratum({ config: settings({ port }) });
  try {
    await until(() => (second.coordinator.agents()[0]?.accepted ?? 0) >= 2);
    assert.ok(agent.summary().connections >= 2);
  } finally {
    stop.abort();
    await mining;
    await second.close();
  }
});

test('connections past stratum.max_connections_per_source get an error line and are closed', async () => {
  const door = await startStratum({ config: settings({ max_connections_per_source: 2 }) });
  try {
    const open = async () => {
      const socket = connect({ host: '127.0.0.1', port: door.address.port });
      socket.on('error', () => {});
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      return socket;
    };
    const kept = [await open(), await open()];
    const third = await open();
    let refusal = '';
    third.on('data', (chunk: Buffer) => (refusal += chunk.toString()));
    await new Promise<void>((resolve) => third.once('close', () => resolve()));
    assert.deepEqual(JSON.parse(refusal), { id: null, result: null, error: [20, 'at most 2 connections per address', null] });
    kept[0].write('{"id":1,"method":"mining.subscribe","params":[]}\n');
    const answer = await new Promise<string>((resolve) => kept[0].once('data', (chunk: Buffer) => resolve(chunk.toString())));
    assert.match(answer, /^\{"id":1,"result":/);
    // A closed connection frees its place.
    kept[1].destroy();
    await until(() => door.coordinator.agents().length === 1);
    const fourth = await open();
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(fourth.destroyed, false);
    assert.equal(door.coordinator.agents().length, 2);
    for (const socket of [...kept, fourth]) socket.destroy();
  } finally {
    await door.close();
  }
});

test('an agent whose share difficulty is harder than the block target still sends the blocks it finds', async () => {
  // Share difficulty 1e6 (never reached here), blocks at about one hash in two.
  const door = await startStratum({ config: settings({ share_difficulty: 1e6 }) });
  try {
    const engine = createInlineEngine(referenceBackend, 64);
    const agent = new StratumAgent({ host: '127.0.0.1', port: door.address.port, user: 'gus', engine, backoffMs: 50, maxShares: 4 });
    const summary = await agent.run(AbortSignal.timeout(20_000));
    assert.ok(summary.accepted >= 4);
    assert.ok(builtIn(door).height >= 1, `height ${builtIn(door).height}`);
  } finally {
    await door.close();
  }
});

test('a miner past stratum.max_rejected_shares is told why, closed and counted; the limits table bounds worker names', async () => {
  const metrics = createMetrics();
  const door = await startStratum({ config: settings({ max_rejected_shares: 2, reject_window_shares: 4, max_worker_name_chars: 8 }), metrics });
  try {
    const raw = connect({ host: '127.0.0.1', port: door.address.port });
    const lines: { id: unknown; result?: unknown; error: unknown }[] = [];
    let pending = '';
    raw.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const complete = pending.split('\n');
      pending = complete.pop()!;
      for (const line of complete) lines.push(JSON.parse(line) as (typeof lines)[number]);
    });
    const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    const send = (id: number, method: string, params: unknown[]) => raw.write(JSON.stringify({ id, method, params }) + '\n');
    send(1, 'mining.subscribe', []);
    send(2, 'mining.authorize', ['a-longer-name', 'x']);
    send(3, 'mining.authorize', ['alice', 'x']);
    await until(() => lines.some((line) => line.id === 3));
    assert.deepEqual(lines.find((line) => line.id === 2)?.error, [20, 'user must be a string of 1 to 8 characters', null]);
    for (let id = 10; id < 13; id++) send(id, 'mining.submit', ['alice', 'gone', '00000001', '00000000', '00000000']);
    await closed;
    const answers = lines.filter((line) => typeof line.id === 'number' && line.id >= 10).map((line) => line.error);
    assert.deepEqual(answers, [
      [21, 'job not found (stale)', null],
      [21, 'job not found (stale)', null],
      [20, 'job not found (stale); 3 of the last 3 shares rejected (limit 2): closing', null],
    ]);
    assert.equal(await metricValue(metrics.limitsHit, { door: 'stratum', limit: 'rejected_shares' }), 1);
    await until(() => door.coordinator.agents().length === 0);
  } finally {
    await door.close();
  }
});

/** A raw TCP miner on the door: sends lines, resolves `closed` when the door hangs up. */
async function rawMiner(door: StratumDoor): Promise<{ send(id: number, method: string, params: unknown[]): void; closed: Promise<void> }> {
  const raw = connect({ host: '127.0.0.1', port: door.address.port });
  raw.resume();
  const closed = new Promise<void>((resolve) => raw.once('close', () => resolve()));
  await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
  return { send: (id, method, params) => raw.write(JSON.stringify({ id, method, params }) + '\n'), closed };
}

const timeoutCases = [
  { limit: 'authorize_timeout', other: 'idle', who: 'a miner that never authorizes', setting: { authorize_timeout_ms: 100 }, authorize: false },
  { limit: 'idle', other: 'authorize_timeout', who: 'an authorized miner that goes quiet', setting: { idle_timeout_ms: 100 }, authorize: true },
] as const;

for (const { limit, other, who, setting, authorize } of timeoutCases) {
  test(`${who} is closed at stratum.${Object.keys(setting)[0]} and counted as limit="${limit}"`, async () => {
    const metrics = createMetrics();
    const door = await startStratum({ config: settings(setting), metrics });
    try {
      const miner = await rawMiner(door);
      miner.send(1, 'mining.subscribe', []);
      if (authorize) {
        miner.send(2, 'mining.authorize', ['alice', 'x']);
        await until(() => door.coordinator.agents().some((agent) => agent.workers.length > 0));
      }
      await miner.closed;
      assert.equal(await metricValue(metrics.limitsHit, { door: 'stratum', limit }), 1);
      assert.equal(await metricValue(metrics.limitsHit, { door: 'stratum', limit: other }), 0);
    } finally {
      await door.close();
    }
  });
}
