import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { ChallengeCodec } from '../../src/gate/challenge.js';
import { TokenCodec } from '../../src/gate/token.js';
import { mintStamp } from '../gate/stamps.js';
import { metricValue } from '../broker/helpers.js';
import { GATE_TEST_BITS, GATE_TEST_SECRET as SECRET, gateInFront } from '../helpers/gate-proxy.js';
import { openHttpConnection } from '../helpers/server.js';

const BITS = GATE_TEST_BITS;

interface JsonChallenge {
  readonly error: string;
  readonly challenge: string;
  readonly bits: number;
  readonly algorithm: string;
  readonly solve: string;
}

const json = { accept: 'application/json' };

/** Solve the challenge a refused JSON request gets and trade the stamp for a pass token. */
async function earnPass(proxy: string, path = '/'): Promise<string> {
  const refused = await fetch(proxy + path, { headers: json });
  const { challenge, bits } = (await refused.json()) as JsonChallenge;
  const verified = await fetch(`${proxy}/gate/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ challenge, solution: mintStamp(challenge, bits) }),
  });
  assert.equal(verified.status, 200);
  return ((await verified.json()) as { token: string }).token;
}

test('without a pass: the challenge page (or JSON), and nothing reaches the upstream', async (t) => {
  const { upstream, proxy } = await gateInFront(t);
  const page = await fetch(`${proxy}/page?x=1&y=%C3%BC`, { headers: { accept: 'text/html', 'accept-language': 'fr-CH, de;q=0.9' } });
  assert.equal(page.status, 401);
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  const html = await page.text();
  assert.match(html, /<html lang="fr" dir="ltr">/);
  const challenge = /challenge="(v1[0-9a-f]{92})"/.exec(html)?.[1];
  assert.ok(challenge !== undefined, 'the page carries a challenge');
  assert.ok(html.includes(`hashcash -mb${BITS} ${challenge}`), 'the no-JS part gives the stock hashcash command');
  assert.ok(html.includes(`powerplant solve hashcash --bits ${BITS} --resource ${challenge}`));
  assert.ok(html.includes('return-to="/page?x=1&amp;y=%C3%BC"'));
  assert.ok(html.includes('<input type="hidden" name="return" value="/page?x=1&amp;y=%C3%BC">'));

  const api = await fetch(`${proxy}/page`, { headers: json });
  assert.equal(api.status, 401);
  const body = (await api.json()) as JsonChallenge;
  assert.equal(body.error, 'a gate pass is required');
  assert.equal(body.algorithm, 'sha1');
  assert.equal(body.bits, BITS);
  assert.equal(body.solve, '/gate/solve?return=%2Fpage');
  // A path that reads as another origin (`//host/...`) is never offered as the way back.
  const sneaky = await fetch(`${proxy}//evil.example/x`, { headers: json });
  assert.equal(sneaky.status, 401);
  assert.equal(((await sneaky.json()) as JsonChallenge).solve, '/gate/solve?return=%2F');

  const socket = new WebSocket(`${proxy.replace('http', 'ws')}/socket`);
  const status = await new Promise<number>((resolve) => socket.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0)));
  assert.equal(status, 401, 'a WebSocket upgrade without a pass is refused');
  assert.deepEqual(upstream.seen, []);
});

test('with a pass: bodies, status and headers stream both ways, without hop-by-hop headers or the pass', async (t) => {
  const { upstream, proxy } = await gateInFront(t);
  const token = await earnPass(proxy);
  const cookie = `theme=dark; powerplant_gate=${token}; lang=de`;

  // node:http, not fetch: fetch will not send a Connection header of its own making.
  const got = await new Promise<{ status: number; headers: IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const headers = { ...json, cookie, connection: 'keep-alive, x-drop-me', 'x-drop-me': '1', 'x-keep': 'yes' };
    httpGet(`${proxy}/page?x=1`, { headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    }).on('error', reject);
  });
  assert.equal(got.status, 200);
  assert.equal(got.headers['x-upstream'], 'yes');
  const echoed = JSON.parse(got.body) as { url: string; headers: Record<string, string> };
  assert.equal(echoed.url, '/page?x=1');
  assert.equal(echoed.headers.cookie, 'theme=dark; lang=de', 'the pass cookie stays at the gate');
  assert.equal(echoed.headers['x-drop-me'], undefined, 'headers named in Connection are dropped');
  assert.equal(echoed.headers['x-keep'], 'yes');
  assert.equal(echoed.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(echoed.headers['x-forwarded-proto'], 'http');
  assert.equal(echoed.headers['x-forwarded-host'], new URL(proxy).host);
  assert.equal(echoed.headers.host, new URL(proxy).host, "the visitor's Host is kept");

  const bearer = await fetch(`${proxy}/bearer`, { headers: { ...json, authorization: `Bearer ${token}` } });
  const seenBearer = (await bearer.json()) as { headers: Record<string, string> };
  assert.equal(seenBearer.headers.authorization, undefined, 'a Bearer pass is not passed on');
  assert.equal(seenBearer.headers.cookie, undefined);

  const payload = randomBytes(1 << 20);
  const posted = await fetch(`${proxy}/upload`, { method: 'POST', headers: { cookie, 'content-type': 'application/octet-stream' }, body: payload });
  assert.equal(posted.status, 201);
  assert.deepEqual(await posted.json(), { length: payload.length, sha256: createHash('sha256').update(payload).digest('hex') });

  const hop = await fetch(`${proxy}/hop`, { headers: { cookie } });
  assert.equal(await hop.text(), 'hop');
  assert.equal(hop.headers.get('x-upstream'), 'yes');
  assert.equal(hop.headers.get('x-hop-secret'), null, 'response headers named in Connection are dropped');

  const socket = new WebSocket(`${proxy.replace('http', 'ws')}/socket?room=1`, { headers: { cookie } });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  socket.send('hello');
  const reply = await new Promise<unknown>((resolve) => socket.once('message', (data) => resolve(data)));
  assert.equal(String(reply), 'echo: hello');
  socket.close();
  const upgrade = upstream.seen.find((request) => request.method === 'WEBSOCKET');
  assert.equal(upgrade?.url, '/socket?room=1');
  assert.equal(upgrade?.headers.cookie, 'theme=dark; lang=de');
  assert.equal(upgrade?.headers['x-forwarded-for'], '127.0.0.1');
});

test('forged, expired, foreign and under-worked passes are refused with the reason, never forwarded', async (t) => {
  const { upstream, proxy, server } = await gateInFront(t, '[[gate.http.rules]]\naction = "challenge"\npath = "/admin"\nbits = 10\n');
  const admissions = (outcome: string) => metricValue(server.metrics.gateAdmissions, { route: 'proxy', outcome });
  const token = await earnPass(proxy);
  assert.equal(await admissions('no-pass'), 1, 'earnPass was refused once without a pass');
  const codec = new TokenCodec(Buffer.from(SECRET), 'proxy-test');
  const cases: Array<[string, string, string]> = [
    [token.slice(0, -1) + (token.endsWith('0') ? '1' : '0'), 'pass token signature is invalid', 'forged'],
    [codec.issue('0123456789abcdef0123456789abcdef', 1, Date.now() - 5000, BITS).token, 'pass token expired', 'expired'],
    [new TokenCodec(Buffer.from(SECRET), 'elsewhere').issue('0123456789abcdef0123456789abcdef', 300, Date.now(), BITS).token, 'pass token is for another purpose', 'wrong-purpose'],
    ['garbage', 'pass token is malformed', 'invalid'],
  ];
  for (const [bad, reason, outcome] of cases) {
    const refused = await fetch(`${proxy}/page`, { headers: { ...json, cookie: `powerplant_gate=${bad}` } });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as JsonChallenge).error, reason);
    assert.equal(await admissions(outcome), 1, `counted as ${outcome}`);
  }
  const admin = await fetch(`${proxy}/admin/users`, { headers: { ...json, cookie: `powerplant_gate=${token}` } });
  assert.equal(admin.status, 401);
  const body = (await admin.json()) as JsonChallenge;
  assert.equal(body.error, `pass was earned with ${BITS} bits; this address needs 10`);
  assert.equal(body.bits, 10, 'the new challenge asks for the rule\'s bits');
  assert.deepEqual(upstream.seen, []);
  const stronger = await earnPass(proxy, '/admin');
  const opened = await fetch(`${proxy}/admin/users`, { headers: { ...json, cookie: `powerplant_gate=${stronger}` } });
  assert.equal(opened.status, 200);
  assert.equal(await admissions('insufficient'), 1);
  assert.equal(await admissions('passed'), 1);
});

test('the no-JavaScript form: a stamp sets the pass and redirects; replayed or foreign stamps are refused', async (t) => {
  const { upstream, proxy } = await gateInFront(t);
  const { challenge, bits } = (await (await fetch(`${proxy}/docs?page=2`, { headers: json })).json()) as JsonChallenge;
  const stamp = mintStamp(challenge, bits);
  const post = (fields: Record<string, string>, accept = 'text/html') =>
    fetch(`${proxy}/gate/stamp`, { method: 'POST', redirect: 'manual', headers: { accept, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });

  const passed = await post({ stamp, return: '/docs?page=2' });
  assert.equal(passed.status, 303);
  assert.equal(passed.headers.get('location'), '/docs?page=2');
  const cookie = /^powerplant_gate=(t2[0-9a-f]+);.*HttpOnly; SameSite=Lax/.exec(passed.headers.get('set-cookie') ?? '');
  assert.ok(cookie !== null, passed.headers.get('set-cookie') ?? 'no cookie');
  const through = await fetch(`${proxy}/docs?page=2`, { headers: { cookie: `powerplant_gate=${cookie[1]}` } });
  assert.equal(through.status, 200);
  assert.match(await through.text(), /The upstream site/);

  const replayed = await post({ stamp, return: '/docs' });
  assert.equal(replayed.status, 409);
  assert.match(await replayed.text(), /challenge already used/);
  const foreign = new ChallengeCodec(Buffer.from(SECRET), 'elsewhere').issue({ bits: BITS, algorithm: 'sha1', ttlS: 60, nowMs: Date.now() }).text;
  const wrongPurpose = await post({ stamp: mintStamp(foreign, BITS), return: '/' }, 'application/json');
  assert.equal(wrongPurpose.status, 403);
  assert.equal(((await wrongPurpose.json()) as JsonChallenge).error, 'challenge is for another purpose');
  const empty = await post({ stamp: '  ' }, 'application/json');
  assert.equal(empty.status, 400);
  assert.equal(((await empty.json()) as JsonChallenge).error, 'stamp is required');
  const offsite = await post({ stamp: mintStamp((((await (await fetch(`${proxy}/`, { headers: json })).json()) as JsonChallenge).challenge), BITS), return: '//evil.example/' });
  assert.equal(offsite.headers.get('location'), '/', 'never a redirect off the site');
  assert.equal(upstream.seen.length, 1);
});

test('policy: allow, deny, networks behind a trusted proxy, and paths that only pretend to be allowed', async (t) => {
  const rules = `
[server]
trust_proxy = ["127.0.0.1"]
[[gate.http.rules]]
action = "allow"
path = "/.well-known/"
[[gate.http.rules]]
action = "deny"
user_agent = "badbot"
[[gate.http.rules]]
action = "allow"
networks = ["203.0.113.0/24"]
methods = ["GET"]
`;
  const { upstream, proxy } = await gateInFront(t, rules.replace('[server]\ntrust_proxy = ["127.0.0.1"]\n', ''));
  const allowed = await fetch(`${proxy}/.well-known/security.txt`);
  assert.equal(allowed.status, 200);
  const denied = await fetch(`${proxy}/.well-known/x`, { headers: { 'user-agent': 'Mozilla/5.0 BadBot/1.0' } });
  assert.equal(denied.status, 200, 'the first matching rule wins');
  const deniedElsewhere = await fetch(`${proxy}/page`, { headers: { ...json, 'user-agent': 'Mozilla/5.0 BadBot/1.0' } });
  assert.equal(deniedElsewhere.status, 403);
  for (const sneaky of ['/.well-known/..%2Fadmin', '/.well-known/%2e%2e/admin', '/.well-known%2F..%2Fadmin']) {
    const refused = await fetch(proxy + sneaky, { headers: json });
    assert.equal(refused.status, 401, sneaky);
  }
  const untrusted = await fetch(`${proxy}/page`, { headers: { ...json, 'x-forwarded-for': '203.0.113.9' } });
  assert.equal(untrusted.status, 401, 'X-Forwarded-For from an untrusted peer is not believed');
  assert.equal(upstream.seen.length, 2);

  const behindBalancer = await gateInFront(t, rules);
  const trusted = await fetch(`${behindBalancer.proxy}/page`, { headers: { ...json, 'x-forwarded-for': '203.0.113.9' } });
  assert.equal(trusted.status, 200);
  const seen = (await trusted.json()) as { headers: Record<string, string> };
  assert.equal(seen.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
  const posted = await fetch(`${behindBalancer.proxy}/page`, { method: 'POST', headers: { ...json, 'x-forwarded-for': '203.0.113.9' }, body: 'x' });
  assert.equal(posted.status, 401, 'the rule is for GET only');
});

test('upstream trouble: 504 when it does not answer in time, 502 when it is down; big bodies get 413', async (t) => {
  const { proxy, server } = await gateInFront(t, '[gate.http]\nupstream_timeout_ms = 300\nmax_body_bytes = 1000\n');
  const token = await earnPass(proxy);
  const cookie = `powerplant_gate=${token}`;
  const slow = await fetch(`${proxy}/slow`, { headers: { cookie } });
  assert.equal(slow.status, 504);
  assert.match(await slow.text(), /did not answer in time/);
  const big = await fetch(`${proxy}/upload`, { method: 'POST', headers: { cookie, 'content-type': 'application/octet-stream' }, body: randomBytes(5000) });
  assert.equal(big.status, 413);
  const chunked = await fetch(`${proxy}/upload`, {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/octet-stream' },
    body: Readable.toWeb(Readable.from([randomBytes(800), randomBytes(800)])) as ReadableStream,
    duplex: 'half',
  } as RequestInit);
  assert.equal(chunked.status, 413, 'a chunked body is cut at the limit too');
  assert.equal(await metricValue(server.metrics.limitsHit, { door: 'gate-proxy', limit: 'body_bytes' }), 2);

  const down = await gateInFront(t, '', 'http://127.0.0.1:1');
  const downToken = await earnPass(down.proxy);
  const bad = await fetch(`${down.proxy}/page`, { headers: { cookie: `powerplant_gate=${downToken}` } });
  assert.equal(bad.status, 502);
  assert.match(await bad.text(), /cannot be reached/);
});

test('forward-auth: 200 with a pass, 401 with where to solve without, policy applied to the forwarded URI', async (t) => {
  const { api, proxy, server } = await gateInFront(t, '[[gate.http.rules]]\naction = "allow"\npath = "/robots.txt"\n[[gate.http.rules]]\naction = "deny"\nmethods = ["DELETE"]\n');
  const auth = (headers: Record<string, string>) => fetch(`${api}/gate/auth`, { headers });
  const refused = await auth({ 'x-forwarded-uri': '/shop?item=3', 'x-forwarded-method': 'GET', ...json });
  assert.equal(refused.status, 401);
  assert.equal(refused.headers.get('www-authenticate'), 'Bearer realm="powerplant-gate"');
  const body = (await refused.json()) as JsonChallenge;
  assert.equal(body.error, 'a gate pass is required');
  assert.equal(body.solve, '/gate/solve?return=%2Fshop%3Fitem%3D3');
  const page = await auth({ 'x-original-uri': '/shop?item=3', accept: 'text/html' });
  assert.equal(page.status, 401);
  assert.ok((await page.text()).includes('return-to="/shop?item=3"'), 'browsers get the challenge page (Traefik and Caddy pass it on)');

  const token = await earnPass(proxy);
  const admitted = await auth({ 'x-forwarded-uri': '/shop', cookie: `powerplant_gate=${token}` });
  assert.equal(admitted.status, 200);
  assert.equal(((await admitted.json()) as { ok: boolean }).ok, true);
  assert.equal((await auth({ 'x-forwarded-uri': '/robots.txt' })).status, 200);
  assert.equal((await auth({ 'x-forwarded-uri': '/shop', 'x-forwarded-method': 'DELETE', cookie: `powerplant_gate=${token}` })).status, 403);
  assert.equal((await auth({ 'x-forwarded-uri': '/shop', authorization: 'Bearer t2' + '0'.repeat(90) })).status, 401);
  const answers = async (outcome: string) => metricValue(server.metrics.gateAdmissions, { route: 'forward-auth', outcome });
  assert.deepEqual(
    await Promise.all(['no-pass', 'passed', 'allowed', 'denied', 'forged'].map(answers)),
    [2, 1, 1, 1, 1],
    'forward-auth answers are counted by outcome',
  );

  const solve = await fetch(`${api}/gate/solve?return=/shop`, { redirect: 'manual', headers: { cookie: `powerplant_gate=${token}` } });
  assert.equal(solve.status, 303, 'a visitor with a pass goes straight on');
  assert.equal(solve.headers.get('location'), '/shop');
});

test('the proxy holds at most gate.http.max_connections_per_source connections from one address', async (t) => {
  const { server } = await gateInFront(t, '[gate.http]\nmax_connections_per_source = 2\n');
  const port = server.addresses['gate-proxy']!.port;
  const open: Socket[] = [];
  t.after(() => open.forEach((socket) => socket.destroy()));
  for (let i = 0; i < 2; i++) {
    const socket = await openHttpConnection(port, '/gate/');
    assert.ok(socket !== null, `connection ${i + 1} served`);
    open.push(socket);
  }
  assert.equal(await openHttpConnection(port, '/gate/'), null, 'the third is closed unanswered');
  assert.equal(await metricValue(server.metrics.connectionsRefused, { door: 'gate-proxy' }), 1);
  const other = await openHttpConnection(port, '/gate/', '127.0.0.2');
  assert.ok(other !== null, 'another address is served');
  open.push(other);
});

test('a request whose body trickles in is cut at gate.http.request_timeout_ms with 408', async (t) => {
  const { server } = await gateInFront(t, '[gate.http]\nrequest_timeout_ms = 1000\n');
  const socket = connect(server.addresses['gate-proxy']!.port, '127.0.0.1');
  t.after(() => socket.destroy());
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk.toString()));
  socket.on('error', () => {});
  const started = performance.now();
  socket.write('POST /gate/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n');
  const trickle = setInterval(() => socket.writable && socket.write(' '), 50);
  await new Promise((resolve) => socket.once('close', resolve));
  clearInterval(trickle);
  assert.match(answer, /^HTTP\/1\.1 408 /);
  assert.ok(performance.now() - started < 4000, 'cut near the timeout');
  assert.equal(await metricValue(server.metrics.limitsHit, { door: 'gate-proxy', limit: 'request_timeout' }), 1);
});

test('a source past gate.max_puzzles_per_source_per_minute is refused at the proxy and counted', async (t) => {
  const { proxy, server } = await gateInFront(t, 'max_puzzles_per_source_per_minute = 1\n');
  const first = await fetch(`${proxy}/page`, { headers: json });
  assert.equal(first.status, 401);
  const limited = await fetch(`${proxy}/page`, { headers: json });
  assert.equal(limited.status, 429);
  assert.equal(await metricValue(server.metrics.limitsHit, { door: 'gate-proxy', limit: 'puzzles_per_source' }), 1);
  assert.equal(await metricValue(server.metrics.gateAdmissions, { route: 'proxy', outcome: 'no-pass' }), 2);
});
