import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { validateWork } from 'nanocurrency';
import { hex16, thresholdFromMultiplier } from '../../src/schemes/nano.js';
import type { Engine } from '../../src/engine/engine.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import type { RunningServer } from '../../src/server.js';
import { metricValue } from '../broker/helpers.js';
import { httpUrl, startTestServer, until } from '../helpers/server.js';

/** Reference vectors: the same root with send-valid and receive-only work. */
const ROOT = '718CC2121C3E641059BC1C2CFC45666C99E8AE922F7A807B7D07B62C995D79E2';
const SEND_WORK = '2b3d689bbcb21dca'; // value fffffff93c41ec94
const RECEIVE_WORK = '2bf29ef00786a6bc'; // value ffffffd21c3933f4
const SEND = 'fffffff800000000';
const RECEIVE = 'fffffe0000000000';
/** Solved in a few hundred attempts by the in-thread reference engine. */
const EASY = 'ff00000000000000';
const HASH_2 = 'E89208DD038FBB269987689621D52292AE9C35941A7484756ECCED92A65093BA';

type Json = Record<string, unknown>;

async function post(url: string, body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<{ status: number; body: Json }> {
  const response = await fetch(url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Json };
}

/** A work server run by the test: records each request and answers with `reply`. */
interface Upstream {
  readonly url: string;
  readonly requests: Json[];
  close(): Promise<void>;
}

async function upstream(reply: (request: Json, response: ServerResponse, incoming: IncomingMessage) => void): Promise<Upstream> {
  const requests: Json[] = [];
  const server = createServer((incoming, response) => {
    let text = '';
    incoming.on('data', (chunk: Buffer) => (text += chunk.toString()));
    incoming.on('end', () => {
      const request = JSON.parse(text) as Json;
      requests.push(request);
      if (request.action === 'work_cancel') {
        response.end('{"success":""}');
        return;
      }
      reply(request, response, incoming);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const answerJson = (response: ServerResponse, body: Json, status = 200): void => {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};

/** An engine that never finds anything (and leaves the event loop free), so upstreams decide the race. */
const idleEngine: Engine = {
  backend: 'idle',
  threads: 1,
  search: (_task, options = {}) =>
    new Promise((_resolve, reject) => options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true })),
  close: async () => {},
};

const isValid = (hash: string, work: unknown, threshold: string): boolean =>
  typeof work === 'string' && validateWork({ blockHash: hash, work, threshold });

describe('Nano HTTP door without upstreams', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer('[nano]\nmax_multiplier = 2\n[server]\nmax_message_bytes = 512\n');
  });
  after(() => server.close());

  it('POST /pow generates work for the requested difficulty', async () => {
    const { status, body } = await post(httpUrl(server, '/pow'), { hash: ROOT.toLowerCase(), difficulty: EASY });
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body), ['hash', 'work', 'difficulty', 'multiplier']);
    assert.equal(body.hash, ROOT);
    assert.ok(isValid(ROOT, body.work, EASY));
    assert.ok(BigInt(`0x${String(body.difficulty)}`) >= BigInt(`0x${EASY}`));
    assert.ok(Number(body.multiplier) > 0);
  });

  it('answers a repeated hash with a lower difficulty from the cache', async () => {
    const first = await post(httpUrl(server, '/pow'), { hash: HASH_2, difficulty: 'ff80000000000000' });
    const second = await post(httpUrl(server, '/pow'), { hash: HASH_2, difficulty: EASY });
    assert.equal(second.body.work, first.body.work);
    assert.ok(isValid(HASH_2, second.body.work, EASY));
    assert.ok((await metricValue(server.metrics.cacheHits, { scheme: 'nano' })) >= 1);
  });

  it('node RPC work_generate answers in the node shape; multiplier overrides difficulty', async () => {
    const { status, body } = await post(httpUrl(server), { action: 'work_generate', hash: HASH_2, difficulty: SEND, multiplier: '0.00001' });
    assert.equal(status, 200);
    assert.deepEqual(Object.keys(body), ['work', 'difficulty', 'multiplier', 'hash']);
    const threshold = hex16(thresholdFromMultiplier('0.00001'));
    assert.ok(isValid(HASH_2, body.work, threshold), `valid for ${threshold}, the multiplier's threshold`);
    assert.equal(body.hash, HASH_2);
  });

  it('node RPC work_validate reports every threshold', async () => {
    const send = await post(httpUrl(server), { action: 'work_validate', hash: ROOT, work: SEND_WORK });
    assert.deepEqual(send.body, { valid_all: '1', valid_receive: '1', difficulty: 'fffffff93c41ec94', multiplier: send.body.multiplier });
    assert.ok(Math.abs(Number(send.body.multiplier) - 1.1826) < 0.001);
    const receive = await post(httpUrl(server), { action: 'work_validate', hash: ROOT, work: RECEIVE_WORK, difficulty: RECEIVE });
    assert.deepEqual(
      { valid: receive.body.valid, valid_all: receive.body.valid_all, valid_receive: receive.body.valid_receive, difficulty: receive.body.difficulty },
      { valid: '1', valid_all: '0', valid_receive: '1', difficulty: 'ffffffd21c3933f4' },
    );
    const strict = await post(httpUrl(server), { action: 'work_validate', hash: ROOT, work: RECEIVE_WORK, difficulty: SEND });
    assert.equal(strict.body.valid, '0');
  });

  it('node RPC work_cancel stops a request waiting for that hash', async () => {
    const hard = post(httpUrl(server), { action: 'work_generate', hash: ROOT, multiplier: 2 });
    await until(() => server.broker.stats().active === 1, 5000, 'the job to start');
    const cancel = await post(httpUrl(server), { action: 'work_cancel', hash: ROOT });
    assert.deepEqual(cancel, { status: 200, body: { success: '' } });
    assert.deepEqual(await hard, { status: 200, body: { error: `work generation for ${ROOT} was cancelled` } });
    await until(() => server.broker.stats().active === 0, 5000, 'the job to stop');
  });

  it('node RPC errors are HTTP 200 with a specific message', async () => {
    const cases: [unknown, string][] = [
      ['{"action":', 'bad JSON: '],
      ['[]', 'request body must be a JSON object'],
      [{ hash: ROOT }, 'action is required (work_generate, work_validate or work_cancel)'],
      [{ action: 'account_balance' }, 'unknown action "account_balance" (this server answers work_generate, work_validate and work_cancel)'],
      [{ action: 'work_generate' }, 'hash must be a string of 64 hex characters'],
      [{ action: 'work_generate', hash: 'abc' }, 'hash must be 64 hex characters'],
      [{ action: 'work_generate', hash: ROOT, difficulty: 'fffff' }, 'difficulty must be 16 hex characters'],
      [{ action: 'work_generate', hash: ROOT, multiplier: -1 }, 'multiplier must be a positive decimal number'],
      [{ action: 'work_generate', hash: ROOT, difficulty: 'ffffffff00000000' }, 'difficulty ffffffff00000000 is above the maximum (multiplier 2)'],
      [{ action: 'work_validate', hash: ROOT }, 'work must be a string of 16 hex characters'],
      [{ action: 'work_cancel', hash: 'xyz' }, 'hash must be 64 hex characters'],
      [JSON.stringify({ action: 'work_generate', hash: ROOT, pad: 'x'.repeat(600) }), 'request body too large (limit 512 bytes)'],
    ];
    for (const [request, message] of cases) {
      const { status, body } = await post(httpUrl(server), request);
      assert.equal(status, 200, String(request));
      if (message === 'bad JSON: ') assert.match(String(body.error), /^bad JSON: /);
      else assert.deepEqual(body, { error: message });
    }
  });

  it('/pow errors use HTTP status codes', async () => {
    assert.deepEqual(await post(httpUrl(server, '/pow'), { hash: 'nope' }), { status: 400, body: { error: 'hash must be 64 hex characters' } });
    const badJson = await post(httpUrl(server, '/pow'), '{');
    assert.equal(badJson.status, 400);
    assert.match(String(badJson.body.error), /^bad JSON: /);
    const big = await post(httpUrl(server, '/pow'), { hash: ROOT, pad: 'x'.repeat(600) });
    assert.deepEqual(big, { status: 413, body: { error: 'request body too large (limit 512 bytes)' } });
  });

  it('takes a valid JSON body with a __proto__ key as any other (the key means nothing to it)', async () => {
    const body = `{"__proto__":{"difficulty":"ffffffffffffffff"},"hash":"${ROOT}","difficulty":"${EASY}"}`;
    for (const contentType of ['application/json', 'text/plain']) {
      const answer = await post(httpUrl(server, '/pow'), body, { 'content-type': contentType });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.ok(isValid(ROOT, String(answer.body.work), EASY));
    }
  });

  it('refuses an absurd multiplier and bad JSON in any content type as client errors', async () => {
    // So small that the threshold would fall below zero.
    assert.deepEqual(await post(httpUrl(server), { action: 'work_generate', hash: ROOT, multiplier: 1e-300 }), {
      status: 200,
      body: { error: 'multiplier is too small' },
    });
    const badJson = await post(httpUrl(server, '/pow'), '{', { 'content-type': 'text/plain' });
    assert.equal(badJson.status, 400);
    assert.match(String(badJson.body.error), /^bad JSON: /);
  });

  it('node RPC work_validate checks a difficulty above the generation cap', async () => {
    // ffffffff00000000 is multiplier 8, above this server's max_multiplier of 2: validating costs nothing.
    const { status, body } = await post(httpUrl(server), { action: 'work_validate', hash: ROOT, work: SEND_WORK, difficulty: 'ffffffff00000000' });
    assert.equal(status, 200);
    assert.deepEqual(body, { valid: '0', valid_all: '1', valid_receive: '1', difficulty: 'fffffff93c41ec94', multiplier: body.multiplier });
  });

  it('accepts JSON bodies sent without a JSON content type', async () => {
    const { status, body } = await post(httpUrl(server, '/pow'), { hash: ROOT, difficulty: EASY }, { 'content-type': 'text/plain' });
    assert.equal(status, 200);
    assert.ok(isValid(ROOT, body.work, EASY));
  });
});

describe('Nano HTTP door with upstreams', () => {
  let slow: Upstream;
  let invalid: Upstream;
  let failing: Upstream;
  let broken: Upstream;
  let good: Upstream;
  before(async () => {
    // Never answers; it should be told to stop.
    slow = await upstream(() => {});
    // Answers at once with work valid only for receive blocks, claiming more.
    invalid = await upstream((_request, response) => answerJson(response, { work: RECEIVE_WORK, difficulty: 'ffffffffffffffff', hash: ROOT }));
    failing = await upstream((_request, response) => answerJson(response, { error: 'Work generation failed' }));
    broken = await upstream((_request, response) => answerJson(response, { message: 'oops' }, 500));
    // Answers correct send work, a little later than the others.
    good = await upstream((request, response) => {
      setTimeout(() => answerJson(response, { work: SEND_WORK, difficulty: 'fffffff93c41ec94', hash: request.hash }), 100);
    });
  });
  after(async () => {
    await Promise.all([slow, invalid, failing, broken, good].map((server) => server.close()));
  });

  it('races the upstreams, takes the first work valid for the requested difficulty, and cancels the rest', async () => {
    const urls = [slow, invalid, failing, broken, good].map((server) => server.url).join(';');
    const server = await startTestServer('[nano]\nmax_attempts = 1\n', { env: { URLS: urls }, engine: idleEngine });
    try {
      const { status, body } = await post(httpUrl(server, '/pow'), { hash: ROOT, difficulty: SEND });
      assert.equal(status, 200);
      assert.equal(body.work, SEND_WORK);
      assert.ok(isValid(ROOT, body.work, SEND));
      assert.equal(body.difficulty, 'fffffff93c41ec94');
      for (const server of [slow, invalid, failing, broken, good]) {
        assert.deepEqual(server.requests[0], { action: 'work_generate', hash: ROOT, difficulty: SEND });
      }
      await until(() => slow.requests.some((request) => request.action === 'work_cancel'), 5000, 'work_cancel at the slow upstream');
      assert.deepEqual(slow.requests.at(-1), { action: 'work_cancel', hash: ROOT });
      const { metrics } = server;
      assert.equal(await metricValue(metrics.upstreamWins, { upstream: good.url }), 1);
      assert.equal(await metricValue(metrics.upstreamFailures, { upstream: invalid.url, reason: 'invalid' }), 1);
      assert.equal(await metricValue(metrics.upstreamFailures, { upstream: failing.url, reason: 'error' }), 1);
      assert.equal(await metricValue(metrics.upstreamFailures, { upstream: broken.url, reason: 'error' }), 1);
      assert.equal(await metricValue(metrics.invalidCandidates, { source: 'upstream' }), 1);
    } finally {
      await server.close();
    }
  });

  it('never trusts invalid work: the local engine answers instead', async () => {
    const urls = [invalid, failing].map((server) => server.url).join(';');
    const server = await startTestServer('[nano]\nmax_attempts = 1\n', { env: { URLS: urls } });
    try {
      const { body } = await post(httpUrl(server, '/pow'), { hash: ROOT, difficulty: EASY });
      assert.notEqual(body.work, RECEIVE_WORK);
      assert.ok(isValid(ROOT, body.work, EASY));
      assert.equal(await metricValue(server.metrics.wins, { source: 'engine' }), 1);
    } finally {
      await server.close();
    }
  });

  it('refuses an upstream answer too large to be work, without reading it all', async () => {
    const bloated = await upstream((request, response) => answerJson(response, { work: SEND_WORK, hash: request.hash, pad: 'x'.repeat(4 << 20) }));
    const server = await startTestServer('[nano]\nmax_attempts = 1\n', { env: { URLS: `${bloated.url};${good.url}` }, engine: idleEngine });
    try {
      const { body } = await post(httpUrl(server), { action: 'work_generate', hash: ROOT, difficulty: SEND });
      assert.equal(body.work, SEND_WORK);
      assert.equal(await metricValue(server.metrics.upstreamWins, { upstream: good.url }), 1);
      assert.equal(await metricValue(server.metrics.upstreamFailures, { upstream: bloated.url, reason: 'error' }), 1);
    } finally {
      await server.close();
      await bloated.close();
    }
  });

  it('retries failed rounds with a doubling pause', async () => {
    let calls = 0;
    const times: number[] = [];
    const flaky = await upstream((request, response) => {
      times.push(performance.now());
      calls += 1;
      if (calls < 3) answerJson(response, { error: 'busy' });
      else answerJson(response, { work: SEND_WORK, hash: request.hash });
    });
    // The default timeout (seconds): a busy answer is never mistaken for a timeout on a loaded machine.
    const server = await startTestServer('[nano]\nmax_attempts = 3\nbackoff_ms = 40\n', { env: { URLS: flaky.url }, engine: idleEngine });
    try {
      const { body } = await post(httpUrl(server), { action: 'work_generate', hash: ROOT, difficulty: SEND });
      assert.equal(body.work, SEND_WORK);
      assert.equal(calls, 3);
      assert.ok(times[1]! - times[0]! >= 35, `first pause ${times[1]! - times[0]!} ms`);
      assert.ok(times[2]! - times[1]! >= 75, `second pause ${times[2]! - times[1]!} ms (doubled)`);
      assert.equal(await metricValue(server.metrics.upstreamFailures, { upstream: flaky.url, reason: 'error' }), 2);
    } finally {
      await server.close();
      await flaky.close();
    }
  });

  it('times out a request the upstream never answers, in every round', async () => {
    // The engine waits until the upstream rounds are over, so only the timeout can end them.
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const reference = createInlineEngine(referenceBackend);
    const heldEngine: Engine = {
      ...idleEngine,
      search: async (task, options) => {
        await released;
        return reference.search(task, options);
      },
    };
    const server = await startTestServer('[nano]\nmax_attempts = 2\nbackoff_ms = 10\nupstream_timeout_ms = 30\n', {
      env: { URLS: slow.url },
      engine: heldEngine,
    });
    try {
      const answer = post(httpUrl(server, '/pow'), { hash: ROOT, difficulty: EASY });
      const timeouts = () => metricValue(server.metrics.upstreamFailures, { upstream: slow.url, reason: 'timeout' });
      const deadline = performance.now() + 5000;
      while ((await timeouts()) < 2 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      assert.equal(await timeouts(), 2);
      release();
      const { body } = await answer;
      assert.ok(isValid(ROOT, body.work, EASY));
      assert.equal(await metricValue(server.metrics.wins, { source: 'engine' }), 1);
      assert.equal(await timeouts(), 2);
    } finally {
      release();
      await server.close();
    }
  });
});
