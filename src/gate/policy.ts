/**
 * The gate's policy for HTTP requests: rules from the config, first match wins, each matching on
 * path prefix, method, User-Agent pattern and source network. A request no rule matches is
 * challenged at the gate's adaptive bits.
 * @module
 */
import { BlockList, isIP } from 'node:net';
import type { Config } from '../config.js';

type RuleConfig = Config['gate']['http']['rules'][number];

/** What the policy says about one request. */
export type Verdict =
  | { readonly action: 'allow' }
  | { readonly action: 'deny' }
  /** A pass is needed, earned with at least `bits` (0: any pass of this gate). */
  | { readonly action: 'challenge'; readonly bits: number };

/**
 * The path rules match against: dot segments resolved, percent-escapes decoded (also escaped
 * slashes and dots, then resolved again), so that `/.well-known/..%2Fadmin` is `/admin` here as it
 * may be for the upstream; backslashes count as slashes.
 */
export function policyPath(url: string): string {
  const resolve = (path: string): string => new URL(path.startsWith('/') ? path : `/${path}`, 'http://gate.invalid').pathname;
  const once = resolve(url.split('?', 1)[0]!.split('#', 1)[0]!);
  let decoded: string;
  try {
    decoded = decodeURIComponent(once);
  } catch {
    return once;
  }
  return resolve(decoded.replaceAll('%', '%25').replaceAll('?', '%3F').replaceAll('#', '%23'));
}

/** What a rule looks at. */
export interface RequestFacts {
  /** The path as policyPath() gives it. */
  readonly path: string;
  readonly method: string;
  readonly userAgent: string;
  /** The client's address (as fastify's request.ip: behind trusted proxies, the real client). */
  readonly ip: string;
}

interface Rule {
  readonly verdict: Verdict;
  readonly path?: string;
  readonly methods?: ReadonlySet<string>;
  readonly userAgent?: RegExp;
  readonly networks?: BlockList;
}

/** An IPv4-mapped IPv6 address as the IPv4 address it stands for. */
export const plainAddress = (address: string): string => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;

/** A BlockList of addresses and CIDR networks (validated by the config schema). */
export function networkList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

function compile(rule: RuleConfig): Rule {
  const verdict: Verdict = rule.action === 'challenge' ? { action: 'challenge', bits: rule.bits ?? 0 } : { action: rule.action };
  return {
    verdict,
    ...(rule.path === undefined ? {} : { path: rule.path }),
    ...(rule.methods === undefined ? {} : { methods: new Set(rule.methods.map((method) => method.toUpperCase())) }),
    ...(rule.user_agent === undefined ? {} : { userAgent: new RegExp(rule.user_agent, 'i') }),
    ...(rule.networks === undefined ? {} : { networks: networkList(rule.networks) }),
  };
}

function inNetworks(list: BlockList, ip: string): boolean {
  const address = plainAddress(ip).split('%')[0]!;
  const family = isIP(address);
  return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

export class GatePolicy {
  readonly #rules: readonly Rule[];

  constructor(rules: readonly RuleConfig[]) {
    this.#rules = rules.map(compile);
  }

  verdict(facts: RequestFacts): Verdict {
    for (const rule of this.#rules) {
      if (rule.path !== undefined && !facts.path.startsWith(rule.path)) continue;
      if (rule.methods !== undefined && !rule.methods.has(facts.method.toUpperCase())) continue;
      if (rule.userAgent !== undefined && !rule.userAgent.test(facts.userAgent)) continue;
      if (rule.networks !== undefined && !inNetworks(rule.networks, facts.ip)) continue;
      return rule.verdict;
    }
    return { action: 'challenge', bits: 0 };
  }
}
