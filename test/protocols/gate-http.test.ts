import assert from 'node:assert/strict';
import { test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { Gate, type GateOptions } from '../../src/gate/gate.js';
import { gateHttpPlugin } from '../../src/protocols/gate-http.js';
import { mintStamp, weakStamp } from '../gate/stamps.js';
import { httpUrl, startTestServer } from '../helpers/server.js';

const BITS = 8;

async function gateApp(options: Partial<GateOptions> = {}): Promise<FastifyInstance> {
  const gate = new Gate({ secret: Buffer.from('a test secret of enough length'), purpose: 'http-test', bitsMin: BITS, bitsMax: BITS + 8, challengeTtlS: 60, tokenTtlS: 300, ...options });
  const app = Fastify();
  await app.register(gateHttpPlugin, { prefix: '/gate', gate });
  return app;
}

async function challenge(app: FastifyInstance, query = '') {
  const response = await app.inject({ method: 'GET', url: `/gate/challenge${query}` });
  assert.equal(response.statusCode, 200);
  return response.json() as { challenge: string; bits: number; algorithm: 'sha1' | 'sha256'; expires: number };
}

const verify = (app: FastifyInstance, payload: unknown) => app.inject({ method: 'POST', url: '/gate/verify', payload: payload as object });

test('GET /gate/challenge gives a SHA-256 challenge by default, SHA-1 on request', async () => {
  const app = await gateApp();
  const issued = await challenge(app);
  assert.equal(issued.algorithm, 'sha256');
  assert.equal(issued.bits, BITS);
  assert.match(issued.challenge, /^v1[0-9a-f]{92}$/);
  assert.ok(Math.abs(issued.expires - (Date.now() / 1000 + 60)) < 5);
  assert.equal((await challenge(app, '?algorithm=sha1')).algorithm, 'sha1');
  const bad = await app.inject({ method: 'GET', url: '/gate/challenge?algorithm=md5' });
  assert.equal(bad.statusCode, 400);
  assert.deepEqual(bad.json(), { error: 'algorithm must be sha1 or sha256' });
});

test('POST /gate/verify: a good stamp earns a token and a cookie, once', async () => {
  const app = await gateApp();
  const issued = await challenge(app);
  const solution = mintStamp(issued.challenge, BITS, { algorithm: 'sha256' });
  const ok = await verify(app, { challenge: issued.challenge, solution });
  assert.equal(ok.statusCode, 200);
  const body = ok.json() as { ok: boolean; token: string; expires: number };
  assert.equal(body.ok, true);
  assert.match(body.token, /^t2[0-9a-f]{90}$/);
  assert.match(String(ok.headers['set-cookie']), new RegExp(`^powerplant_gate=${body.token}; Path=/; Max-Age=300; HttpOnly; SameSite=Lax$`));
  const again = await verify(app, { challenge: issued.challenge, solution });
  assert.equal(again.statusCode, 409);
  assert.deepEqual(again.json(), { error: 'challenge already used' });
});

test('two verifications of one solution at once: exactly one succeeds', async () => {
  const app = await gateApp();
  const issued = await challenge(app);
  const solution = mintStamp(issued.challenge, BITS, { algorithm: 'sha256' });
  const answers = await Promise.all(Array.from({ length: 6 }, () => verify(app, { challenge: issued.challenge, solution })));
  assert.deepEqual(answers.map((a) => a.statusCode).sort(), [200, 409, 409, 409, 409, 409]);
});

test('attacks get 4xx with a specific error', async () => {
  let now = Date.now();
  const app = await gateApp({ now: () => now });
  const issued = await challenge(app);
  const other = await challenge(app);
  const good = mintStamp(issued.challenge, BITS, { algorithm: 'sha256' });
  const tampered = issued.challenge.slice(0, 40) + (issued.challenge[40] === 'f' ? 'e' : 'f') + issued.challenge.slice(41);
  const cases: [unknown, number, string | RegExp][] = [
    [{ challenge: issued.challenge, solution: mintStamp(other.challenge, BITS, { algorithm: 'sha256' }) }, 403, 'stamp is for another challenge'],
    [{ challenge: tampered, solution: mintStamp(tampered, BITS, { algorithm: 'sha256' }) }, 403, 'challenge signature is invalid'],
    [{ challenge: issued.challenge, solution: weakStamp(issued.challenge, BITS, 'sha256') }, 403, /leading zero bits/],
    [{ challenge: issued.challenge, solution: mintStamp(issued.challenge, BITS) }, 403, /leading zero bits/], // SHA-1 work on a SHA-256 challenge
    [{ challenge: issued.challenge, solution: mintStamp(issued.challenge, BITS, { algorithm: 'sha256', claim: 1 }) }, 403, /claims 1 bits/],
    [{ challenge: issued.challenge, solution: 'garbage' }, 400, /7 ':'-separated fields/],
    [{ challenge: issued.challenge }, 400, /solution/],
    [{ challenge: 5, solution: good }, 400, /challenge/],
  ];
  for (const [payload, status, error] of cases) {
    const answer = await verify(app, payload);
    assert.equal(answer.statusCode, status, JSON.stringify(payload));
    const message = (answer.json() as { error: string }).error;
    if (typeof error === 'string') assert.equal(message, error);
    else assert.match(message, error);
  }
  for (const [type, status] of [['application/json', 400], ['application/xml', 415]] as const) {
    const answer = await app.inject({ method: 'POST', url: '/gate/verify', payload: '{not json', headers: { 'content-type': type } });
    assert.equal(answer.statusCode, status);
    assert.equal(typeof (answer.json() as { error: unknown }).error, 'string');
  }
  const huge = await verify(app, { challenge: issued.challenge, solution: 'x'.repeat(5000) });
  assert.equal(huge.statusCode, 413);
  now += 60_000;
  const expired = await verify(app, { challenge: issued.challenge, solution: good });
  assert.equal(expired.statusCode, 403);
  assert.deepEqual(expired.json(), { error: 'challenge expired' });
});

test('a source asking too fast gets 429', async () => {
  const app = await gateApp({ policy: { sourceFree: 1, sourceLimit: 2 } });
  await challenge(app);
  assert.equal((await challenge(app)).bits, BITS + 1);
  const refused = await app.inject({ method: 'GET', url: '/gate/challenge' });
  assert.equal(refused.statusCode, 429);
});

test('the demo content opens with the token as Bearer or cookie, and not without', async () => {
  const app = await gateApp();
  const issued = await challenge(app);
  const { token } = (await verify(app, { challenge: issued.challenge, solution: mintStamp(issued.challenge, BITS, { algorithm: 'sha256' }) })).json() as { token: string };
  const without = await app.inject({ method: 'GET', url: '/gate/demo/content' });
  assert.equal(without.statusCode, 401);
  const bearer = await app.inject({ method: 'GET', url: '/gate/demo/content', headers: { authorization: `Bearer ${token}` } });
  assert.equal(bearer.statusCode, 200);
  assert.match(bearer.body, /Welcome through the gate/);
  const cookie = await app.inject({ method: 'GET', url: '/gate/demo/content', headers: { cookie: `theme=dark; powerplant_gate=${token}` } });
  assert.equal(cookie.statusCode, 200);
});

test('the widget, its worker, the demo page and the WASM build are served', async () => {
  const app = await gateApp();
  for (const [url, type] of [
    ['/gate/widget.js', /javascript/],
    ['/gate/worker.js', /javascript/],
    ['/gate/engine/wasm-kernels.js', /javascript/],
    ['/gate/schemes/search.js', /javascript/],
    ['/gate/demo', /html/],
    ['/gate/powerplant.wasm', /application\/wasm/],
    ['/gate/powerplant-simd.wasm', /application\/wasm/],
  ] as const) {
    const response = await app.inject({ method: 'GET', url });
    assert.equal(response.statusCode, 200, url);
    assert.match(String(response.headers['content-type']), type, url);
  }
  const wasm = await app.inject({ method: 'GET', url: '/gate/powerplant.wasm' });
  assert.deepEqual([...wasm.rawPayload.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d]);
});

test('the main server mounts the gate at /gate and counts its events in /metrics', async (t) => {
  const server = await startTestServer('[gate]\nsecret = "a server test secret"\nbits_min = 8\nbits_max = 8\n');
  t.after(() => server.close());
  const issued = (await (await fetch(httpUrl(server, '/gate/challenge?algorithm=sha1'))).json()) as { challenge: string; bits: number };
  assert.equal(issued.bits, 8);
  const post = (solution: string) =>
    fetch(httpUrl(server, '/gate/verify'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ challenge: issued.challenge, solution }) });
  assert.equal((await post(weakStamp(issued.challenge, 8))).status, 403);
  assert.equal((await post(mintStamp(issued.challenge, 8))).status, 200);
  const metrics = await (await fetch(httpUrl(server, '/metrics'))).text();
  for (const event of ['issued', 'insufficient', 'passed']) assert.match(metrics, new RegExp(`powerplant_gate_events_total\\{event="${event}"\\} 1`));
});
