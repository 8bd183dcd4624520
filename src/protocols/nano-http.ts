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
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BrokerError, type BrokerErrorCode } from '../broker/types.js';
import { InputError, toHex } from '../schemes/bits.js';
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
import type { DoorContext } from '../server.js';

/** /pow's HTTP status for each way the broker can fail. */
const STATUS: Record<BrokerErrorCode, number> = {
  busy: 503,
  shutdown: 503,
  timeout: 504,
  cancelled: 409,
  exhausted: 500,
  failed: 500,
};

type Body = Record<string, unknown>;

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

export function registerNanoHttp(app: FastifyInstance, context: DoorContext): void {
  const { config, broker } = context;
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
      const solution = await broker.submit(nano, job, { signal: AbortSignal.any([waiting.signal, hungUp.signal]), door: 'nano-http' });
      return workAnswer(root, parseWork(solution.work));
    } catch (error) {
      if (error instanceof BrokerError && error.code === 'cancelled' && waiting.signal.aborted) {
        throw new BrokerError('cancelled', `work generation for ${hash.toUpperCase()} was cancelled`);
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

  /** A user-facing message for anything thrown while answering. */
  function messageOf(error: unknown): string {
    if (error instanceof InputError || error instanceof BrokerError) return error.message;
    const httpError = error as Partial<FastifyError>;
    if (httpError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return `request body too large (limit ${config.server.max_message_bytes} bytes)`;
    if (httpError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'request body must be a JSON object';
    if (error instanceof SyntaxError || httpError.statusCode === 400) return `bad JSON: ${(error as Error).message}`;
    log.error({ err: error }, 'nano request failed');
    return 'internal error';
  }

  function statusOf(error: unknown): number {
    if (error instanceof InputError || error instanceof SyntaxError) return 400;
    if (error instanceof BrokerError) return STATUS[error.code];
    const status = (error as Partial<FastifyError>).statusCode;
    return typeof status === 'number' && status >= 400 && status < 500 ? status : 500;
  }

  void app.register(async (scope) => {
    // Work clients do not always label their JSON; parse any body as JSON.
    scope.removeContentTypeParser('text/plain');
    scope.addContentTypeParser('*', { parseAs: 'string' }, (_request, text, done) => {
      try {
        done(null, JSON.parse(text as string));
      } catch (error) {
        done(error as Error, undefined);
      }
    });
    scope.setErrorHandler((error, request, reply) => {
      // Node RPC: always 200, or the node ignores the answer; /pow: a real status.
      const rpc = request.url === '/' || request.url.startsWith('/?');
      void reply.code(rpc ? 200 : statusOf(error)).send({ error: messageOf(error) });
    });

    scope.post('/pow', async (request, reply) => {
      const answer = await generate(asBody(request.body), request, reply);
      return { hash: answer.hash, work: answer.work, difficulty: answer.difficulty, multiplier: answer.multiplier };
    });

    scope.post('/', async (request, reply) => {
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
}
