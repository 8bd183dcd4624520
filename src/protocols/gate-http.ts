/**
 * The gate's HTTP front door, a fastify plugin meant for the prefix /gate:
 *
 *   GET  /challenge[?algorithm=sha1|sha256]  → {"challenge","bits","algorithm","expires"}
 *   POST /verify {"challenge","solution"}    → {"ok":true,"token","expires"} + cookie, or 4xx {"error"}
 *   GET  /widget.js, /worker.js              the <powerplant-gate> web component and its Web Worker
 *   GET  /powerplant.wasm, /powerplant-simd.wasm, /engine/wasm-kernels.js, /schemes/search.js
 *                                            the engine's WASM build and its browser calling code
 *   GET  /demo, /demo/content                a page whose content unlocks with a pass
 *   GET  /auth                               forward-auth: 200 with a valid pass, 401 (the challenge) without
 *   GET  /solve?return=/path                 the challenge page, going on to /path once passed
 *   POST /stamp (form: stamp, return)        the no-JavaScript way in: a hashcash stamp sets the pass
 * @module
 */
import { existsSync } from 'node:fs';
import { packageRoot } from '../paths.js';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { decide, replyChallenge, replyDenied, requestFacts, type Admission } from '../gate/admission.js';
import type { Gate } from '../gate/gate.js';
import { GATE_COOKIE, gatePreHandler } from '../gate/middleware.js';
import { returnPath } from '../gate/page.js';
import { GatePolicy } from '../gate/policy.js';
import { GateRefusal, REFUSAL_STATUS } from '../gate/refusal.js';
import type { Pass } from '../gate/token.js';

export interface GateHttpOptions {
  readonly gate: Gate;
  /** Rules for /auth, /solve and the bits of /challenge?path= (default: challenge everything). */
  readonly policy?: GatePolicy;
}

const ChallengeQuery = z.object({
  algorithm: z.enum(['sha1', 'sha256']).default('sha256'),
  /** The path the pass is for: a policy rule may ask more bits for it. */
  path: z.string().max(4096).optional(),
});
const VerifyBody = z.object({ challenge: z.string().max(256), solution: z.string().max(1024) });
const StampForm = z.object({ stamp: z.string().trim().min(1, 'is required').max(1024), return: z.string().max(4096).optional() });
const SolveQuery = z.object({ return: z.string().max(4096).optional() });

/** Bytes a POST /verify body may have: a challenge, a stamp and JSON around them. */
const VERIFY_BODY_LIMIT = 4096;

/** Where each static file comes from: web/ for the widget, the compiled engine for its WASM calling code. */
function staticFiles(): Record<string, { readonly path: string; readonly type: string }> {
  const root = packageRoot();
  const compiled = dirname(dirname(fileURLToPath(import.meta.url)));
  const js = 'text/javascript; charset=utf-8';
  return {
    '/widget.js': { path: join(root, 'web', 'widget.js'), type: js },
    '/i18n.js': { path: join(root, 'web', 'i18n.js'), type: js },
    '/worker.js': { path: join(root, 'web', 'worker.js'), type: js },
    '/demo': { path: join(root, 'web', 'demo.html'), type: 'text/html; charset=utf-8' },
    '/engine/wasm-kernels.js': { path: join(compiled, 'engine', 'wasm-kernels.js'), type: js },
    '/schemes/search.js': { path: join(compiled, 'schemes', 'search.js'), type: js },
    '/powerplant.wasm': { path: join(root, 'wasm', 'powerplant.wasm'), type: 'application/wasm' },
    '/powerplant-simd.wasm': { path: join(root, 'wasm', 'powerplant-simd.wasm'), type: 'application/wasm' },
  };
}

function refuse(reply: FastifyReply, error: unknown): FastifyReply {
  if (!(error instanceof GateRefusal)) throw error;
  return reply.code(REFUSAL_STATUS[error.code]).send({ error: error.message });
}

const firstIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  return issue === undefined ? 'invalid request' : `${issue.path.join('.') || 'body'}: ${issue.message}`;
};

/** The URI a forward-auth caller (nginx, Traefik, Caddy) says the visitor asked for. */
function forwarded(request: FastifyRequest, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = request.headers[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
}
const forwardedUri = (request: FastifyRequest) => forwarded(request, ['x-forwarded-uri', 'x-original-uri']);

function setPassCookie(request: FastifyRequest, reply: FastifyReply, pass: Pass, ttlS: number): void {
  const secure = request.protocol === 'https' ? '; Secure' : '';
  // Lax, not Strict: a visitor following a link from another site must arrive with the pass.
  reply.header('set-cookie', `${GATE_COOKIE}=${pass.token}; Path=/; Max-Age=${ttlS}; HttpOnly; SameSite=Lax${secure}`);
}

export const gateHttpPlugin: FastifyPluginAsync<GateHttpOptions> = async (app, { gate, policy = new GatePolicy([]) }) => {
  const admission: Admission = { gate, policy, endpoint: app.prefix };
  /** The bits the policy asks for GET `path` from this client (0 where it asks for none). */
  const bitsFor = (request: FastifyRequest, path: string): number => {
    const verdict = policy.verdict(requestFacts(request, path, 'GET'));
    return verdict.action === 'challenge' ? verdict.bits : 0;
  };
  // The no-JavaScript stamp form, unless the app parses forms itself (e.g. @fastify/formbody).
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
  }

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
      const least = query.data.path === undefined ? 0 : bitsFor(request, query.data.path);
      const challenge = await gate.issue(request.ip, query.data.algorithm, least);
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
      setPassCookie(request, reply, pass, gate.tokenTtlS);
      reply.header('cache-control', 'no-store');
      return { ok: true, token: pass.token, expires: pass.expires };
    } catch (error) {
      return refuse(reply, error);
    }
  });

  app.get('/auth', async (request, reply) => {
    const uri = forwardedUri(request) ?? '/';
    const method = forwarded(request, ['x-forwarded-method', 'x-original-method']) ?? 'GET';
    const decision = decide(admission, requestFacts(request, uri, method), request);
    reply.header('cache-control', 'no-store');
    switch (decision.kind) {
      case 'allow':
        return { ok: true };
      case 'pass':
        return { ok: true, expires: decision.pass.expires };
      case 'deny':
        return replyDenied(request, reply, decision.refusal);
      case 'challenge':
        return replyChallenge(admission, request, reply, { bits: decision.bits, refusal: decision.refusal, returnTo: returnPath(uri) });
    }
  });

  app.get('/solve', async (request, reply) => {
    const query = SolveQuery.safeParse(request.query);
    const returnTo = returnPath((query.success ? query.data.return : undefined) ?? forwardedUri(request));
    const decision = decide(admission, requestFacts(request, returnTo, 'GET'), request);
    if (decision.kind === 'pass' || decision.kind === 'allow') return reply.code(303).header('location', returnTo).send();
    if (decision.kind === 'deny') return replyDenied(request, reply, decision.refusal);
    return replyChallenge(admission, request, reply, { bits: decision.bits, refusal: decision.refusal, returnTo });
  });

  app.post('/stamp', { bodyLimit: VERIFY_BODY_LIMIT }, async (request, reply) => {
    const form = StampForm.safeParse(request.body);
    const returnTo = returnPath(form.success ? form.data.return : undefined);
    try {
      if (!form.success) throw new GateRefusal('malformed', firstIssue(form.error));
      const pass = gate.passFor(await gate.verifyStamp(form.data.stamp));
      setPassCookie(request, reply, pass, gate.tokenTtlS);
      return reply.code(303).header('location', returnTo).header('cache-control', 'no-store').send();
    } catch (error) {
      if (!(error instanceof GateRefusal)) throw error;
      const bits = bitsFor(request, returnTo);
      return replyChallenge(admission, request, reply, { bits, refusal: error, returnTo, stampRefused: true });
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
