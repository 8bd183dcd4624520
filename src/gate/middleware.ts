/**
 * Protecting someone else's routes with gate passes: a fastify plugin (`gateGuard`), a fastify
 * preHandler for single routes, and a plain Node `(req, res, next)` middleware (Express, Connect,
 * node:http). Each reads the token from `Authorization: Bearer <token>` or, failing that, from the
 * `powerplant_gate` cookie that POST /gate/verify sets, and answers 401 `{"error"}` without it.
 * Checking needs only the gate's secret and purpose: no state, no call to the gate's server.
 *
 * Forms: the widget inside a <form> puts the token in a hidden field (`powerplant-gate-token`);
 * `checkFormPass`, `gateFormPreHandler` and `gateFormMiddleware` check it on submit, and with a
 * spent store let each pass submit one form only.
 * @module
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, PowerplantError } from '../errors.js';
import type { SpentStore } from './spent.js';
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

/** The hidden field the widget fills inside a form. */
export const GATE_FORM_FIELD = 'powerplant-gate-token';

export interface FormPassOptions {
  /** Field name (default GATE_FORM_FIELD, as the widget's `field` attribute). */
  readonly field?: string;
  /** Given: each pass submits one form (marked spent until it expires); a second gets 'spent'. */
  readonly spent?: SpentStore;
  readonly now?: () => number;
}

/** The pass a submitted form's fields (a parsed body) carry; a PowerplantError saying why not otherwise. */
export async function checkFormPass(checker: PassChecker, fields: unknown, options: FormPassOptions = {}): Promise<Pass> {
  const field = options.field ?? GATE_FORM_FIELD;
  const token = typeof fields === 'object' && fields !== null ? (fields as Record<string, unknown>)[field] : undefined;
  if (token === undefined) throw new PowerplantError('PP_ERR_NO_PASS', `form field ${field} is missing: the gate must pass before the form is sent`);
  const pass = checker.checkPass(token);
  if (options.spent !== undefined) {
    const ttlMs = pass.expires * 1000 - (options.now ?? Date.now)();
    if (!(await options.spent.markSpent(`form:${pass.challengeId}`, ttlMs))) throw new PowerplantError('PP_ERR_SPENT', 'this pass was already used to send a form');
  }
  return pass;
}

/** The status and body a refused form gets: 409 for a pass used before, 401 otherwise (a new pass will do). */
function formRefusal(error: PowerplantError): { readonly status: number; readonly body: { readonly error: string } } {
  const code = error.code === 'PP_ERR_SPENT' ? error.code : 'PP_ERR_NO_PASS';
  return { status: ERRORS[code].http, body: { error: error.message } };
}

/** A fastify preHandler for a form route (the body parsed first, e.g. by @fastify/formbody); sets request.gatePass. */
export function gateFormPreHandler(checker: PassChecker, options: FormPassOptions = {}) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      request.gatePass = await checkFormPass(checker, request.body, options);
    } catch (error) {
      if (!(error instanceof PowerplantError)) throw error;
      const { status, body } = formRefusal(error);
      await reply.code(status).send(body);
    }
  };
}

/** `(req, res, next)` for Express and Connect after a body parser (`req.body`); sets `req.gatePass`. */
export function gateFormMiddleware(checker: PassChecker, options: FormPassOptions = {}) {
  return (request: IncomingMessage & { body?: unknown; gatePass?: Pass }, response: ServerResponse, next: (error?: unknown) => void): void => {
    checkFormPass(checker, request.body, options).then(
      (pass) => {
        request.gatePass = pass;
        next();
      },
      (error: unknown) => {
        if (!(error instanceof PowerplantError)) {
          next(error);
          return;
        }
        const { status, body } = formRefusal(error);
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
        response.end(JSON.stringify(body));
      },
    );
  };
}
