import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { test } from 'node:test';
import { createBroker } from '../../src/broker/broker.js';
import type { Broker } from '../../src/broker/types.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { JsonObjectSplitter } from '../../src/net/framing.js';
import { parseJson, type JsonValue } from '../../src/net/json.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { startMetanoia } from '../../src/protocols/metanoia.js';
import { MetanoiaMiner } from '../../src/clients/metanoia-miner.js';
import { bitmessage, trialValue } from '../../src/schemes/bitmessage.js';
import { createEngineSource } from '../../src/sources/engine.js';
import { RemoteMiners } from '../../src/sources/remote-miners.js';

const CLI = new URL('../../src/cli.js', import.meta.url).pathname;
// The Metanoia README exchange (test/vectors/bitmessage.json).
const SEED_HASH = 'vSJ95SFzpQ7NVIk/cd5SUR9isX+s8s5mcKJIn4G3Owqk7/yBuTX2KPxTg8RpkO1yJJ0bz7/8/5KMU5BEcjxehw==';
const SEED_TARGET = 3979158916983n;
/** About one nonce in 1000 passes: milliseconds for the JS reference. */
const EASY_TARGET = (1n << 64n) / 1000n;
const HASH_B = Buffer.alloc(64, 7).toString('base64');

type Answer = { [key: string]: JsonValue };

/** A raw TCP client that reads the server's answers in order, integers exact. */
class RawClient {
  readonly raw: string[] = [];
  private readonly answers: Answer[] = [];
  private waiting: ((answer: Answer) => void) | null = null;
  private readonly splitter = new JsonObjectSplitter(1 << 20);

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.raw.push(chunk.toString());
      for (const frame of this.splitter.push(chunk)) {
        assert.equal(frame.kind, 'message');
        if (frame.kind !== 'message') continue;
        const answer = parseJson(frame.text) as Answer;
        if (this.waiting !== null) {
          const resolve = this.waiting;
          this.waiting = null;
          resolve(answer);
        } else this.answers.push(answer);
      }
    });
  }

  static async open(port: number): Promise<RawClient> {
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket);
  }

  send(text: string): void {
    this.socket.write(text);
  }

  next(timeoutMs = 5000): Promise<Answer> {
    const ready = this.answers.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
      this.waiting = (answer) => {
        clearTimeout(timer);
        resolve(answer);
      };
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

const DEFAULTS = loadConfig({ defaultsFile: null }).metanoia;
const MAX_WRONG_RESULTS = DEFAULTS.max_wrong_results;

function settings(overrides: Partial<Config['metanoia']> = {}) {
  const metanoia: Config['metanoia'] = { ...DEFAULTS, port: 0, long_poll_ms: 5000, range_size: '2000000', min_target: '1', max_message_bytes: 1024, max_connections: 20, ...overrides };
  return { metanoia, server: { host: '127.0.0.1' } };
}

/** A broker with no local engine unless asked: only the door's miners work. */
function broker(withEngine: boolean, metrics: Metrics): Broker {
  const created = createBroker({ queueLimit: 10, maxActiveJobs: 4, cacheSize: 0, jobTimeoutMs: 30_000, metrics });
  if (withEngine) created.addSource(createEngineSource(createInlineEngine(referenceBackend)));
  return created;
}

async function withDoor(
  overrides: Partial<Config['metanoia']>,
  run: (port: number, miners: RemoteMiners, metrics: Metrics) => Promise<void>,
  withEngine = false,
) {
  const metrics = createMetrics();
  const jobs = broker(withEngine, metrics);
  const config = settings(overrides);
  // As the server does: the miners' source on the broker, its remote-work handle for the door.
  const miners = new RemoteMiners(BigInt(config.metanoia.range_size));
  jobs.addSource(miners);
  const door = await startMetanoia({ broker: jobs, config, remoteWork: miners });
  try {
    await run(door.address.port, miners, metrics);
  } finally {
    await jobs.close();
    await door.close();
  }
}

/** Wait until a do_pow has reached the miners' source. */
async function jobOpen(miners: RemoteMiners, hash: string): Promise<void> {
  const wanted = Buffer.from(hash, 'base64');
  for (let i = 0; i < 200 && miners.openInputs((input) => wanted.equals(input.initialHash)).length === 0; i++) await new Promise((r) => setTimeout(r, 5));
}

test("the seed's README exchange, end to end, exact integers on the wire", async () => {
  await withDoor({}, async (port, miners, metrics) => {
    const client = await RawClient.open(port);
    const miner = await RawClient.open(port);
    // Bare JSON with no newline, as the original clients sent it.
    client.send(`{"method": "do_pow", "target": 3979158916983, "initialHash": "${SEED_HASH}"}`);
    await jobOpen(miners, SEED_HASH);
    miner.send('{"method":"get_work"}');
    const work = await miner.next();
    assert.deepEqual(work, { status: 200n, target: SEED_TARGET, initialHash: SEED_HASH, nonceStart: '0', nonceEnd: '2000000' });
    assert.match(miner.raw.join(''), /^\{"status":200,"target":3979158916983,"initialHash":"[^"]+","nonceStart":"0","nonceEnd":"2000000"\}\n$/);
    miner.send(`{"method":"push_result","nonce":1302572,"trialValue":799892720325,"initialHash":"${SEED_HASH}"}`);
    assert.deepEqual(await miner.next(), { status: 200n, accepted: true });
    await client.next();
    assert.equal(client.raw.join(''), '{"status":200,"nonce":1302572,"trialValue":799892720325}\n');
    const { values } = await metrics.attempts.get();
    assert.deepEqual(
      values.map(({ labels, value }) => [labels.source, labels.scheme, value]),
      [['metanoia', 'bitmessage', 1302573]],
      "the miner's attempts: its range searched up to the nonce it found",
    );
    client.close();
    miner.close();
  });
});

test('two miners get disjoint ranges; one that leaves gives its range back', async () => {
  await withDoor({ range_size: '100' }, async (port, miners) => {
    const client = await RawClient.open(port);
    client.send(`{"method":"do_pow","target":${SEED_TARGET},"initialHash":"${SEED_HASH}"}\n`);
    await jobOpen(miners, SEED_HASH);
    const first = await RawClient.open(port);
    const second = await RawClient.open(port);
    first.send('{"method":"get_work"}');
    const a = await first.next();
    second.send('{"method":"get_work"}');
    const b = await second.next();
    assert.deepEqual([a.nonceStart, a.nonceEnd, b.nonceStart, b.nonceEnd], ['0', '100', '100', '200']);
    first.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = await RawClient.open(port);
    third.send('{"method":"get_work"}');
    const c = await third.next();
    assert.deepEqual([c.nonceStart, c.nonceEnd], ['0', '100'], 'the range of the miner that left is handed out again');
    // Asking again means the last range was searched: the next one is fresh space.
    third.send('{"method":"get_work"}');
    assert.deepEqual([(await third.next()).nonceStart], ['200']);
    for (const socket of [client, second, third]) socket.close();
  });
});

test('a pushed nonce the job does not accept gives the rest of the range back', async () => {
  await withDoor({ range_size: '100' }, async (port, miners) => {
    const client = await RawClient.open(port);
    client.send(`{"method":"do_pow","target":${SEED_TARGET},"initialHash":"${SEED_HASH}"}`);
    await jobOpen(miners, SEED_HASH);
    const miner = await RawClient.open(port);
    miner.send('{"method":"get_work"}');
    assert.deepEqual([(await miner.next()).nonceStart], ['0']);
    const actual = trialValue(Buffer.from(SEED_HASH, 'base64'), 5n);
    miner.send(`{"method":"push_result","nonce":5,"trialValue":${actual},"initialHash":"${SEED_HASH}"}`);
    assert.equal((await miner.next()).status, 400n);
    const other = await RawClient.open(port);
    other.send('{"method":"get_work"}');
    const work = await other.next();
    assert.deepEqual([work.nonceStart, work.nonceEnd], ['6', '100'], 'the nonces after the refused one are searched again');
    for (const socket of [client, miner, other]) socket.close();
  });
});

test('two real miners and a client: the client gets a verified result', async () => {
  await withDoor({ range_size: '300' }, async (port) => {
    const engine = createInlineEngine(referenceBackend, 64);
    const stop = new AbortController();
    const miners = [0, 1].map(() => new MetanoiaMiner({ host: '127.0.0.1', port, engine, backoffMs: 20 }));
    const running = miners.map((miner) => miner.run(stop.signal));
    const client = await RawClient.open(port);
    for (const hash of [SEED_HASH, HASH_B]) {
      client.send(`{"method":"do_pow","target":${EASY_TARGET},"initialHash":"${hash}"}`);
      const answer = await client.next(20_000);
      assert.equal(answer.status, 200n);
      const job = { initialHash: Buffer.from(hash, 'base64'), target: EASY_TARGET };
      assert.equal(bitmessage.verify(job, { nonce: answer.nonce as bigint, trialValue: answer.trialValue as bigint }).valid, true);
    }
    stop.abort();
    const summaries = await Promise.all(running);
    assert.equal(summaries.reduce((sum, summary) => sum + summary.accepted, 0), 2);
    client.close();
  });
});

test('wrong results are refused with a reason and, past a bound, the miner gets no more work', async () => {
  await withDoor({}, async (port, miners) => {
    const client = await RawClient.open(port);
    client.send(`{"method":"do_pow","target":${SEED_TARGET},"initialHash":"${SEED_HASH}"}`);
    await jobOpen(miners, SEED_HASH);
    const miner = await RawClient.open(port);
    const push = (nonce: bigint, trial: bigint) => miner.send(`{"method":"push_result","nonce":${nonce},"trialValue":${trial},"initialHash":"${SEED_HASH}"}`);
    push(1302572n, 799892720326n);
    assert.deepEqual(await miner.next(), { status: 400n, error: 'trialValue of nonce 1302572 is 799892720325, not 799892720326' });
    const actual = trialValue(Buffer.from(SEED_HASH, 'base64'), 5n);
    push(5n, actual);
    assert.deepEqual(await miner.next(), { status: 400n, error: `trialValue ${actual} is above the target ${SEED_TARGET}` });
    for (let i = 2; i < MAX_WRONG_RESULTS; i++) {
      push(5n, 0n);
      assert.equal((await miner.next()).status, 400n);
    }
    miner.send('{"method":"get_work"}');
    assert.deepEqual(await miner.next(), { status: 403n, error: `no more work for this connection: ${MAX_WRONG_RESULTS} wrong results` });
    // Another miner's correct result still solves the job.
    const honest = await RawClient.open(port);
    honest.send(`{"method":"push_result","nonce":1302572,"trialValue":799892720325,"initialHash":"${SEED_HASH}"}`);
    assert.deepEqual(await honest.next(), { status: 200n, accepted: true });
    assert.equal((await client.next()).nonce, 1302572n);
    // A late but honest result for a solved job is acknowledged, not counted as wrong.
    honest.send(`{"method":"push_result","nonce":1302572,"trialValue":799892720325,"initialHash":"${SEED_HASH}"}`);
    assert.deepEqual((await honest.next()).accepted, false);
    for (const socket of [client, miner, honest]) socket.close();
  });
});

test('back-to-back messages in one write are all answered, in order', async () => {
  await withDoor({ long_poll_ms: 50 }, async (port) => {
    const client = await RawClient.open(port);
    client.send('{"method":"get_work"}{"method":"nope"}\n{"method":"get_work"}{"method":"push_result","nonce":1,"trialValue":1,"initialHash":"' + HASH_B + '"}');
    const answers = [await client.next(), await client.next(), await client.next(), await client.next()];
    assert.deepEqual(answers, [
      { status: 400n, error: 'unknown method "nope"; expected do_pow, get_work or push_result' },
      { status: 'NO_DATA' },
      { status: 'NO_DATA' },
      { status: 400n, error: `trialValue of nonce 1 is ${trialValue(Buffer.from(HASH_B, 'base64'), 1n)}, not 1` },
    ]);
    client.close();
  });
});

test('every bad message gets a specific error and the connection stays open', async () => {
  await withDoor({ max_message_bytes: 256, long_poll_ms: 50 }, async (port) => {
    const client = await RawClient.open(port);
    const cases: [string, string][] = [
      ['{"method":"do_pow",}', 'bad JSON: expected a string key at position 19'],
      ['not json\n', 'bad JSON: expected an object starting with {'],
      ['{"target":1}', 'missing method; expected do_pow, get_work or push_result'],
      ['{"method":42}', 'method must be a string'],
      ['{"method":"do_pow","target":1,"initialHash":"not base64!"}', 'initialHash must be 64 bytes as base64 (88 characters) or hex (128 characters)'],
      [`{"method":"do_pow","target":1,"initialHash":"${'ab'.repeat(63)}"}`, 'initialHash must be 64 bytes as base64 (88 characters) or hex (128 characters)'],
      [`{"method":"do_pow","target":0,"initialHash":"${SEED_HASH}"}`, 'target must be between 1 and 18446744073709551615'],
      [`{"method":"do_pow","target":18446744073709551616,"initialHash":"${SEED_HASH}"}`, 'target must be between 1 and 18446744073709551615'],
      [`{"method":"do_pow","target":1.5,"initialHash":"${SEED_HASH}"}`, 'target must be an integer'],
      [`{"method":"push_result","nonce":-1,"trialValue":1,"initialHash":"${SEED_HASH}"}`, 'nonce must be between 0 and 18446744073709551615'],
      [`{"method":"get_work","pad":"${'x'.repeat(300)}"}`, 'message exceeds 256 bytes'],
    ];
    for (const [message, error] of cases) {
      client.send(message);
      assert.deepEqual(await client.next(), { status: 400n, error }, message);
    }
    client.send('{"method":"get_work"}');
    assert.equal((await client.next()).status, 'NO_DATA', 'still served after all that');
    client.close();
  });
});

test('do_pow targets below metanoia.min_target are refused; an unclosed message is reported at its line end', async () => {
  await withDoor({ min_target: '1000000', long_poll_ms: 50 }, async (port) => {
    const client = await RawClient.open(port);
    client.send(`{"method":"do_pow","target":999999,"initialHash":"${SEED_HASH}"}\n`);
    assert.deepEqual(await client.next(), { status: 400n, error: 'target must be between 1000000 and 18446744073709551615' });
    client.send('{"method":"get_work"\n{"method":"get_work"}\n');
    assert.deepEqual(await client.next(), { status: 400n, error: 'message not closed at the end of its line (a missing }?)' });
    assert.equal((await client.next()).status, 'NO_DATA', 'the line after it is read');
    client.close();
  });
});

test('connections per address, errors per connection and idle connections are bounded, each refused in a last answer', async () => {
  await withDoor({ max_connections_per_address: 2, max_errors_per_connection: 3, idle_timeout_ms: 300, long_poll_ms: 1000, linger_ms: 50 }, async (port) => {
    const first = await RawClient.open(port);
    const second = await RawClient.open(port);
    const third = await RawClient.open(port);
    assert.deepEqual(await third.next(), { status: 503n, error: 'too many connections from your address (limit 2)' });
    await new Promise((resolve) => third.socket.once('close', resolve));
    // Three junk lines: three errors, the last one closes.
    const firstClosed = new Promise((resolve) => first.socket.once('close', resolve));
    first.send('junk\njunk\njunk\njunk\n');
    for (let i = 0; i < 2; i++) assert.equal((await first.next()).status, 400n);
    assert.deepEqual(await first.next(), { status: 400n, error: 'too many errors on this connection (limit 3)' });
    await firstClosed;
    // A long-poll in flight is not idleness; nothing at all for idle_timeout_ms is.
    const secondClosed = new Promise((resolve) => second.socket.once('close', resolve));
    second.send('{"method":"get_work"}\n');
    assert.equal((await second.next()).status, 'NO_DATA');
    assert.deepEqual(await second.next(), { status: 408n, error: 'idle for 300 ms' });
    await secondClosed;
  });
});

test('requests in flight on one connection are bounded by metanoia.max_requests_per_connection', async () => {
  await withDoor({ max_requests_per_connection: 2, long_poll_ms: 200 }, async (port) => {
    const client = await RawClient.open(port);
    // No miner and no engine: both jobs stay open, so the third request is one too many.
    const hashes = [1, 2, 3].map((byte) => Buffer.alloc(64, byte).toString('base64'));
    for (const hash of hashes) client.send(`{"method":"do_pow","target":${SEED_TARGET},"initialHash":"${hash}"}`);
    assert.deepEqual(await client.next(), { status: 400n, error: 'too many requests in flight on this connection (limit 2)' });
    client.close();
    const miner = await RawClient.open(port);
    miner.send('{"method":"get_work"}'.repeat(3));
    assert.deepEqual(await miner.next(), { status: 400n, error: 'too many requests in flight on this connection (limit 2)' });
    assert.equal((await miner.next()).status, 'NO_DATA');
    assert.equal((await miner.next()).status, 'NO_DATA');
    miner.close();
  });
});

test('a client that disconnects withdraws its job; targets past 2^53 stay exact', async () => {
  await withDoor({ long_poll_ms: 100 }, async (port, miners) => {
    const client = await RawClient.open(port);
    const hugeTarget = (1n << 64n) - 2n;
    client.send(`{"method":"do_pow","target":${hugeTarget},"initialHash":"${HASH_B}"}`);
    await jobOpen(miners, HASH_B);
    const miner = await RawClient.open(port);
    miner.send('{"method":"get_work"}');
    const work = await miner.next();
    assert.equal(work.target, hugeTarget);
    assert.match(miner.raw.join(''), /"target":18446744073709551614,/);
    client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    miner.send('{"method":"get_work"}');
    assert.deepEqual(await miner.next(), { status: 'NO_DATA' });
    miner.close();
  });
});

test('with a local engine the job is solved without miners', async () => {
  await withDoor({}, async (port) => {
    const client = await RawClient.open(port);
    client.send(`{"method":"do_pow","target":${EASY_TARGET},"initialHash":"${HASH_B}"}\n`);
    const answer = await client.next(20_000);
    assert.equal(answer.status, 200n);
    assert.equal(answer.trialValue, trialValue(Buffer.from(HASH_B, 'base64'), answer.nonce as bigint));
    client.close();
  }, true);
});

test('`powerplant miner --once` mines a job and exits with a summary', async () => {
  await withDoor({ range_size: '100000' }, async (port, miners) => {
    const client = await RawClient.open(port);
    client.send(`{"method":"do_pow","target":${EASY_TARGET},"initialHash":"${HASH_B}"}`);
    await jobOpen(miners, HASH_B);
    const child = spawn(process.execPath, [CLI, 'miner', '--metanoia', `127.0.0.1:${port}`, '--once', '--engine', 'js', '--threads', '1', '--log-level', 'warn'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout.trim().split('\n').at(-1)!).accepted, 1);
    assert.equal((await client.next()).status, 200n);
    client.close();
  });
});
