/**
 * The Nano/Banano work front door over HTTP, on the server's HTTP port:
 *
 *   POST /pow  {"hash","difficulty"?}                    → {"hash","work","difficulty","multiplier"}
 *   POST /     {"action":"work_generate","hash",...}     → the node RPC answer shapes
 *              {"action":"work_validate","hash","work"}
 *              {"action":"work_cancel","hash"}
 *
 * /pow (the distributor's API) reports errors with a 4xx/5xx status; the node RPC always answers
 * HTTP 200 with {"error"}, because a node ignores a work peer's non-200 answers.
 * @module
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ERRORS, InputError, PowerplantError } from '../errors.js';
import { toHex } from '../schemes/bits.js';
import {
  NANO_RECEIVE,
  NANO_SEND,
  hex16,
  multiplierOf,
  nano,
  parseDifficulty,
  parseRoot,
  parseWork,
  thresholdFromMultiplier,
  workAnswer,
  workValue,
  type WorkAnswer,
} from '../schemes/nano.js';
import { clientOf, httpDoor, type Door, type DoorContext } from './door.js';

type Body = Record<string, unknown>;

/**
 * The request shapes /openapi.json publishes. The parsers of schemes/nano.ts validate (their
 * messages are part of the API), so these schemas only describe.
 */
const HASH = { type: 'string', pattern: '^[0-9A-Fa-f]{64}$', description: 'block hash or root' };
const THRESHOLD = {
  difficulty: { type: 'string', pattern: '^[0-9A-Fa-f]{16}$', description: 'threshold (default nano.default_difficulty)' },
  multiplier: { oneOf: [{ type: 'number' }, { type: 'string' }], description: 'threshold as a multiple of the send threshold; overrides difficulty' },
};
const POW_SCHEMA = {
  summary: 'generate work for a block hash',
  body: { type: 'object', required: ['hash'], properties: { hash: HASH, ...THRESHOLD } },
};
const RPC_SCHEMA = {
  summary: 'the node RPC: work_generate, work_validate, work_cancel (always HTTP 200; errors as {"error"})',
  body: {
    type: 'object',
    required: ['action', 'hash'],
    properties: {
      action: { type: 'string', enum: ['work_generate', 'work_validate', 'work_cancel'] },
      hash: HASH,
      work: { type: 'string', pattern: '^[0-9A-Fa-f]{16}$', description: 'work_validate: the work to check' },
      ...THRESHOLD,
    },
  },
};

function asBody(raw: unknown): Body {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new InputError('request body must be a JSON object');
  return raw as Body;
}

/** Requests waiting for work, by hash, so work_cancel can stop them. */
class PendingWork {
  private readonly byHash = new Map<string, Set<AbortController>>();

  track(hash: string): { signal: AbortSignal; done(): void } {
    const controller = new AbortController();
    const set = this.byHash.get(hash) ?? new Set();
    set.add(controller);
    this.byHash.set(hash, set);
    return {
      signal: controller.signal,
      done: () => {
        set.delete(controller);
        if (set.size === 0 && this.byHash.get(hash) === set) this.byHash.delete(hash);
      },
    };
  }

  cancel(hash: string): void {
    for (const controller of this.byHash.get(hash) ?? []) controller.abort();
  }
}

/** Serve the Nano work API on the server's HTTP port. */
export async function startNanoHttp(context: Pick<DoorContext, 'config' | 'broker' | 'logger' | 'http'>): Promise<Door> {
  const { config, broker, http: app } = context;
  const log = context.logger.child({ component: 'nano-http' });
  const defaultThreshold = parseDifficulty(config.nano.default_difficulty);
  const maxMultiplier = config.nano.max_multiplier;
  const pending = new PendingWork();

  /** The threshold a request asks for: multiplier overrides difficulty; default from config. */
  function requestedThreshold(body: Body): bigint {
    if (body.multiplier !== undefined) return thresholdFromMultiplier(body.multiplier);
    return body.difficulty !== undefined ? parseDifficulty(body.difficulty) : defaultThreshold;
  }

  /** The threshold to generate work for: capped, since the search costs us. */
  function threshold(body: Body): bigint {
    const requested = requestedThreshold(body);
    if (multiplierOf(requested) > maxMultiplier) {
      throw new InputError(`difficulty ${hex16(requested)} is above the maximum (multiplier ${maxMultiplier})`);
    }
    return requested;
  }

  /** Generate work through the broker; a client that hangs up or a work_cancel withdraws it. */
  async function generate(body: Body, request: FastifyRequest, reply: FastifyReply): Promise<WorkAnswer> {
    const root = parseRoot(body.hash);
    const job = { root, threshold: threshold(body) };
    const hash = toHex(root);
    const waiting = pending.track(hash);
    const hungUp = new AbortController();
    const onClose = (): void => {
      if (!reply.raw.writableEnded) hungUp.abort();
    };
    request.raw.socket.once('close', onClose);
    try {
      const solution = await broker.submit(nano, job, {
        signal: AbortSignal.any([waiting.signal, hungUp.signal]),
        client: clientOf('nano-http', request.raw.socket),
      });
      return workAnswer(root, solution);
    } catch (error) {
      if (error instanceof PowerplantError && error.code === 'PP_ERR_CANCELLED' && waiting.signal.aborted) {
        throw new PowerplantError('PP_ERR_CANCELLED', `work generation for ${hash.toUpperCase()} was cancelled`);
      }
      throw error;
    } finally {
      waiting.done();
      request.raw.socket.off('close', onClose);
    }
  }

  function validate(body: Body): Record<string, string> {
    const root = parseRoot(body.hash);
    const value = workValue(root, parseWork(body.work));
    const flag = (passes: boolean): string => (passes ? '1' : '0');
    const answer: Record<string, string> = {};
    if (body.difficulty !== undefined || body.multiplier !== undefined) answer.valid = flag(value >= requestedThreshold(body));
    answer.valid_all = flag(value >= NANO_SEND);
    answer.valid_receive = flag(value >= NANO_RECEIVE);
    answer.difficulty = hex16(value);
    answer.multiplier = String(multiplierOf(value));
    return answer;
  }

  /** Anything thrown while answering as a registry error, Fastify's own body errors included. */
  function registryError(error: unknown): PowerplantError {
    if (error instanceof PowerplantError) return error;
    const httpError = error as Partial<FastifyError>;
    if (httpError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return new PowerplantError('PP_ERR_TOO_LARGE', `request body too large (limit ${config.server.max_message_bytes} bytes)`);
    }
    if (httpError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return new InputError('request body must be a JSON object');
    if (error instanceof SyntaxError || httpError.statusCode === 400) return new InputError(`bad JSON: ${(error as Error).message}`);
    log.error({ err: error }, 'nano request failed');
    return new PowerplantError('PP_ERR_INTERNAL', 'internal error');
  }

  void app.register(async (scope) => {
    // Work clients do not always label their JSON; parse any body as JSON, with JSON.parse alone:
    // a "__proto__" key is valid JSON and becomes an own property (never a prototype), which no
    // field reads, where Fastify's own parser refuses the body as "not valid JSON".
    scope.removeContentTypeParser(['application/json', 'text/plain']);
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, text, done) => {
      try {
        done(null, JSON.parse(text as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    scope.setValidatorCompiler(() => () => true);
    scope.setErrorHandler((error, request, reply) => {
      // Node RPC: always 200, or the node ignores the answer; /pow: a real status.
      const rpc = request.url === '/' || request.url.startsWith('/?');
      const failure = registryError(error);
      void reply.code(rpc ? 200 : (failure.wires.http ?? ERRORS.PP_ERR_INTERNAL.http)).send({ error: failure.message });
    });

    scope.post('/pow', { schema: POW_SCHEMA }, async (request, reply) => {
      const answer = await generate(asBody(request.body), request, reply);
      return { hash: answer.hash, work: answer.work, difficulty: answer.difficulty, multiplier: answer.multiplier };
    });

    scope.post('/', { schema: RPC_SCHEMA }, async (request, reply) => {
      const body = asBody(request.body);
      switch (body.action) {
        case 'work_generate': {
          const answer = await generate(body, request, reply);
          return { work: answer.work, difficulty: answer.difficulty, multiplier: answer.multiplier, hash: answer.hash };
        }
        case 'work_validate':
          return validate(body);
        case 'work_cancel':
          pending.cancel(toHex(parseRoot(body.hash)));
          return { success: '' };
        case undefined:
          throw new InputError('action is required (work_generate, work_validate or work_cancel)');
        default:
          throw new InputError(`unknown action ${JSON.stringify(body.action)} (this server answers work_generate, work_validate and work_cancel)`);
      }
    });
  });
  return httpDoor('nano-http', app);
}
