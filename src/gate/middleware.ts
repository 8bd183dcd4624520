/**
 * Protecting someone else's routes with gate passes: a fastify plugin (`gateGuard`), a fastify
 * preHandler for single routes, and a plain Node `(req, res, next)` middleware (Express, Connect,
 * node:http). Each reads the token from `Authorization: Bearer <token>` or, failing that, from the
 * `powerplant_gate` cookie that POST /gate/verify sets, and answers 401 `{"error"}` without it.
 * Checking needs only the gate's secret and purpose: no state, no call to the gate's server.
 * @module
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { PowerplantError } from '../errors.js';
import { TokenCodec, type Pass } from './token.js';

export const GATE_COOKIE = 'powerplant_gate';

declare module 'fastify' {
  interface FastifyRequest {
    /** The pass a gate-protected route was opened with. */
    gatePass?: Pass;
  }
}

/** Anything that checks a token: a Gate, or passChecker() for an app that only holds the secret. */
export interface PassChecker {
  checkPass(token: unknown): Pass;
}

export function passChecker(options: { readonly secret: Uint8Array; readonly purpose: string; readonly now?: () => number }): PassChecker {
  const codec = new TokenCodec(options.secret, options.purpose);
  const now = options.now ?? Date.now;
  return { checkPass: (token) => codec.check(token, now()) };
}

/** The token a request carries: the Bearer credential, else the gate cookie. */
export function tokenFromHeaders(headers: IncomingHttpHeaders): string | undefined {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '');
  if (bearer !== null) return bearer[1];
  for (const part of (headers.cookie ?? '').split(';')) {
    const [name, value] = part.trim().split('=', 2);
    if (name === GATE_COOKIE && value !== undefined) return value;
  }
  return undefined;
}

type Outcome = { readonly pass: Pass } | { readonly error: string };

function admit(checker: PassChecker, headers: IncomingHttpHeaders): Outcome {
  const token = tokenFromHeaders(headers);
  if (token === undefined) return { error: 'a gate pass is required: solve the challenge at /gate first' };
  try {
    return { pass: checker.checkPass(token) };
  } catch (error) {
    if (error instanceof PowerplantError) return { error: error.message };
    throw error;
  }
}

const CHALLENGE_HEADER = 'Bearer realm="powerplant-gate"';

/** A fastify preHandler for one route: `{ preHandler: gatePreHandler(checker) }`. */
export function gatePreHandler(checker: PassChecker) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const outcome = admit(checker, request.headers);
    if ('pass' in outcome) {
      request.gatePass = outcome.pass;
      return;
    }
    await reply.code(401).header('www-authenticate', CHALLENGE_HEADER).send({ error: outcome.error });
  };
}

/**
 * A fastify plugin that guards every route of the scope it is registered in (it does not open a
 * scope of its own): `app.register(async (scope) => { await scope.register(gateGuard, { checker }); scope.get(...) })`.
 */
export const gateGuard: FastifyPluginAsync<{ readonly checker: PassChecker }> = Object.assign(
  async (scope: Parameters<FastifyPluginAsync>[0], options: { readonly checker: PassChecker }) => {
    scope.addHook('preHandler', gatePreHandler(options.checker));
  },
  { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'powerplant-gate-guard' },
);

/** `(req, res, next)` middleware for node:http, Express and Connect; sets `req.gatePass`. */
export function gateMiddleware(checker: PassChecker) {
  return (request: IncomingMessage & { gatePass?: Pass }, response: ServerResponse, next: (error?: unknown) => void): void => {
    let outcome: Outcome;
    try {
      outcome = admit(checker, request.headers);
    } catch (error) {
      next(error);
      return;
    }
    if ('pass' in outcome) {
      request.gatePass = outcome.pass;
      next();
      return;
    }
    response.writeHead(401, { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': CHALLENGE_HEADER });
    response.end(JSON.stringify({ error: outcome.error }));
  };
}
