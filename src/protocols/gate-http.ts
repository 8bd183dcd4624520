/**
 * The gate's HTTP front door, a fastify plugin meant for the prefix /gate:
 *
 *   GET  /                                   a page saying what the gate is, linking to the demo
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
import { decide, outcomeOf, replyChallenge, replyError, requestFacts, type Admission } from '../gate/admission.js';
import type { Gate } from '../gate/gate.js';
import { GATE_COOKIE, gatePreHandler } from '../gate/middleware.js';
import { returnPath } from '../gate/page.js';
import { GatePolicy } from '../gate/policy.js';
import type { Pass } from '../gate/token.js';
import { PowerplantError } from '../errors.js';
import type { Metrics } from '../metrics.js';
import { httpDoor, type Door, type DoorContext } from './door.js';

export interface GateHttpOptions {
  readonly gate: Gate;
  /** Rules for /auth, /solve and the bits of /challenge?path= (default: challenge everything). */
  readonly policy?: GatePolicy;
  /** Where forward-auth answers are counted (powerplant_gate_admissions_total{route="forward-auth"}). */
  readonly metrics?: Metrics;
}

/** A string field's messages in the gate's own words: missing, not a string, too long. */
const field = (max: number, what: string) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? `is required (${what})` : `must be a string (${what})`) })
    .max(max, `must be at most ${max} characters`)
    .describe(what);

const ChallengeQuery = z.object({
  algorithm: z.enum(['sha1', 'sha256']).default('sha256').describe('hash of the stamps to mint'),
  path: z.string().max(4096).optional().describe('the path the pass is for: a policy rule may ask more bits for it'),
});
const VerifyBody = z.object(
  {
    challenge: field(256, 'the challenge from GET /gate/challenge'),
    solution: field(1024, 'the hashcash stamp minted for it'),
  },
  { error: 'the body must be a JSON object {"challenge","solution"}' },
);
const StampForm = z.object(
  {
    stamp: field(1024, 'a hashcash stamp minted for the challenge on the page').trim().min(1, 'is required'),
    return: z.string().max(4096).optional().describe('the path to go on to once passed'),
  },
  { error: 'the body must be a form with a stamp field' },
);
const SolveQuery = z.object({ return: z.string().max(4096).optional().describe('the path to go on to once passed') });
const AuthHeaders = z.object({
  'x-forwarded-uri': z.string().optional().describe('the path and query the visitor asked for (Traefik, Caddy)'),
  'x-original-uri': z.string().optional().describe('the same, as nginx auth_request sends it'),
  'x-forwarded-method': z.string().optional().describe("the visitor's method (default GET)"),
  'x-original-method': z.string().optional().describe('the same, as nginx auth_request may send it'),
});

/** The published form of a request schema (for /openapi.json); the zod schema above validates. */
const published = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', target: 'openapi-3.0' });

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
  if (!(error instanceof PowerplantError) || error.wires.http === undefined) throw error;
  return reply.code(error.wires.http).send({ error: error.message });
}

const firstIssue = (error: z.ZodError): string => {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid request';
  return issue.path.length === 0 ? issue.message : `${issue.path.join('.')} ${issue.message}`;
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

/** The page at the gate's own path; links are absolute, as /gate and /gate/ both serve it. */
const landingPage = (prefix: string): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Powerplant gate</title></head>
<body>
<h1>Powerplant gate</h1>
<p>This server hands out small proof-of-work puzzles: a browser (or any client) solves one, and gets
a pass token that opens the routes the gate protects.</p>
<ul>
<li><a href="${prefix}/demo">The demo</a>: a page whose content unlocks once your browser has solved a puzzle.</li>
<li><code>GET challenge</code>, then <code>POST verify {"challenge","solution"}</code>: the JSON API
(described in <a href="/openapi.json">/openapi.json</a>).</li>
<li><a href="${prefix}/widget.js">widget.js</a>: the <code>&lt;powerplant-gate&gt;</code> web component for your own pages.</li>
</ul>
</body></html>
`;

export const gateHttpPlugin: FastifyPluginAsync<GateHttpOptions> = async (app, { gate, policy = new GatePolicy([]), metrics }) => {
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

  // Validation is the zod schemas' (with the gate's own messages); the route schemas only publish them.
  app.setValidatorCompiler(() => () => true);

  app.get('/', { schema: { summary: 'what the gate is, with a link to the demo' } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(landingPage(app.prefix)),
  );

  app.get('/challenge', { schema: { summary: 'a puzzle to solve', querystring: published(ChallengeQuery) } }, async (request, reply) => {
    const query = ChallengeQuery.safeParse(request.query);
    if (!query.success) {
      const error = query.error.issues[0]?.path[0] === 'algorithm' ? 'algorithm must be sha1 or sha256' : firstIssue(query.error);
      return reply.code(400).send({ error });
    }
    try {
      const least = query.data.path === undefined ? 0 : bitsFor(request, query.data.path);
      const challenge = await gate.issue(request.ip, query.data.algorithm, least);
      reply.header('cache-control', 'no-store');
      return { challenge: challenge.text, bits: challenge.bits, algorithm: challenge.algorithm, expires: challenge.expires };
    } catch (error) {
      return refuse(reply, error);
    }
  });

  const verifySchema = { summary: 'trade a solved puzzle for a pass token (and cookie)', body: published(VerifyBody) };
  app.post('/verify', { bodyLimit: VERIFY_BODY_LIMIT, schema: verifySchema }, async (request, reply) => {
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

  const authSchema = { summary: 'forward-auth: 200 with a valid pass, 401 with where to solve without, 403 denied', headers: published(AuthHeaders) };
  app.get('/auth', { schema: authSchema }, async (request, reply) => {
    const uri = forwardedUri(request) ?? '/';
    const method = forwarded(request, ['x-forwarded-method', 'x-original-method']) ?? 'GET';
    const decision = decide(admission, requestFacts(request, uri, method), request);
    metrics?.gateAdmissions.inc({ route: 'forward-auth', outcome: outcomeOf(decision) });
    reply.header('cache-control', 'no-store');
    switch (decision.kind) {
      case 'allow':
        return { ok: true };
      case 'pass':
        return { ok: true, expires: decision.pass.expires };
      case 'deny':
        return replyError(request, reply, decision.refusal);
      case 'challenge':
        return replyChallenge(admission, request, reply, { bits: decision.bits, refusal: decision.refusal, returnTo: uri });
    }
  });

  const solveSchema = { summary: 'the challenge page, going on to the return path once passed', querystring: published(SolveQuery) };
  app.get('/solve', { schema: solveSchema }, async (request, reply) => {
    const query = SolveQuery.safeParse(request.query);
    const returnTo = returnPath((query.success ? query.data.return : undefined) ?? forwardedUri(request));
    const decision = decide(admission, requestFacts(request, returnTo, 'GET'), request);
    if (decision.kind === 'pass' || decision.kind === 'allow') return reply.code(303).header('location', returnTo).send();
    if (decision.kind === 'deny') return replyError(request, reply, decision.refusal);
    return replyChallenge(admission, request, reply, { bits: decision.bits, refusal: decision.refusal, returnTo });
  });

  const stampSchema = {
    summary: 'the no-JavaScript way in: a hashcash stamp sets the pass, then 303 to the return path',
    body: published(StampForm),
    consumes: ['application/x-www-form-urlencoded'],
  };
  app.post('/stamp', { bodyLimit: VERIFY_BODY_LIMIT, schema: stampSchema }, async (request, reply) => {
    const form = StampForm.safeParse(request.body);
    const returnTo = returnPath(form.success ? form.data.return : undefined);
    try {
      if (!form.success) throw new PowerplantError('PP_ERR_INVALID', firstIssue(form.error));
      const pass = gate.passFor(await gate.verifyStamp(form.data.stamp));
      setPassCookie(request, reply, pass, gate.tokenTtlS);
      return reply.code(303).header('location', returnTo).header('cache-control', 'no-store').send();
    } catch (error) {
      if (!(error instanceof PowerplantError)) throw error;
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

/** The gate's HTTP door: the plugin under /gate on the server's HTTP port, with the policy for forward-auth. */
export async function startGateHttp(context: Pick<DoorContext, 'http' | 'gate' | 'config'> & Partial<Pick<DoorContext, 'metrics'>>): Promise<Door> {
  const { http, gate, config, metrics } = context;
  await http.register(gateHttpPlugin, { prefix: '/gate', gate, policy: new GatePolicy(config.gate.http.rules), ...(metrics === undefined ? {} : { metrics }) });
  return httpDoor('gate-http', http);
}
