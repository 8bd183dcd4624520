/**
 * Configuration: built-in defaults < config/default.toml < `--config FILE` < environment (HOST,
 * PORT, URLS, REDIS_URL, as the seeds used them, then POWERPLANT_<SECTION>_<KEY> for every key)
 * < command-line flags. The merged result is checked
 * by one strict schema (unknown keys are refused), and an invalid value is reported by its key.
 * The result is frozen.
 * @module
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { GPU_CHOICE_HELP, isGpuChoice } from './engine/gpu-choice.js';
import { InputError } from './errors.js';
import { DEFAULT_RATE_POLICY } from './gate/rate.js';
import { LOG_LEVELS } from './log.js';
import { configFromEnv, listFromEnv, numeric } from './config-env.js';

/** A configuration mistake; its message names the key. Commands exit with code 2. */
export class ConfigError extends InputError {}

const integer = (min: number, max: number) =>
  z
    .number({ error: `must be an integer between ${min} and ${max}` })
    .int(`must be an integer between ${min} and ${max}`)
    .min(min, `must be an integer between ${min} and ${max}`)
    .max(max, `must be an integer between ${min} and ${max}`);

const port = () => integer(0, 65535);
const HOUR_MS = 3_600_000;
const hex16 = z.string({ error: 'must be 16 hex characters' }).regex(/^[0-9a-fA-F]{16}$/, 'must be 16 hex characters');
const hex8 = z.string({ error: 'must be 8 hex characters' }).regex(/^[0-9a-fA-F]{8}$/, 'must be 8 hex characters');
const decimal = z.string({ error: 'must be a decimal integer string' }).regex(/^[1-9][0-9]{0,19}$/, 'must be a positive decimal integer string');
const url = z.string({ error: 'must be a URL string' }).regex(/^https?:\/\/[^\s]+$/, 'must be an http:// or https:// URL');
/** A URL that may be left empty (the feature off): `schemes` such as 'https?' for http:// or https://. */
const emptyOrUrl = (schemes: string, named: string) =>
  z
    .string({ error: 'must be a string' })
    .regex(new RegExp(`^(|${schemes}:\\/\\/\\S+)$`), `must be empty or ${named} URL`)
    .default('');

/** An IP address, or a network in CIDR notation (`203.0.113.0/24`, `2001:db8::/32`). */
const network = z.string({ error: 'must be an address or CIDR string' }).refine((text) => {
  const [address = '', prefix, extra] = text.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}, 'must be an IP address or CIDR network');
const pattern = z.string({ error: 'must be a regular expression string' }).refine((text) => {
  try {
    new RegExp(text, 'i');
    return true;
  } catch {
    return false;
  }
}, 'must be a valid regular expression');

/** One gate policy rule: every condition given must hold; the first matching rule decides. */
const gateRule = z.strictObject({
  action: z.enum(['allow', 'deny', 'challenge'], { error: 'must be allow, deny or challenge' }),
  /** Path prefix, e.g. "/.well-known/". */
  path: z.string({ error: 'must be a string' }).startsWith('/', 'must start with /').optional(),
  methods: z.array(z.string().regex(/^[A-Za-z]+$/, 'must be HTTP method names'), { error: 'must be an array of HTTP methods' }).optional(),
  /** Regular expression (case-insensitive) the User-Agent must match. */
  user_agent: pattern.optional(),
  /** Source addresses or CIDR networks. */
  networks: z.array(network, { error: 'must be an array of addresses or CIDR networks' }).optional(),
  /** challenge only: the least bits for this rule's requests (a pass earned with fewer is not enough). */
  bits: integer(0, 160).optional(),
}).refine((rule) => rule.bits === undefined || rule.action === 'challenge', { message: 'is only for challenge rules', path: ['bits'] });

/** What the TCP gate sends until it is given a resource or an upstream of its own. */
const DEFAULT_GATE_RESOURCE =
  'Welcome through the Powerplant gate. Put your own text here with gate.resource ("@path" sends a file), or a service with gate.upstream.';

const schema = z.strictObject({
  server: z
    .strictObject({
      host: z.string({ error: 'must be a string' }).min(1, 'must not be empty').default('127.0.0.1'),
      /** 0 picks a free port (tests). */
      port: port().default(8080),
      max_connections: integer(1, 1_000_000).default(100),
      /** TCP connections to the HTTP port at once, WebSocket ones included; more are closed on accept. */
      max_http_connections: integer(1, 1_000_000).default(1000),
      /** Of those, from one IPv4 address or IPv6 /64 (behind a reverse proxy: all of them). */
      max_http_connections_per_source: integer(1, 1_000_000).default(100),
      /** WebSocket connections from one IPv4 address or IPv6 /64: below max_connections, so no one address takes them all. */
      max_connections_per_address: integer(1, 1_000_000).default(20),
      /** A WebSocket with no message and no job waiting for this long is closed (1000). */
      idle_timeout_ms: integer(100, 24 * HOUR_MS).default(300000),
      /** Error answers one WebSocket or HTTP connection gets before it is closed. */
      max_errors_per_connection: integer(1, 1_000_000).default(16),
      /** Time a refused HTTP connection gets to read its 503 before it is cut. */
      linger_ms: integer(0, 60_000).default(1000),
      /** Time to receive a whole HTTP request, headers and body: a trickled or idle body is cut (408). */
      request_timeout_ms: integer(100, HOUR_MS).default(30000),
      max_message_bytes: integer(256, 16 * 1024 * 1024).default(65536),
      /** Nostr requests one WebSocket connection may have waiting at once. */
      max_requests_per_connection: integer(1, 10_000).default(16),
      /** Answers queued to a WebSocket client (or events to a dashboard stream) that does not read them before it is dropped. */
      max_buffered_bytes: integer(1024, 1024 * 1024 * 1024).default(1024 * 1024),
      /** WebSocket ping period: a client that has not answered the previous ping is dropped. */
      ping_interval_ms: integer(10, HOUR_MS).default(30000),
      /** Time in-flight jobs get to finish on SIGINT/SIGTERM before they are cancelled. */
      shutdown_timeout_ms: integer(0, HOUR_MS).default(5000),
      /** Proxies (addresses or CIDRs) whose X-Forwarded-For/-Proto/-Host are believed, on every HTTP port. */
      trust_proxy: z.array(network, { error: 'must be an array of addresses or CIDR networks' }).default([]),
      /** Where the server keeps its files (the generated gate secret); empty: the XDG state directory. */
      state_dir: z.string({ error: 'must be a string' }).default(''),
    })
    .prefault({}),
  pow: z
    .strictObject({
      /** Nostr target_pow when a request names none, in leading zero bits. */
      default_difficulty: integer(0, 256).default(10),
      /** The highest target_pow accepted (a cap; 100 bits is out of reach of any machine). */
      max_difficulty: integer(0, 256).default(100),
      threads: integer(1, 256).default(() => availableParallelism()),
      backend: z.enum(['auto', 'native', 'wasm', 'js'], { error: 'must be one of auto, native, wasm, js' }).default('auto'),
      /** Search threads at the lowest scheduling priority, so other work on the machine goes first. */
      nice: z.boolean().default(false),
      /** OpenCL devices that search beside the threads: "auto" (GPUs and accelerators), "off", or "0,2". */
      gpu: z
        .string({ error: `must be ${GPU_CHOICE_HELP}` })
        .refine(isGpuChoice, `must be ${GPU_CHOICE_HELP}`)
        .default('auto'),
    })
    .prefault({}),
  broker: z
    .strictObject({
      queue_limit: integer(0, 1_000_000).default(1000),
      max_active_jobs: integer(1, 10_000).default(4),
      /** Search slots only quick jobs may take, so hard ones never hold them all (one slot always takes hard ones). */
      quick_slots: integer(0, 10_000).default(1),
      /** Expected attempts up to which a job is quick (2^26: seconds on one core). */
      quick_job_attempts: integer(1, Number.MAX_SAFE_INTEGER).default(2 ** 26),
      /** Jobs one connection (or HTTP client) may have waiting for an answer. */
      max_jobs_per_connection: integer(1, 1_000_000).default(16),
      /** Jobs one address may have waiting, over all its connections. */
      max_jobs_per_address: integer(1, 1_000_000).default(64),
      /** Expected attempts one address's waiting jobs may add up to (2^40: hours of a fast machine). */
      max_attempts_per_address: integer(1, Number.MAX_SAFE_INTEGER).default(2 ** 40),
      cache_size: integer(0, 10_000_000).default(10000),
      job_timeout_ms: integer(1, 24 * HOUR_MS).default(600000),
    })
    .prefault({}),
  nano: z
    .strictObject({
      /** Work servers or nodes raced against the local engine (node RPC work_generate). */
      upstreams: z.array(url, { error: 'must be an array of URLs' }).default([]),
      max_attempts: integer(1, 100).default(3),
      upstream_timeout_ms: integer(1, HOUR_MS).default(10000),
      /** First pause between attempts; it doubles after each failed attempt. */
      backoff_ms: integer(0, HOUR_MS).default(1000),
      default_difficulty: hex16.default('fffffff800000000'),
      /** The hardest request accepted, as a multiple of the Nano send threshold. */
      max_multiplier: z.number({ error: 'must be a number' }).positive('must be positive').max(1e6, 'must be at most 1000000').default(64),
    })
    .prefault({}),
  metanoia: z
    .strictObject({
      /** 0 disables the Metanoia door. */
      port: port().default(7040),
      long_poll_ms: integer(0, HOUR_MS).default(20000),
      /** Nonces per get_work: a miner wastes at most one range on a job solved elsewhere. */
      range_size: decimal.default('16777216'),
      /** Connections from one IPv4 address or IPv6 /64. */
      max_connections_per_address: integer(1, 1_000_000).default(16),
      /** A connection with no message and no request in flight (a long-poll is one) for this long is closed. */
      idle_timeout_ms: integer(100, 24 * HOUR_MS).default(120000),
      /** Error answers one connection gets; the last one closes it. */
      max_errors_per_connection: integer(1, 1_000_000).default(16),
      /** Time a connection closed with a last answer gets to read it before it is cut. */
      linger_ms: integer(0, 60_000).default(1000),
      /** The lowest (hardest) do_pow target accepted: 2^24 is 2^40 expected attempts. */
      min_target: decimal.default('16777216'),
      max_message_bytes: integer(256, 16 * 1024 * 1024).default(65536),
      max_connections: integer(1, 1_000_000).default(1000),
      /** do_pow, get_work and push_result one connection may have waiting at once. */
      max_requests_per_connection: integer(1, 10_000).default(16),
      /** Wrong push_results after which a connection gets no more work. */
      max_wrong_results: integer(1, 1_000_000).default(3),
      /** Answers queued to a connection that does not read them before it is dropped. */
      max_buffered_bytes: integer(1024, 1024 * 1024 * 1024).default(1024 * 1024),
    })
    .prefault({}),
  stratum: z
    .strictObject({
      /** 0 disables the Stratum door. */
      port: port().default(3333),
      /** About 430k hashes per share: a CPU agent submits several a second. */
      share_difficulty: z.number({ error: 'must be a number' }).positive('must be positive').default(0.0001),
      /** nBits of the built-in chain's blocks: low, so a CPU finds blocks. */
      block_bits: hex8.default('1e00ffff'),
      /** A fresh job this often: the built-in chain's new ntime, a node's refreshed transactions. */
      job_interval_ms: integer(100, 24 * HOUR_MS).default(30000),
      history: integer(1, 100_000).default(100),
      max_line_bytes: integer(256, 16 * 1024 * 1024).default(16384),
      max_connections: integer(1, 1_000_000).default(1000),
      /** Of those, from one IPv4 address or IPv6 /64. */
      max_connections_per_source: integer(1, 1_000_000).default(100),
      /** A connection with no authorized worker this long after it opened is closed. */
      authorize_timeout_ms: integer(100, HOUR_MS).default(30000),
      /** A connection that sends nothing this long is closed. */
      idle_timeout_ms: integer(100, 24 * HOUR_MS).default(600000),
      /** Protocol errors (bad requests, not share verdicts) a connection may make; the next closes it. */
      max_errors_per_connection: integer(0, 1_000_000).default(16),
      /** Shares each job remembers for duplicate detection; a full job refuses further shares as stale. */
      max_shares_per_job: integer(1, 100_000_000).default(1_000_000),
      /** Characters of a worker name (mining.authorize's user). */
      max_worker_name_chars: integer(1, 4096).default(128),
      /** Workers one connection may authorize (a proxy may carry a few). */
      max_workers_per_connection: integer(1, 10_000).default(16),
      /** Seconds a share's ntime may run ahead of its job's (Bitcoin accepts blocks up to two hours ahead). */
      max_ntime_drift_s: integer(0, 86_400).default(7200),
      /**
       * Rejected shares (stale, duplicate, low difficulty) a connection may have among its last
       * reject_window_shares judged ones; the next is answered and the connection closed. A stale
       * share for the newest job the connection was sent is not judged (the miner could not know).
       * At least reject_window_shares: no bound.
       */
      max_rejected_shares: integer(1, 10_000).default(50),
      /** How many of a connection's most recent judged shares (accepted or rejected) max_rejected_shares counts over. */
      reject_window_shares: integer(1, 10_000).default(100),
      /** Bitcoin node RPC to take block templates from (http://user:pass@host:port/); empty: the built-in chain. */
      node_url: emptyOrUrl('https?', 'an http:// or https://'),
      /** Where the coinbase pays, with node_url (base58 or bech32/bech32m of the node's chain). */
      payout_address: z.string({ error: 'must be a string' }).default(''),
      /** The node's short poll (when it offers no long poll) and retry period while it is down. */
      node_poll_ms: integer(50, HOUR_MS).default(1000),
      /** Longest wait for one node RPC answer (long polls excepted). */
      node_timeout_ms: integer(100, HOUR_MS).default(10000),
      /** Shares per minute vardiff steers each connection towards; 0 keeps share_difficulty. */
      vardiff_shares_per_min: z.number({ error: 'must be a number' }).min(0, 'must not be negative').max(60_000, 'must be at most 60000').default(20),
      /** The window a connection's share rate is measured over. */
      vardiff_retarget_ms: integer(100, HOUR_MS).default(30000),
      min_difficulty: z.number({ error: 'must be a number' }).positive('must be positive').default(0.00001),
      max_difficulty: z.number({ error: 'must be a number' }).positive('must be positive').max(1e15, 'must be at most 1e15').default(1e12),
      /** Version bits miners may roll (BIP 310; BIP 320's general-purpose bits). */
      version_mask: hex8.default('1fffe000'),
      /** Answers queued to an agent that does not read them before it is dropped. */
      max_buffered_bytes: integer(1024, 1024 * 1024 * 1024).default(1024 * 1024),
    })
    .prefault({}),
  gate: z
    .strictObject({
      /** 0 disables the gate's TCP door. */
      tcp_port: port().default(7041),
      /** HMAC key for challenges; generated and kept on first run when empty. */
      secret: z.string({ error: 'must be a string' }).default(''),
      /** Where the generated secret is kept (mode 0600), relative to server.state_dir. */
      secret_file: z.string({ error: 'must be a string' }).min(1, 'must not be empty').default('gate-secret'),
      /** What challenges and pass tokens are bound to: gates sharing a secret need different purposes. */
      purpose: z.string({ error: 'must be a string' }).min(1, 'must not be empty').default('powerplant'),
      bits_min: integer(0, 160).default(16),
      bits_max: integer(0, 160).default(24),
      challenge_ttl_s: integer(1, 86400).default(120),
      /** What a client that passed the TCP gate receives; "@path" sends a file. */
      resource: z.string({ error: 'must be a string' }).default(DEFAULT_GATE_RESOURCE),
      upstream: z.string({ error: 'must be a string' }).default(''),
      token_ttl_s: integer(1, 86400 * 30).default(300),
      /** The gate in front of a website: a reverse proxy on a port of its own, and its policy. */
      http: z
        .strictObject({
          /** The website behind the gate; empty runs no proxy. */
          upstream: emptyOrUrl('https?', 'an http:// or https://'),
          port: port().default(7042),
          /** Host header sent upstream: empty keeps the visitor's. */
          host: z.string({ error: 'must be a string' }).default(''),
          /** Time the upstream has to answer (headers, then each body chunk); then 504. */
          upstream_timeout_ms: integer(1, HOUR_MS).default(30000),
          /** Request bodies past this are refused with 413. */
          max_body_bytes: integer(0, 1024 * 1024 * 1024).default(10 * 1024 * 1024),
          /** Time a visitor has to send a whole request (headers and body); then 408. */
          request_timeout_ms: integer(1000, HOUR_MS).default(60000),
          /** TCP connections to the proxy at once; more are closed on accept. */
          max_connections: integer(1, 1_000_000).default(1000),
          /** Of those, from one IPv4 address or IPv6 /64 (behind a load balancer: raise to the above). */
          max_connections_per_source: integer(1, 1_000_000).default(100),
          rules: z.array(gateRule, { error: 'must be an array of rules' }).default([]),
        })
        .prefault({}),
      /** Challenges one address (IPv6 /64) gets per minute before its bits start to rise (one bit per doubling). */
      free_puzzles_per_source_per_minute: integer(1, 1_000_000_000).default(DEFAULT_RATE_POLICY.sourceFree),
      /** Challenges one address may ask per minute; past it, requests are refused (PP_ERR_RATE_LIMITED). */
      max_puzzles_per_source_per_minute: integer(1, 1_000_000_000).default(DEFAULT_RATE_POLICY.sourceLimit),
      /** Challenges per minute, all addresses together, before everyone's bits start to rise. */
      free_puzzles_per_minute: integer(1, 1_000_000_000).default(DEFAULT_RATE_POLICY.globalFree),
      /** TCP door: bytes in one line, without its newline; longer lines get `0:line too long` and the connection closes. */
      max_line_bytes: integer(64, 1024 * 1024).default(1024),
      /** TCP door: `1:` requests one connection may make. */
      max_puzzles_per_connection: integer(0, 1_000_000).default(16),
      /** TCP door: `0:` answers one connection may earn before it is closed. */
      max_errors_per_connection: integer(1, 1_000_000).default(8),
      /** TCP door: unread input one connection may have buffered before reading from it pauses. */
      max_buffered_bytes: integer(1024, 1024 * 1024 * 1024).default(32 * 1024),
      /** TCP door: time a connection may go without completing a line (bytes trickled without a newline do not extend it). */
      idle_timeout_ms: integer(1, HOUR_MS).default(30_000),
      /** TCP door: open connections from one IPv4 address or IPv6 /64. */
      max_connections_per_source: integer(1, 1_000_000).default(32),
      /** TCP door: open connections in all. */
      max_connections: integer(1, 1_000_000).default(4096),
      /** TCP door: time a refused connection gets to take its refusal and close before it is cut. */
      refused_linger_ms: integer(0, 60_000).default(1000),
      /** TCP door: time to reach gate.upstream. */
      upstream_connect_timeout_ms: integer(1, HOUR_MS).default(10_000),
    })
    .prefault({}),
  cluster: z
    .strictObject({
      /** redis:// URL; empty runs in memory. */
      redis: emptyOrUrl('rediss?', 'a redis:// (rediss://)'),
      /** Put before every Redis key and channel, so several clusters can share one Redis. */
      prefix: z.string({ error: 'must be a string' }).default('powerplant:'),
      /** A claimed nonce range's lease, renewed by its holder while it searches; a dead worker's range is re-searched after it. */
      lease_ms: integer(50, HOUR_MS).default(10000),
      /** Nonces per range this server's own engine claims of the jobs it owns. */
      range_size: decimal.default('16777216'),
      /** Invalid results after which a worker's results are ignored and it gets no more ranges. */
      max_invalid: integer(1, 1_000_000).default(3),
      /** How long a verified solution stays in the shared result cache. */
      result_ttl_s: integer(1, 30 * 86400).default(3600),
    })
    .prefault({}),
  log: z
    .strictObject({
      level: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    })
    .prefault({}),
  dashboard: z
    .strictObject({
      /** GET / on the HTTP port shows the live dashboard (worker names and addresses included). */
      enabled: z.boolean({ error: 'must be true or false' }).default(true),
      /** When set, the dashboard asks for it: ?token= once (kept in a cookie) or Authorization: Bearer. */
      token: z.string({ error: 'must be a string' }).default(''),
      /** Dashboards open at once (each holds one server-sent event stream). */
      max_viewers: integer(1, 1000).default(16),
    })
    .prefault({}),
});

type Mutable = z.output<typeof schema>;
type DeepReadonly<T> = T extends readonly (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
export type Config = DeepReadonly<Mutable>;

/** The command-line flags `powerplant serve` maps onto config keys (strings as commander gives them). */
export interface ConfigFlags {
  readonly host?: string;
  readonly port?: string | number;
  readonly metanoiaPort?: string | number;
  readonly stratumPort?: string | number;
  readonly gatePort?: string | number;
  readonly gateUpstream?: string;
  readonly gateHttpPort?: string | number;
  readonly shareDifficulty?: string | number;
  readonly blockBits?: string;
  readonly nodeUrl?: string;
  readonly payoutAddress?: string;
  readonly threads?: string | number;
  readonly engine?: string;
  readonly nice?: boolean;
  readonly gpu?: string;
  readonly redis?: string;
  readonly logLevel?: string;
  readonly stateDir?: string;
}

export interface LoadConfigOptions {
  /** A TOML file layered over the defaults (the `--config` flag). */
  readonly file?: string;
  /** Environment variables (default: none; `serve` passes process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly flags?: ConfigFlags;
  /** The base file (default: config/default.toml of this package; null: built-in defaults only). */
  readonly defaultsFile?: string | null;
}

type Layer = Record<string, Record<string, unknown>>;

export const DEFAULT_CONFIG_FILE = new URL('../../config/default.toml', import.meta.url);

function readToml(file: string | URL): Layer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`config: cannot read ${String(file)}: ${(error as Error).message}`);
  }
  try {
    return parseToml(text) as Layer;
  } catch (error) {
    throw new ConfigError(`config: cannot parse ${String(file)}: ${(error as Error).message.split('\n')[0]}`);
  }
}


function set(layer: Layer, section: string, key: string, value: unknown): void {
  if (value === undefined) return;
  layer[section] = { ...layer[section], [key]: value };
}

function envLayer(env: Readonly<Record<string, string | undefined>>): Layer {
  const layer: Layer = configFromEnv(schema.parse({}), env);
  // The short names count only where the POWERPLANT_ name is not set.
  const fallback = (section: string, key: string, value: unknown) => {
    if (layer[section]?.[key] === undefined) set(layer, section, key, value);
  };
  fallback('server', 'host', env.HOST);
  if (env.PORT !== undefined) fallback('server', 'port', numeric(env.PORT));
  if (env.URLS !== undefined) fallback('nano', 'upstreams', listFromEnv(env.URLS));
  fallback('cluster', 'redis', env.REDIS_URL);
  return layer;
}

function flagLayer(flags: ConfigFlags): Layer {
  const layer: Layer = {};
  const num = (value: string | number | undefined) => (value === undefined ? undefined : numeric(value));
  set(layer, 'server', 'host', flags.host);
  set(layer, 'server', 'port', num(flags.port));
  set(layer, 'metanoia', 'port', num(flags.metanoiaPort));
  set(layer, 'stratum', 'port', num(flags.stratumPort));
  set(layer, 'stratum', 'share_difficulty', num(flags.shareDifficulty));
  set(layer, 'stratum', 'block_bits', flags.blockBits);
  set(layer, 'stratum', 'node_url', flags.nodeUrl);
  set(layer, 'stratum', 'payout_address', flags.payoutAddress);
  set(layer, 'gate', 'tcp_port', num(flags.gatePort));
  if (flags.gateUpstream !== undefined || flags.gateHttpPort !== undefined) {
    const http: Record<string, unknown> = {};
    if (flags.gateUpstream !== undefined) http.upstream = flags.gateUpstream;
    if (flags.gateHttpPort !== undefined) http.port = num(flags.gateHttpPort);
    set(layer, 'gate', 'http', http);
  }
  set(layer, 'pow', 'threads', num(flags.threads));
  set(layer, 'pow', 'backend', flags.engine);
  set(layer, 'pow', 'nice', flags.nice);
  set(layer, 'pow', 'gpu', flags.gpu);
  set(layer, 'cluster', 'redis', flags.redis);
  set(layer, 'log', 'level', flags.logLevel);
  set(layer, 'server', 'state_dir', flags.stateDir);
  return layer;
}

const isTable = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `over` laid on `under`: tables merge key by key, at every depth; anything else is replaced. */
function mergeTables(under: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...under };
  for (const [key, value] of Object.entries(over)) {
    const previous = merged[key];
    merged[key] = isTable(previous) && isTable(value) ? mergeTables(previous, value) : value;
  }
  return merged;
}

/** Later layers win key by key within each section (and subsection); a section that is not a table is kept for the schema to refuse. */
function merge(layers: readonly Layer[]): Record<string, unknown> {
  return layers.reduce<Record<string, unknown>>((merged, layer) => mergeTables(merged, layer), {});
}

function describe(issue: z.core.$ZodIssue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => (path === '' ? key : `${path}.${key}`));
    return `config: unknown key ${keys.join(', ')}`;
  }
  if (path === '') return `config: ${issue.message}`;
  // Sections that are not tables get zod's message; name the section plainly.
  if (issue.path.length === 1 && issue.code === 'invalid_type') return `config: ${path} must be a table`;
  return `config: ${path} ${issue.message}`;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** Build the configuration from its layers; throws ConfigError naming the first bad key. */
export function loadConfig(options: LoadConfigOptions = {}): Config {
  const layers: Layer[] = [];
  const base = options.defaultsFile === undefined ? DEFAULT_CONFIG_FILE : options.defaultsFile;
  if (base !== null) layers.push(readToml(base));
  if (options.file !== undefined) layers.push(readToml(options.file));
  layers.push(envLayer(options.env ?? {}), flagLayer(options.flags ?? {}));
  const parsed = schema.safeParse(merge(layers));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(issue === undefined ? 'config: invalid' : describe(issue));
  }
  const config = parsed.data;
  if (config.gate.bits_min > config.gate.bits_max) {
    throw new ConfigError('config: gate.bits_min must not be above gate.bits_max');
  }
  const { stratum } = config;
  if (stratum.min_difficulty > stratum.max_difficulty) throw new ConfigError('config: stratum.min_difficulty must not be above stratum.max_difficulty');
  if (config.pow.default_difficulty > config.pow.max_difficulty) {
    throw new ConfigError('config: pow.default_difficulty must not be above pow.max_difficulty');
  }
  return deepFreeze(config);
}
