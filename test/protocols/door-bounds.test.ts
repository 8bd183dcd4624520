import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { test } from 'node:test';
import { WebSocket } from 'ws';
import { startTestServer, wsUrl } from '../helpers/server.js';

/** Everything a raw connection receives until the server closes it, and when that was. */
function rawExchange(port: number, send: (write: (text: string) => void) => void): Promise<{ text: string; ms: number }> {
  const started = performance.now();
  const socket = connect(port, '127.0.0.1');
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  socket.on('error', () => {});
  send((chunk) => {
    if (!socket.destroyed) socket.write(chunk);
  });
  return new Promise((resolve) => socket.once('close', () => resolve({ text, ms: performance.now() - started })));
}

test('an HTTP request whose body trickles in, or never comes, is cut at server.request_timeout_ms with 408', async () => {
  const server = await startTestServer('[server]\nrequest_timeout_ms = 400\n');
  const { port } = server.addresses.http;
  try {
    const head = 'POST /pow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
    const trickled = rawExchange(port, (write) => {
      write(head);
      const timer = setInterval(() => write(' '), 50);
      setTimeout(() => clearInterval(timer), 5000).unref();
    });
    const idle = rawExchange(port, (write) => write(head));
    for (const { text, ms } of await Promise.all([trickled, idle])) {
      assert.match(text, /^HTTP\/1\.1 408 /);
      assert.ok(ms < 3000, `cut after ${ms} ms`);
    }
  } finally {
    await server.close();
  }
});

test('one address may hold only server.max_connections_per_address of the WebSocket places', async () => {
  const server = await startTestServer('[server]\nmax_connections = 10\nmax_connections_per_address = 2\n');
  try {
    const open = (): Promise<WebSocket | number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(wsUrl(server));
        ws.once('open', () => resolve(ws));
        ws.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
        ws.on('error', () => {});
      });
    const first = await open();
    const second = await open();
    assert.ok(first instanceof WebSocket && second instanceof WebSocket);
    assert.equal(await open(), 503);
    first.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const again = await open();
    assert.ok(again instanceof WebSocket, 'a closed connection frees its place');
    for (const ws of [second, again]) if (ws instanceof WebSocket) ws.close();
  } finally {
    await server.close();
  }
});

test('a WebSocket is closed after server.max_errors_per_connection errors (1008), or idle (1000)', async () => {
  const server = await startTestServer('[server]\nmax_errors_per_connection = 3\nidle_timeout_ms = 300\n');
  try {
    const opened = async (): Promise<{ ws: WebSocket; answers: string[]; closed: Promise<number> }> => {
      const ws = new WebSocket(wsUrl(server));
      const answers: string[] = [];
      ws.on('message', (data) => answers.push(String(data)));
      const closed = new Promise<number>((resolve) => ws.once('close', resolve));
      await new Promise((resolve) => ws.once('open', resolve));
      return { ws, answers, closed };
    };
    const noisy = await opened();
    for (let i = 0; i < 5; i++) noisy.ws.send('junk');
    assert.equal(await noisy.closed, 1008);
    assert.equal(noisy.answers.length, 3, 'three error answers, then the close');
    const quiet = await opened();
    const started = performance.now();
    assert.equal(await quiet.closed, 1000);
    assert.ok(performance.now() - started >= 250);
  } finally {
    await server.close();
  }
});

test('an HTTP keep-alive connection is closed with its server.max_errors_per_connection-th error answer', async () => {
  const server = await startTestServer('[server]\nmax_errors_per_connection = 2\n');
  try {
    const bad = 'POST /pow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}';
    const { text } = await rawExchange(server.addresses.http.port, (write) => write(bad + bad + bad));
    assert.equal(text.match(/HTTP\/1\.1 400 /g)?.length, 2, text);
    assert.match(text, /connection: close/i);
  } finally {
    await server.close();
  }
});

test('an HTTP connection over server.max_http_connections_per_source gets a 503 in the JSON error shape', async () => {
  const server = await startTestServer('[server]\nmax_http_connections_per_source = 1\nlinger_ms = 50\n');
  const { port } = server.addresses.http;
  try {
    const held = connect(port, '127.0.0.1');
    await new Promise((resolve) => held.once('connect', resolve));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const { text } = await rawExchange(port, (write) => write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    assert.match(text, /^HTTP\/1\.1 503 /);
    assert.match(text, /\{"error":"too many connections from your address \(limit 1\)"\}$/);
    held.destroy();
  } finally {
    await server.close();
  }
});
