import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import Fastify from 'fastify';
import { gateGuard, gateMiddleware, gatePreHandler, passChecker, tokenFromHeaders } from '../../src/gate/middleware.js';
import { TokenCodec } from '../../src/gate/token.js';

const SECRET = Buffer.from('a shared secret, only the secret');
const PURPOSE = 'site';
const token = new TokenCodec(SECRET, PURPOSE).issue('0123456789abcdef0123456789abcdef', 300, Date.now()).token;
const foreign = new TokenCodec(SECRET, 'elsewhere').issue('0123456789abcdef0123456789abcdef', 300, Date.now()).token;
const checker = passChecker({ secret: SECRET, purpose: PURPOSE });

test('the token is read from Authorization: Bearer, else from the gate cookie', () => {
  assert.equal(tokenFromHeaders({ authorization: 'Bearer abc' }), 'abc');
  assert.equal(tokenFromHeaders({ authorization: 'bearer  abc' }), 'abc');
  assert.equal(tokenFromHeaders({ cookie: 'a=1; powerplant_gate=xyz; b=2' }), 'xyz');
  assert.equal(tokenFromHeaders({ authorization: 'Basic Zm9v', cookie: 'powerplant_gate=xyz' }), 'xyz');
  assert.equal(tokenFromHeaders({ cookie: 'powerplant_gatex=1' }), undefined);
  assert.equal(tokenFromHeaders({}), undefined);
});

test('gateGuard protects the routes of the scope it is registered in, in a separate fastify app', async () => {
  const app = Fastify();
  app.get('/public', async () => 'open');
  await app.register(async (scope) => {
    await scope.register(gateGuard, { checker });
    scope.get('/private', async (request) => ({ challenge: request.gatePass?.challengeId }));
  });
  app.get('/single', { preHandler: gatePreHandler(checker) }, async () => 'single');

  assert.equal((await app.inject('/public')).statusCode, 200);
  const refused = await app.inject('/private');
  assert.equal(refused.statusCode, 401);
  assert.equal(refused.headers['www-authenticate'], 'Bearer realm="powerplant-gate"');
  assert.match((refused.json() as { error: string }).error, /pass is required/);
  const admitted = await app.inject({ url: '/private', headers: { authorization: `Bearer ${token}` } });
  assert.equal(admitted.statusCode, 200);
  assert.deepEqual(admitted.json(), { challenge: '0123456789abcdef0123456789abcdef' });
  const byCookie = await app.inject({ url: '/single', headers: { cookie: `powerplant_gate=${token}` } });
  assert.equal(byCookie.body, 'single');
  const wrong = await app.inject({ url: '/private', headers: { authorization: `Bearer ${foreign}` } });
  assert.equal(wrong.statusCode, 401);
  assert.deepEqual(wrong.json(), { error: 'pass token is for another purpose' });
  // Change the tag's last digit (to '0' it would be no change at all for one token in 16).
  const forgedToken = token.slice(0, -1) + (token.endsWith('0') ? '1' : '0');
  const forged = await app.inject({ url: '/single', headers: { authorization: `Bearer ${forgedToken}` } });
  assert.equal(forged.statusCode, 401);
});

test('gateMiddleware protects a plain node:http app', async (t) => {
  const guard = gateMiddleware(checker);
  const server: Server = createServer((request, response) => {
    guard(request, response, () => response.end(`hello ${(request as typeof request & { gatePass?: { expires: number } }).gatePass?.expires ? 'member' : ''}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const refused = await fetch(url);
  assert.equal(refused.status, 401);
  assert.match(((await refused.json()) as { error: string }).error, /pass is required/);
  const expired = new TokenCodec(SECRET, PURPOSE).issue('0123456789abcdef0123456789abcdef', 1, Date.now() - 5000).token;
  const late = await fetch(url, { headers: { authorization: `Bearer ${expired}` } });
  assert.deepEqual([late.status, await late.json()], [401, { error: 'pass token expired' }]);
  const admitted = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(admitted.status, 200);
  assert.equal(await admitted.text(), 'hello member');
});
