/**
 * The gate's HTTP front door, a fastify plugin meant for the prefix /gate:
 *
 *   GET  /challenge[?algorithm=sha1|sha256]  → {"challenge","bits","algorithm","expires"}
 *   POST /verify {"challenge","solution"}    → {"ok":true,"token","expires"} + cookie, or 4xx {"error"}
 *   GET  /widget.js, /worker.js              the <powerplant-gate> web component and its Web Worker
 *   GET  /powerplant.wasm, /powerplant-simd.wasm, /engine/wasm-kernels.js, /schemes/search.js
 *                                            the engine's WASM build and its browser calling code
 *   GET  /demo, /demo/content                a page whose content unlocks with a pass
 * @module
 */
import { existsSync } from 'node:fs';
import { packageRoot } from '../paths.js';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyError, FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Gate } from '../gate/gate.js';
import { GATE_COOKIE, gatePreHandler } from '../gate/middleware.js';
import { PowerplantError } from '../errors.js';

export interface GateHttpOptions {
  readonly gate: Gate;
}

const ChallengeQuery = z.object({ algorithm: z.enum(['sha1', 'sha256']).default('sha256') });
const VerifyBody = z.object({ challenge: z.string().max(256), solution: z.string().max(1024) });

/** Bytes a POST /verify body may have: a challenge, a stamp and JSON around them. */
const VERIFY_BODY_LIMIT = 4096;

/** Where each static file comes from: web/ for the widget, the compiled engine for its WASM calling code. */
function staticFiles(): Record<string, { readonly path: string; readonly type: string }> {
  const root = packageRoot();
  const compiled = dirname(dirname(fileURLToPath(import.meta.url)));
  const js = 'text/javascript; charset=utf-8';
  return {
    '/widget.js': { path: join(root, 'web', 'widget.js'), type: js },
    '/worker.js': { path: join(root, 'web', 'worker.js'), type: js },
    '/demo': { path: join(root, 'web', 'demo.html'), type: 'text/html; charset=utf-8' },
    '/engine/wasm-kernels.js': { path: join(compiled, 'engine', 'wasm-kernels.js'), type: js },
    '/schemes/search.js': { path: join(compiled, 'schemes', 'search.js'), type: js },
    '/powerplant.wasm': { path: join(root, 'wasm', 'powerplant.wasm'), type: 'application/wasm' },
    '/powerplant-simd.wasm': { path: join(root, 'wasm', 'powerplant-simd.wasm'), type: 'application/wasm' },
  };
}

function refuse(reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof PowerplantError) || error.wires.http === undefined) throw error;
  return reply.code(error.wires.http).send({ error: error.message });
}

const firstIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid request' : `${issue.path.join('.') || 'body'}: ${issue.message}`;
};

export const gateHttpPlugin: FastifyPluginAsync<GateHttpOptions> = async (app, { gate }) => {
  // Fastify's own 4xx (bad JSON, body too large, wrong content type) in the gate's {"error"} shape.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'gate: request failed');
    return reply.code(status).send({ error: status >= 500 ? 'internal error' : error.message });
  });

  app.get('/challenge', async (request, reply) => {
    const query = ChallengeQuery.safeParse(request.query);
    if (!query.success) return reply.code(400).send({ error: 'algorithm must be sha1 or sha256' });
    try {
      const challenge = await gate.issue(request.ip, query.data.algorithm);
      reply.header('cache-control', 'no-store');
      return { challenge: challenge.text, bits: challenge.bits, algorithm: challenge.algorithm, expires: challenge.expires };
    } catch (error) {
      return refuse(reply, error);
    }
  });

  app.post('/verify', { bodyLimit: VERIFY_BODY_LIMIT }, async (request, reply) => {
    const body = VerifyBody.safeParse(request.body);
    if (!body.success) return reply.code(400).send({ error: firstIssue(body.error) });
    try {
      const pass = gate.passFor(await gate.verify(body.data.challenge, body.data.solution));
      const secure = request.protocol === 'https' ? '; Secure' : '';
      reply.header('set-cookie', `${GATE_COOKIE}=${pass.token}; Path=/; Max-Age=${gate.tokenTtlS}; HttpOnly; SameSite=Strict${secure}`);
      reply.header('cache-control', 'no-store');
      return { ok: true, token: pass.token, expires: pass.expires };
    } catch (error) {
      return refuse(reply, error);
    }
  });

  for (const [route, file] of Object.entries(staticFiles())) {
    app.get(route, async (_request, reply) => {
      const content = await readFile(file.path).catch(() => null);
      if (content === null) return reply.code(404).send({ error: `${route.slice(1)} is not built on this server` });
      return reply.type(file.type).header('cache-control', 'no-cache').send(content);
    });
  }

  app.get('/demo/content', { preHandler: gatePreHandler(gate) }, async (request, reply) => {
    const until = new Date((request.gatePass?.expires ?? 0) * 1000).toISOString();
    return reply
      .type('text/html; charset=utf-8')
      .send(`<h2>Welcome through the gate</h2><p>This content needed a proof of work. Your pass is good until ${until}.</p>`);
  });
};
