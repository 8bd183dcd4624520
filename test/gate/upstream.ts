/**
 * Test helper: a small real website to put behind the gate. HTTP on 127.0.0.1 (port 0) with a
 * WebSocket echo on the same port; it records every request it gets.
 *
 *   GET  /slow            never answers (timeouts)
 *   GET  /hop             answers with a hop-by-hop header named in Connection
 *   POST anything         201 {"length","sha256"} of the body it received
 *   any other            200 an HTML page naming the path and query, or JSON of what it got
 *                        (Accept: application/json)
 *   WebSocket             echoes every message with "echo: " in front
 * @module
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}

export interface Upstream {
  readonly url: string;
  /** Requests and WebSocket upgrades it got, oldest first. */
  readonly seen: Seen[];
  close(): Promise<void>;
}

export async function startUpstream(): Promise<Upstream> {
  const seen: Seen[] = [];
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    seen.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
    const path = new URL(request.url ?? '/', 'http://upstream.invalid');
    if (path.pathname === '/slow') {
      hanging.add(response);
      return;
    }
    if (path.pathname === '/hop') {
      response.writeHead(200, { connection: 'x-hop-secret', 'x-hop-secret': 'not for visitors', 'x-upstream': 'yes' });
      response.end('hop');
      return;
    }
    if (request.method === 'POST') {
      const hash = createHash('sha256');
      let length = 0;
      request.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        length += chunk.length;
      });
      request.on('end', () => {
        response.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' });
        response.end(JSON.stringify({ length, sha256: hash.digest('hex') }));
      });
      return;
    }
    if ((request.headers.accept ?? '').includes('application/json')) {
      response.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'yes' });
      response.end(JSON.stringify({ method: request.method, url: request.url, headers: request.headers }));
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-upstream': 'yes' });
    response.end(
      `<!doctype html><html lang="en"><head><title>Upstream</title></head><body><main><h1 id="upstream">The upstream site</h1>` +
        `<p>path <code id="path">${path.pathname}</code> query <code id="query">${path.search}</code></p></main></body></html>`,
    );
  });
  const sockets = new WebSocketServer({ server });
  sockets.on('connection', (socket, request) => {
    seen.push({ method: 'WEBSOCKET', url: request.url ?? '', headers: request.headers });
    socket.on('message', (data) => socket.send(`echo: ${String(data)}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      for (const response of hanging) response.destroy();
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
