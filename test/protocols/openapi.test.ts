import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpUrl, startTestServer } from '../helpers/server.js';

interface OpenApi {
  readonly openapi: string;
  readonly info: { readonly version: string };
  readonly paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { required?: string[]; properties?: Record<string, { maxLength?: number }> } }> }; parameters?: { name: string; in: string; schema: { enum?: string[] } }[] }>>;
}

test('/openapi.json describes the HTTP routes from their schemas', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const answer = await fetch(httpUrl(server, '/openapi.json'));
  assert.equal(answer.status, 200);
  const document = (await answer.json()) as OpenApi;
  assert.match(document.openapi, /^3\./);
  for (const path of ['/healthz', '/metrics', '/pow', '/gate/challenge', '/gate/verify', '/gate/demo']) assert.ok(path in document.paths, path);
  const verify = document.paths['/gate/verify']!.post!.requestBody!.content['application/json']!.schema;
  assert.deepEqual([...verify.required!].sort(), ['challenge', 'solution']);
  assert.equal(verify.properties!.challenge!.maxLength, 256);
  const pow = document.paths['/pow']!.post!.requestBody!.content['application/json']!.schema;
  assert.deepEqual(pow.required, ['hash']);
  assert.ok('multiplier' in pow.properties!);
  const algorithm = document.paths['/gate/challenge']!.get!.parameters!.find((parameter) => parameter.name === 'algorithm');
  assert.deepEqual(algorithm?.schema.enum, ['sha1', 'sha256']);
});

test('GET /gate explains the gate and links to a demo that exists', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  for (const path of ['/gate', '/gate/']) {
    const page = await fetch(httpUrl(server, path));
    assert.equal(page.status, 200, path);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const html = await page.text();
    const links = [...html.matchAll(/href="([^"]+)"/g)].map((match) => match[1]!);
    assert.ok(links.includes('/gate/demo'), html);
    for (const link of links) assert.equal((await fetch(httpUrl(server, link))).status, 200, link);
  }
  const content = await fetch(httpUrl(server, '/gate/demo/content'));
  assert.equal(content.status, 401, 'the demo content still needs a pass');
});

test('POST /gate/verify with a wrong body answers in the gate\'s words', async (t) => {
  const server = await startTestServer();
  t.after(() => server.close());
  const post = async (body: string) => {
    const answer = await fetch(httpUrl(server, '/gate/verify'), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(answer.status, 400, body);
    return ((await answer.json()) as { error: string }).error;
  };
  assert.equal(await post('{}'), 'challenge is required (the challenge from GET /gate/challenge)');
  assert.equal(await post('{"challenge":"x"}'), 'solution is required (the hashcash stamp minted for it)');
  assert.equal(await post('{"challenge":5,"solution":"y"}'), 'challenge must be a string (the challenge from GET /gate/challenge)');
  assert.equal(await post(`{"challenge":"${'c'.repeat(300)}","solution":"y"}`), 'challenge must be at most 256 characters');
  assert.equal(await post('[]'), 'the body must be a JSON object {"challenge","solution"}');
});
