/**
 * Stratum test helpers: door settings (the config defaults with a fast built-in chain and no
 * vardiff), and a coordinator driven through in-memory transports with helpers to join and to
 * find shares.
 * @module
 */
import assert from 'node:assert/strict';
import { loadConfig, type Config } from '../../src/config.js';
import { sessionLimits } from '../../src/protocols/stratum.js';
import { parseJson, stringifyJson, type JsonValue } from '../../src/net/json.js';
import { hashValue } from '../../src/schemes/bitcoin.js';
import { Chain } from '../../src/stratum/chain.js';
import { Coordinator, type CoordinatorOptions, type Session } from '../../src/stratum/coordinator.js';
import { buildHeader, hex32, parseNotify, type ShareFields, type StratumJob } from '../../src/stratum/job.js';

export function stratumSettings(overrides: Partial<Config['stratum']> = {}) {
  const stratum: Config['stratum'] = {
    ...loadConfig({ defaultsFile: null }).stratum,
    port: 0, // a free port
    share_difficulty: 1e-9, // about one hash in four is a share
    block_bits: '207fffff', // about one hash in two is a block
    job_interval_ms: 60_000,
    max_line_bytes: 1024,
    max_connections: 10,
    vardiff_shares_per_min: 0,
    min_difficulty: 1e-12,
    ...overrides,
  };
  return { stratum, server: { host: '127.0.0.1' } };
}

export const EASY_BITS = 0x207fffff; // about every other hash is a block
export const HARD_BITS = 0x1d00ffff; // no block by chance in these tests

export interface Agent {
  readonly session: Session;
  readonly received: { [key: string]: JsonValue }[];
  closed: string | null;
  send(message: JsonValue): void;
}

/** A coordinator on a built-in chain, with the limits table's defaults unless `options` says otherwise. */
export function setup(bits: number, shareDifficulty: number, maxLineBytes = 4096, jobIntervalMs = 0, options: Partial<CoordinatorOptions> = {}) {
  const chain = new Chain({ bits, history: 3, extranonceBytes: 8 });
  const limits = sessionLimits(loadConfig({ defaultsFile: null }).stratum);
  const coordinator = new Coordinator({ ...limits, source: chain, shareDifficulty, jobIntervalMs, maxLineBytes, ...options });
  const connect = (): Agent => {
    const agent: Agent = {
      received: [],
      closed: null,
      session: coordinator.connect({
        send: (line) => agent.received.push(parseJson(line) as { [key: string]: JsonValue }),
        close: (reason) => {
          agent.closed = reason;
        },
      }),
      send: (message) => agent.session.receive(Buffer.from(stringifyJson(message) + '\n')),
    };
    return agent;
  };
  return { chain, coordinator, connect };
}

/** Subscribe and authorize; returns the extranonce1 and the first job. */
export function join(agent: Agent, user = 'alice'): { extranonce1: string; job: StratumJob } {
  agent.send({ id: 1n, method: 'mining.subscribe', params: ['test/1'] });
  agent.send({ id: 2n, method: 'mining.authorize', params: [user, 'x'] });
  const subscribe = agent.received.find((message) => message.id === 1n)!;
  const [, extranonce1] = subscribe.result as [JsonValue, string, bigint];
  return { extranonce1, job: lastJob(agent) };
}

export function lastJob(agent: Agent): StratumJob {
  const notify = agent.received.filter((message) => message.method === 'mining.notify').at(-1);
  assert.ok(notify, 'a job was pushed');
  return parseNotify(notify.params);
}

export const reply = (agent: Agent, id: bigint) => agent.received.find((message) => message.id === id);

/**
 * The first nonce (counting from `from`) whose header meets `passes`, as submit params; with
 * `version`, the header carries that rolled version and the params its 6th field.
 */
export function findShare(job: StratumJob, extranonce1: string, passes: (value: bigint) => boolean, from = 0, version?: string): string[] {
  for (let nonce = from; ; nonce++) {
    const fields: ShareFields = { extranonce1, extranonce2: '00000001', ntime: job.ntime, nonce: hex32(nonce), version };
    if (passes(hashValue(buildHeader(job, fields)))) {
      const params = ['alice', job.jobId, fields.extranonce2, fields.ntime, fields.nonce];
      return version === undefined ? params : [...params, version];
    }
  }
}
