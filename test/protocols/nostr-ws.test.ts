import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { WebSocket } from 'ws';
import { getEventHash } from 'nostr-tools/pure';
import { getPow } from 'nostr-tools/nip13';
import type { RunningServer } from '../../src/server.js';
import { metricValue } from '../broker/helpers.js';
import { startTestServer, until, wsUrl } from '../helpers/server.js';

type Answer = Record<string, unknown>;

/** A WebSocket client that queues every answer. */
class Client {
  private readonly answers: Answer[] = [];
  private readonly waiters: ((answer: Answer) => void)[] = [];
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const answer = JSON.parse(String(data)) as Answer;
      const waiter = this.waiters.shift();
      if (waiter) waiter(answer);
      else this.answers.push(answer);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
  }

  static open(url: string): Promise<Client> {
    const ws = new WebSocket(url);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new Client(ws)));
      ws.once('error', reject);
      ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  next(): Promise<Answer> {
    const answer = this.answers.shift();
    if (answer) return Promise.resolve(answer);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  async close(): Promise<void> {
    this.ws.close();
    await this.closed;
  }
}

const PUBKEY = '6cad545430904b84a8101c5783b65043f19ae29d2da1076b8fc3e64892736f03';
const event = (content = 'Hello, World!', extra: Record<string, unknown> = {}) => ({
  created_at: 1234567890,
  kind: 1,
  tags: [['t', 'powerplant']],
  content,
  pubkey: PUBKEY,
  ...extra,
});

type MinedEvent = { id: string; pubkey: string; created_at: number; kind: number; tags: string[][]; content: string };

function assertMined(answer: Answer, target: number, content = 'Hello, World!'): MinedEvent {
  const mined = answer.event as MinedEvent;
  assert.equal(mined.id, getEventHash(mined), 'id is the hash of the event');
  assert.ok(getPow(mined.id) >= target, `pow ${getPow(mined.id)} >= ${target}`);
  assert.equal(answer.pow, getPow(mined.id));
  assert.equal(mined.content, content);
  assert.equal(mined.pubkey, PUBKEY);
  assert.deepEqual(mined.tags[0], ['t', 'powerplant']);
  const nonce = mined.tags.at(-1)!;
  assert.equal(nonce[0], 'nonce');
  assert.match(nonce[1]!, /^\d+$/);
  assert.equal(nonce[2], String(target));
  assert.equal(mined.tags.filter((tag) => tag[0] === 'nonce').length, 1);
  return mined;
}

/** Wait until the server has let go of every WebSocket connection. */
async function connectionsDropped(server: RunningServer): Promise<void> {
  const deadline = performance.now() + 10_000;
  while ((await metricValue(server.metrics.connections, { door: 'nostr-ws' })) !== 0) {
    assert.ok(performance.now() < deadline, 'the connection is dropped');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A target the JS reference engine will not reach during a test. */
/** Years of work for the reference engine, and within the broker's expected-attempts budget below. */
const OUT_OF_REACH = 48;
const BUDGET = '[broker]\nmax_attempts_per_address = 9007199254740991\n';

describe('Nostr WebSocket door', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer(
      `${BUDGET}[pow]\ndefault_difficulty = 4\nmax_difficulty = 64\n[server]\nmax_message_bytes = 1024\nmax_requests_per_connection = 3\n`,
    );
  });
  after(() => server.close());

  it('mines an event to the target and echoes the request id', async () => {
    const client = await Client.open(wsUrl(server));
    client.send({ id: 'req-1', event: event(), target_pow: 8 });
    const answer = await client.next();
    assert.equal(answer.id, 'req-1');
    const mined = assertMined(answer, 8);
    assert.equal(mined.created_at, 1234567890, 'created_at is kept as given');
    await client.close();
  });

  it('uses pow.default_difficulty when target_pow is absent, and replaces an old nonce tag', async () => {
    const client = await Client.open(wsUrl(server));
    client.send({ event: event('again', { tags: [['t', 'powerplant'], ['nonce', '1', '2']] }) });
    const answer = await client.next();
    assert.equal(answer.id, undefined);
    assertMined(answer, 4, 'again');
    await client.close();
  });

  it('sets created_at to now when update_created_at is true', async () => {
    const client = await Client.open(wsUrl(server));
    const before = Math.floor(Date.now() / 1000);
    client.send({ id: 7, event: event('fresh'), target_pow: 4, update_created_at: true });
    const answer = await client.next();
    const mined = assertMined(answer, 4, 'fresh');
    assert.ok(mined.created_at >= before && mined.created_at <= Math.ceil(Date.now() / 1000));
    assert.equal(answer.id, 7);
    await client.close();
  });

  it('answers several requests in flight on one connection by id', async () => {
    const client = await Client.open(wsUrl(server));
    for (const id of ['a', 'b', 'c']) client.send({ id, event: event(`message ${id}`), target_pow: 6 });
    const answers = [await client.next(), await client.next(), await client.next()];
    assert.deepEqual(answers.map((answer) => answer.id).sort(), ['a', 'b', 'c']);
    for (const answer of answers) assertMined(answer, 6, `message ${String(answer.id)}`);
    await client.close();
  });

  it('answers each malformed request with a specific error', async () => {
    const client = await Client.open(wsUrl(server));
    const cases: [unknown, Answer][] = [
      ['{"event":', { error: 'bad JSON: ' }],
      ['[1,2]', { error: 'request must be a JSON object' }],
      [{ id: {}, event: event() }, { error: 'id must be a string or a number' }],
      [{ id: 1 }, { error: 'event is required', id: 1 }],
      [{ id: 2, event: 'text' }, { error: 'event must be a JSON object', id: 2 }],
      [{ id: 3, event: event('x', { kind: 'one' }) }, { error: 'event.kind must be a number', id: 3 }],
      [{ id: 4, event: event('x', { tags: [[1]] }) }, { error: 'event.tags must be an array of arrays of strings', id: 4 }],
      [{ id: 5, event: event('x', { pubkey: 'abc' }) }, { error: 'event.pubkey must be 64 lowercase hex characters', id: 5 }],
      [{ id: 6, event: event('x', { content: undefined }) }, { error: 'event.content must be a string', id: 6 }],
      [{ id: 7, event: event(), target_pow: 65 }, { error: 'target_pow 65 is above the maximum of 64', id: 7 }],
      [{ id: 8, event: event(), target_pow: 1.5 }, { error: 'target_pow must be a non-negative integer', id: 8 }],
      [{ id: 9, event: event(), update_created_at: 'yes' }, { error: 'update_created_at must be a boolean', id: 9 }],
    ];
    for (const [request, expected] of cases) {
      client.send(request);
      const answer = await client.next();
      if (expected.error === 'bad JSON: ') {
        assert.match(String(answer.error), /^bad JSON: /);
        continue;
      }
      assert.deepEqual(answer, expected, JSON.stringify(request));
    }
    await client.close();
  });

  it('refuses a message over server.max_message_bytes, and closes with 1009 far over it', async () => {
    const client = await Client.open(wsUrl(server));
    const big = JSON.stringify({ id: 'big', event: event('x'.repeat(1500)) });
    client.send(big);
    assert.deepEqual(await client.next(), { error: `message too large: ${Buffer.byteLength(big)} bytes, the limit is 1024` });
    client.send({ event: event('still open'), target_pow: 1 });
    assertMined(await client.next(), 1, 'still open');
    client.send({ event: event('x'.repeat(5000)) });
    assert.equal(await client.closed, 1009);
  });

  it('refuses requests beyond the per-connection limit and withdraws them when the client leaves', async () => {
    const client = await Client.open(wsUrl(server));
    for (const id of [1, 2, 3]) client.send({ id, event: event(`hard ${id}`), target_pow: OUT_OF_REACH });
    client.send({ id: 4, event: event('hard 4'), target_pow: OUT_OF_REACH });
    assert.deepEqual(await client.next(), { error: 'too many requests in flight on this connection (limit 3)', id: 4 });
    assert.equal(await metricValue(server.metrics.limitsHit, { door: 'nostr-ws', limit: 'requests_per_connection' }), 1);
    await until(() => server.broker.stats().waiting === 3, 5000, 'three jobs waiting');
    await client.close();
    await until(() => server.broker.stats().waiting === 0 && server.broker.stats().active === 0, 5000, 'jobs withdrawn');
  });
});

describe('Nostr WebSocket door limits', () => {
  it('refuses connections beyond server.max_connections', async () => {
    const server = await startTestServer('[server]\nmax_connections = 2\n');
    try {
      const first = await Client.open(wsUrl(server));
      const second = await Client.open(wsUrl(server));
      await assert.rejects(Client.open(wsUrl(server)), /HTTP 503/);
      await first.close();
      await until(() => true, 10);
      const third = await Client.open(wsUrl(server));
      await Promise.all([second.close(), third.close()]);
    } finally {
      await server.close();
    }
  });

  it('drops a client that sends requests but never reads the answers', async () => {
    // Errors are what it sends, so they may not close it first.
    const server = await startTestServer('[server]\nmax_errors_per_connection = 1000\n');
    try {
      let raw: Socket | undefined;
      const ws = new WebSocket(wsUrl(server), { createConnection: () => (raw = connect(server.addresses.http.port, '127.0.0.1')) });
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      ws.on('error', () => {});
      raw!.pause();
      // Each bad request comes back as an error echoing its 60 kB id: far more than any socket buffer.
      const request = JSON.stringify({ id: 'x'.repeat(60_000), event: 1 });
      for (let i = 0; i < 400; i++) ws.send(request);
      await connectionsDropped(server);
      assert.equal(await metricValue(server.metrics.limitsHit, { door: 'nostr-ws', limit: 'write_buffer' }), 1);
      ws.terminate();
    } finally {
      await server.close();
    }
  });

  it('drops a client that stops answering pings (a phone gone out of coverage)', { timeout: 5000 }, async () => {
    const server = await startTestServer('[server]\nping_interval_ms = 50\n');
    try {
      // A raw handshake: this client never answers the server's pings.
      const raw = connect(server.addresses.http.port, '127.0.0.1');
      raw.on('error', () => {});
      raw.resume();
      raw.write('GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n');
      await new Promise((resolve) => raw.once('close', resolve));
      await connectionsDropped(server);
      assert.equal(await metricValue(server.metrics.limitsHit, { door: 'nostr-ws', limit: 'ping' }), 1);
    } finally {
      await server.close();
    }
  });

  it('says the server is busy when the broker queue is full', async () => {
    const server = await startTestServer(`${BUDGET}max_active_jobs = 1\nqueue_limit = 0\n`);
    try {
      const client = await Client.open(wsUrl(server));
      client.send({ id: 'hard', event: event('hard'), target_pow: OUT_OF_REACH });
      await until(() => server.broker.stats().active === 1, 5000, 'one job running');
      client.send({ id: 'next', event: event('next'), target_pow: 1 });
      const answer = await client.next();
      assert.equal(answer.id, 'next');
      assert.match(String(answer.error), /^the server is busy/);
      await client.close();
    } finally {
      await server.close();
    }
  });
});
