/**
 * Admission of one HTTP request to a site behind the gate: the policy's verdict, then (for
 * `challenge`) the request's pass, which must be valid and earned with enough bits. What a
 * refused visitor gets: the challenge page (browsers), or a 401 with the challenge in JSON.
 * Shared by the reverse proxy (protocols/gate-proxy.ts) and forward-auth (GET /gate/auth).
 * @module
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, PowerplantError, reasonOf } from '../errors.js';
import type { Gate } from './gate.js';
import { tokenFromHeaders } from './middleware.js';
import { challengePage, escapeHtml, pickLanguage, returnPath } from './page.js';
import { policyPath, type GatePolicy, type RequestFacts } from './policy.js';
import type { Pass } from './token.js';

/** The HTTP status of a refusal, from the error registry. */
const httpStatus = (error: PowerplantError): number => error.wires.http ?? 500;

export interface Admission {
  readonly gate: Gate;
  readonly policy: GatePolicy;
  /** Where the gate's HTTP door is mounted on this origin (`/gate`). */
  readonly endpoint: string;
  /** Told of each limit a request hits (metrics): `puzzles_per_source` when its address may have no more challenges. */
  readonly onLimit?: (limit: string) => void;
}

export type Decision =
  | { readonly kind: 'allow' }
  | { readonly kind: 'deny'; readonly refusal: PowerplantError }
  | { readonly kind: 'pass'; readonly pass: Pass }
  /** A pass earned with at least `bits` is needed; `refusal` says what was wrong with this request's. */
  | { readonly kind: 'challenge'; readonly bits: number; readonly refusal: PowerplantError };

/** The facts a policy looks at, for a request to `url` (path and query) with `method`. */
export function requestFacts(request: FastifyRequest, url: string, method: string): RequestFacts {
  return { path: policyPath(url), method, userAgent: request.headers['user-agent'] ?? '', ip: request.ip };
}

export function decide({ gate, policy }: Admission, facts: RequestFacts, request: FastifyRequest): Decision {
  const verdict = policy.verdict(facts);
  if (verdict.action === 'allow') return { kind: 'allow' };
  if (verdict.action === 'deny') return { kind: 'deny', refusal: new PowerplantError('PP_ERR_DENIED', 'the gate policy refuses this request') };
  const { bits } = verdict;
  const token = tokenFromHeaders(request.headers);
  if (token === undefined) return { kind: 'challenge', bits, refusal: new PowerplantError('PP_ERR_NO_PASS', 'a gate pass is required') };
  let pass: Pass;
  try {
    pass = gate.checkPass(token);
  } catch (error) {
    if (error instanceof PowerplantError) return { kind: 'challenge', bits, refusal: error };
    throw error;
  }
  if (pass.bits < bits) {
    return { kind: 'challenge', bits, refusal: new PowerplantError('PP_ERR_INSUFFICIENT', `pass was earned with ${pass.bits} bits; this address needs ${bits}`) };
  }
  return { kind: 'pass', pass };
}

/** A decision as a metric label: allowed, passed, or its refusal's reason (denied, no-pass, expired, insufficient, ...). */
export function outcomeOf(decision: Decision): string {
  if (decision.kind === 'allow') return 'allowed';
  if (decision.kind === 'pass') return 'passed';
  return reasonOf(decision.refusal.code);
}

/** Whether the client wants JSON rather than a page (API clients, fetch with Accept: application/json). */
export function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export interface ChallengeReply {
  readonly bits: number;
  /** Why the request needs a challenge: its message is the answer's `error`. */
  readonly refusal: PowerplantError;
  /** Where the visitor goes after passing (cleaned by returnPath: a path on this site, else `/`). */
  readonly returnTo: string;
  /**
   * Set when the visitor just sent a stamp that was refused: answer with the refusal's status and
   * show its reason on the page. Otherwise 401 (PP_ERR_NO_PASS: whatever was wrong with the pass,
   * solving gets a new one), and the page shows no reason.
   */
  readonly stampRefused?: boolean;
}

/** Answer with a fresh challenge: the page for browsers, JSON for the rest. */
export async function replyChallenge(admission: Admission, request: FastifyRequest, reply: FastifyReply, options: ChallengeReply): Promise<FastifyReply> {
  const { gate, endpoint } = admission;
  let refusal = options.refusal;
  let status = options.stampRefused === true ? httpStatus(refusal) : ERRORS.PP_ERR_NO_PASS.http;
  const challenge = await gate.issue(request.ip, 'sha1', options.bits).catch((error: unknown) => {
    if (!(error instanceof PowerplantError)) throw error;
    if (error.code === 'PP_ERR_RATE_LIMITED') admission.onLimit?.('puzzles_per_source');
    refusal = error;
    status = httpStatus(error);
    return undefined;
  });
  const reason = refusal.message;
  reply.code(status).header('cache-control', 'no-store').header('www-authenticate', 'Bearer realm="powerplant-gate"');
  // Cleaned here, once for every caller: the way back is a path on this site, never another origin.
  const returnTo = returnPath(options.returnTo);
  const solve = `${endpoint}/solve?return=${encodeURIComponent(returnTo)}`;
  if (wantsJson(request)) {
    return reply.send({
      error: reason,
      ...(challenge === undefined
        ? {}
        : { challenge: challenge.text, bits: challenge.bits, algorithm: challenge.algorithm, expires: challenge.expires, verify: `${endpoint}/verify` }),
      solve,
    });
  }
  const language = pickLanguage(request.headers['accept-language']);
  const shown = options.stampRefused === true || challenge === undefined ? { refusal: reason } : {};
  return reply
    .type('text/html; charset=utf-8')
    .send(challengePage({ endpoint, language, returnTo, ...(challenge === undefined ? {} : { challenge }), ...shown }));
}

/** A page (or JSON) for the errors the gate itself answers: 403 denied, 413, 502/504 upstream. */
export function replyError(request: FastifyRequest, reply: FastifyReply, error: PowerplantError): FastifyReply {
  const status = httpStatus(error);
  const text = error.message;
  reply.code(status).header('cache-control', 'no-store');
  if (wantsJson(request)) return reply.send({ error: text });
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${status}</title></head><body style="font: 17px/1.5 system-ui, sans-serif; max-width: 38rem; margin: 3rem auto; padding: 0 1rem"><main><h1>${status}</h1><p>${escapeHtml(text)}</p></main></body></html>\n`;
  return reply.type('text/html; charset=utf-8').send(page);
}
