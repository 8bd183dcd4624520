/**
 * Adaptive difficulty: a challenge's bits rise by one per doubling of its source's request rate
 * above a free allowance, and by one per doubling of the global rate above its allowance, within
 * [bitsMin, bitsMax]. A source past its hard limit gets no challenge at all.
 * @module
 */

export interface RateCounter {
  /** Count one request under `key` and return the key's rate: requests per window, this one included. */
  hit(key: string): Promise<number>;
}

export interface RatePolicy {
  readonly bitsMin: number;
  readonly bitsMax: number;
  /** Requests per window a source makes before its bits start to rise. */
  readonly sourceFree: number;
  /** Requests per window past which a source is refused. */
  readonly sourceLimit: number;
  /** Requests per window, all sources together, before everyone's bits start to rise. */
  readonly globalFree: number;
}

/** The window rates are counted in: the `_per_minute` config keys. */
export const RATE_WINDOW_MS = 60_000;
/** The defaults of those keys (config.ts), and of a Gate built without a policy. */
export const DEFAULT_RATE_POLICY: Omit<RatePolicy, 'bitsMin' | 'bitsMax'> = {
  sourceFree: 10,
  sourceLimit: 600,
  globalFree: 1200,
};

const extraBits = (rate: number, free: number): number => (rate <= free ? 0 : Math.floor(Math.log2(rate / free)));

/** Bits for a challenge given its source's rate and the global rate. */
export function adaptiveBits(policy: RatePolicy, sourceRate: number, globalRate: number): number {
  const bits = policy.bitsMin + extraBits(sourceRate, policy.sourceFree) + extraBits(globalRate, policy.globalFree);
  return Math.min(policy.bitsMax, bits);
}

/** An IPv6 address's groups with a dotted IPv4 tail, if any, as its two groups. */
function hexGroups(groups: string[]): string[] {
  const last = groups.at(-1);
  if (last === undefined || !last.includes('.')) return groups;
  const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number);
  return [...groups.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

/**
 * The rate key of a client address: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 by its /64,
 * since one subscriber usually holds a whole /64 and could otherwise rotate through it. IPv4 hosts
 * reached through NAT64's well-known prefix (64:ff9b::/96) count as their IPv4 address, not as one
 * /64 shared by every client of the translator.
 */
export function sourceKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::', 2);
  const headGroups = hexGroups(head === '' ? [] : head.split(':'));
  const tailGroups = hexGroups(tail === undefined || tail === '' ? [] : tail.split(':'));
  const groups = (tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]).map(
    (group) => group.replace(/^0+(?=.)/, ''),
  );
  if (groups.slice(0, 6).join(':') === '64:ff9b:0:0:0:0') {
    const [high = 0, low = 0] = groups.slice(6).map((group) => parseInt(group, 16));
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}

/** Distinct keys one window may hold; later new keys share one bucket (their rate only goes up). */
export const DEFAULT_RATE_KEYS = 100_000;
export const OVERFLOW_KEY = '\0overflow';

/**
 * In-process sliding-window estimate: the current fixed window's count plus the previous window's
 * count weighted by how much of it still overlaps the sliding window.
 */
export class MemoryRateCounter implements RateCounter {
  #windowStart = 0;
  #current = new Map<string, number>();
  #previous = new Map<string, number>();

  constructor(
    readonly windowMs = RATE_WINDOW_MS,
    readonly maxKeys = DEFAULT_RATE_KEYS,
    readonly now: () => number = Date.now,
  ) {}

  async hit(key: string): Promise<number> {
    const now = this.now();
    this.#roll(now);
    const bucket = this.#current.has(key) || this.#current.size < this.maxKeys ? key : OVERFLOW_KEY;
    const count = (this.#current.get(bucket) ?? 0) + 1;
    this.#current.set(bucket, count);
    const overlap = 1 - (now - this.#windowStart) / this.windowMs;
    return count + (this.#previous.get(bucket) ?? 0) * overlap;
  }

  #roll(now: number): void {
    const elapsed = now - this.#windowStart;
    if (elapsed < this.windowMs) return;
    this.#previous = elapsed < 2 * this.windowMs ? this.#current : new Map();
    this.#current = new Map();
    this.#windowStart = now - (elapsed % this.windowMs);
  }
}
