/**
 * A Bitcoin node as the work source (Bitcoin Core, or bcoin with its API key as the password):
 * jobs come from `getblocktemplate` with the segwit rule, each template becoming a coinbase that
 * pays the payout address (BIP34 height, extranonce space, the witness commitment when the template
 * has one) and a merkle branch of its transactions. A new tip is learnt by long polling where the
 * node offers it, else by a short poll of `getbestblockhash`; found blocks go to `submitblock`.
 * When the node cannot be reached there is no template (no new jobs) until it answers again.
 * @module
 */
import { silentLogger, type Logger } from '../log.js';
import { InputError } from '../schemes/bits.js';
import { blockHash, targetFromBits } from '../schemes/bitcoin.js';
import { networkOfChain, type PayoutAddress } from './address.js';
import { coinbaseParts, merkleBranch, serializeBlock, withWitness } from './coinbase.js';
import { hex32, swapWords } from './job.js';
import type { BlockVerdict, FoundBlock, WorkSource, WorkStatus, WorkTemplate } from './work.js';

export interface NodeOptions {
  /** http://user:password@host:port/ (Core's rpcuser/rpcpassword or cookie; bcoin: any user, the API key). */
  readonly url: string;
  readonly payout: PayoutAddress;
  readonly extranonceBytes: number;
  /** Short poll period (no long poll), and the retry period while the node is down. */
  readonly pollMs: number;
  /** Longest wait for one RPC answer (a long poll waits longer: LONGPOLL_TIMEOUT_MS). */
  readonly timeoutMs: number;
  readonly logger?: Logger;
}

/** An error the node answered with, or a transport failure. */
export class NodeError extends Error {}

interface NodeTemplate extends WorkTemplate {
  readonly previousBlockHash: string;
  readonly transactions: readonly Buffer[];
  /** The segwit rule is active: the coinbase carries the witness reserved value. */
  readonly segwit: boolean;
  readonly longpollId?: string;
}

/** A long poll returns when the tip or the mempool changes; past this it is asked again. */
const LONGPOLL_TIMEOUT_MS = 10 * 60_000;
const HASH_HEX = /^[0-9a-f]{64}$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** JSON-RPC 1.0 over HTTP POST with basic auth from the URL. */
export class NodeRpc {
  private readonly endpoint: string;
  private readonly authorization: string;
  private nextId = 1;

  constructor(url: string) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InputError('stratum.node_url is not a URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InputError('stratum.node_url must be http:// or https://');
    const credentials = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
    this.authorization = 'Basic ' + Buffer.from(credentials).toString('base64');
    parsed.username = '';
    parsed.password = '';
    this.endpoint = parsed.toString();
  }

  /** Where the node is, without its credentials (for logs). */
  get where(): string {
    return this.endpoint;
  }

  async call(method: string, params: unknown[], signal: AbortSignal): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { authorization: this.authorization, 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '1.0', id: this.nextId++, method, params }),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw new NodeError(`${method}: ${error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error)}`);
    }
    if (response.status === 401 || response.status === 403) throw new NodeError(`${method}: the node refused the credentials (HTTP ${response.status})`);
    let body: { result?: unknown; error?: { message?: string } | null };
    try {
      body = (await response.json()) as typeof body;
    } catch {
      throw new NodeError(`${method}: HTTP ${response.status} without a JSON answer`);
    }
    if (body.error !== null && body.error !== undefined) throw new NodeError(`${method}: ${body.error.message ?? JSON.stringify(body.error)}`);
    return body.result;
  }
}

const displayToInternal = (hex: string): Buffer => Buffer.from(hex, 'hex').reverse();

function field<T>(value: unknown, check: (value: unknown) => value is T, name: string): T {
  if (!check(value)) throw new NodeError(`getblocktemplate: bad ${name}`);
  return value;
}
const isUint = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isHash = (value: unknown): value is string => typeof value === 'string' && HASH_HEX.test(value);
const isHex = (value: unknown): value is string => typeof value === 'string' && HEX.test(value);

/** A getblocktemplate answer as a job template paying `payout`. */
export function templateFromNode(answer: unknown, payout: PayoutAddress, extranonceBytes: number): NodeTemplate {
  if (typeof answer !== 'object' || answer === null) throw new NodeError('getblocktemplate: no template');
  const gbt = answer as Record<string, unknown>;
  const height = field(gbt.height, isUint, 'height');
  const previousBlockHash = field(gbt.previousblockhash, isHash, 'previousblockhash');
  const bits = field(gbt.bits, (value): value is string => typeof value === 'string' && /^[0-9a-f]{8}$/.test(value), 'bits');
  const transactions = field(gbt.transactions, Array.isArray, 'transactions') as unknown[];
  const txids: Buffer[] = [];
  const data: Buffer[] = [];
  for (const tx of transactions) {
    const entry = (tx ?? {}) as Record<string, unknown>;
    txids.push(displayToInternal(field(entry.txid ?? entry.hash, isHash, 'transaction txid')));
    data.push(Buffer.from(field(entry.data, isHex, 'transaction data'), 'hex'));
  }
  const outputs = [{ value: BigInt(field(gbt.coinbasevalue, isUint, 'coinbasevalue')), script: payout.script }];
  if (gbt.default_witness_commitment !== undefined) {
    outputs.push({ value: 0n, script: Buffer.from(field(gbt.default_witness_commitment, isHex, 'default_witness_commitment'), 'hex') });
  }
  const rules = Array.isArray(gbt.rules) ? gbt.rules : [];
  return {
    height,
    previousBlockHash,
    prevhash: Buffer.from(swapWords(displayToInternal(previousBlockHash))).toString('hex'),
    version: hex32(field(gbt.version, isUint, 'version')),
    nbits: bits,
    ntime: hex32(field(gbt.curtime, isUint, 'curtime')),
    ...coinbaseParts(height, extranonceBytes, outputs),
    merkleBranch: merkleBranch(txids).map((hash) => hash.toString('hex')),
    target: targetFromBits(parseInt(bits, 16)),
    transactions: data,
    segwit: rules.includes('segwit') || rules.includes('!segwit'),
    longpollId: typeof gbt.longpollid === 'string' ? gbt.longpollid : undefined,
  };
}

export class NodeWork implements WorkSource {
  private readonly rpc: NodeRpc;
  private readonly log: Logger;
  private readonly stopped = new AbortController();
  private template: NodeTemplate | undefined;
  private listener: (clean: boolean) => void = () => {};
  private up = true;
  private longPolling = false;
  private timer: NodeJS.Timeout | undefined;
  /** Templates are numbered as asked (long polls: as answered); an older one never replaces a newer. */
  private asked = 0;
  private applied = 0;
  /** The parent of a block just sent: a template on it, asked before the node took the block, is stale. */
  private solvedParent: string | undefined;

  private constructor(private readonly options: NodeOptions) {
    this.rpc = new NodeRpc(options.url);
    this.log = (options.logger ?? silentLogger).child({ component: 'stratum-node' });
  }

  /** Reach the node, check the payout address against its chain and fetch the first template. */
  static async open(options: NodeOptions): Promise<NodeWork> {
    const work = new NodeWork(options);
    let chain: string;
    try {
      const info = (await work.call('getblockchaininfo', [])) as { chain?: unknown } | null;
      chain = typeof info?.chain === 'string' ? info.chain : '';
    } catch (error) {
      throw new InputError(`stratum.node_url: cannot use the node at ${work.rpc.where}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const network = networkOfChain(chain);
    if (network === undefined) throw new InputError(`the node at ${work.rpc.where} is on an unknown chain "${chain}"`);
    if (!options.payout.networks.includes(network)) {
      throw new InputError(`stratum.payout_address ${options.payout.address} is not an address of the node's chain (${chain})`);
    }
    try {
      await work.fetch();
    } catch (error) {
      throw new InputError(`stratum.node_url: no block template from ${work.rpc.where}: ${error instanceof Error ? error.message : String(error)}`);
    }
    work.log.info({ node: work.rpc.where, chain, height: work.template?.height, longPoll: work.template?.longpollId !== undefined }, 'mining on the node');
    work.watch();
    return work;
  }

  current(): WorkTemplate | undefined {
    return this.up ? this.template : undefined;
  }

  refresh(): void {
    void this.fetch().catch((error: unknown) => this.down(error));
  }

  onWork(listener: (clean: boolean) => void): void {
    this.listener = listener;
  }

  status(): WorkStatus {
    return { kind: 'node', up: this.up, height: this.template?.height };
  }

  async submit(found: FoundBlock): Promise<BlockVerdict> {
    const template = found.template as NodeTemplate;
    const hash = blockHash(found.header);
    this.solvedParent = template.previousBlockHash;
    const coinbase = template.segwit ? withWitness(found.coinbase) : Buffer.from(found.coinbase);
    const block = serializeBlock(found.header, coinbase, template.transactions);
    let verdict: BlockVerdict;
    try {
      const answer = await this.call('submitblock', [block.toString('hex')]);
      verdict = answer === null ? { accepted: true, height: template.height, hash } : { accepted: false, height: template.height, hash, reason: String(answer) };
    } catch (error) {
      verdict = { accepted: false, height: template.height, hash, reason: error instanceof Error ? error.message : String(error) };
    }
    if (!verdict.accepted) this.solvedParent = undefined;
    // Accepted or not, the next job starts from the node's tip.
    this.refreshClean();
    return verdict;
  }

  close(): void {
    this.stopped.abort();
    clearTimeout(this.timer);
  }

  private call(method: string, params: unknown[], timeoutMs = this.options.timeoutMs): Promise<unknown> {
    return this.rpc.call(method, params, AbortSignal.any([this.stopped.signal, AbortSignal.timeout(timeoutMs)]));
  }

  /** Fetch a template; tell the listener (clean when the tip moved, or when forced). */
  private async fetch(forceClean = false): Promise<void> {
    const number = ++this.asked;
    const answer = await this.call('getblocktemplate', [{ rules: ['segwit'] }]);
    this.apply(number, templateFromNode(answer, this.options.payout, this.options.extranonceBytes), forceClean);
  }

  private refreshClean(): void {
    void this.fetch(true).catch((error: unknown) => this.down(error));
  }

  private apply(number: number, template: NodeTemplate, forceClean: boolean): void {
    if (number <= this.applied || template.previousBlockHash === this.solvedParent) return;
    this.applied = number;
    this.solvedParent = undefined;
    const clean = forceClean || !this.up || template.previousBlockHash !== this.template?.previousBlockHash;
    const wasDown = !this.up;
    this.template = template;
    this.up = true;
    if (wasDown) this.log.info({ node: this.rpc.where, height: template.height }, 'the node answers again: jobs resume');
    this.listener(clean);
    if (template.longpollId !== undefined && !this.longPolling) void this.longPoll();
  }

  private down(error: unknown): void {
    if (this.stopped.signal.aborted) return;
    if (this.up) {
      this.up = false;
      this.log.error({ node: this.rpc.where, err: error instanceof Error ? error.message : String(error) }, 'the node cannot be reached: no new jobs until it is back');
    }
  }

  /** Short poll (when the node offers no long poll) and the retry loop while it is down. */
  private watch(): void {
    const tick = async (): Promise<void> => {
      try {
        if (!this.up) await this.fetch();
        else if (!this.longPolling) {
          const best = await this.call('getbestblockhash', []);
          if (best !== this.template?.previousBlockHash) await this.fetch();
        }
      } catch (error) {
        this.down(error);
      }
      if (!this.stopped.signal.aborted) this.timer = setTimeout(() => void tick(), this.options.pollMs).unref();
    };
    this.timer = setTimeout(() => void tick(), this.options.pollMs).unref();
  }

  /** Ask with the last longpollid until the node is down or we stop; each answer is the next template. */
  private async longPoll(): Promise<void> {
    this.longPolling = true;
    let id = this.template?.longpollId;
    try {
      while (!this.stopped.signal.aborted && this.up && id !== undefined) {
        let answer: unknown;
        try {
          answer = await this.call('getblocktemplate', [{ rules: ['segwit'], longpollid: id }], LONGPOLL_TIMEOUT_MS);
        } catch (error) {
          // A quiet node: ask again.
          if (error instanceof DOMException && error.name === 'TimeoutError') continue;
          throw error;
        }
        const template = templateFromNode(answer, this.options.payout, this.options.extranonceBytes);
        // The answer's id, even when the template itself is passed over, so the next ask waits.
        id = template.longpollId;
        this.apply(++this.asked, template, false);
      }
    } catch (error) {
      this.down(error);
    } finally {
      this.longPolling = false;
    }
  }
}
