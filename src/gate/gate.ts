/**
 * The gate: issues challenges at adaptive difficulty, verifies hashcash stamps against them
 * (recomputing the hash, never trusting the stamp's claims), marks each challenge spent once, and
 * signs pass tokens. Front doors (protocols/gate-tcp.ts, protocols/gate-http.ts) only translate.
 * @module
 */
import type { Config } from '../config.js';
import { InputError } from '../schemes/bits.js';
import { parseStamp, stampValue, type Stamp, type StampAlgorithm } from '../schemes/hashcash.js';
import { ChallengeCodec, type Challenge } from './challenge.js';
import { adaptiveBits, DEFAULT_RATE_POLICY, sourceKey, MemoryRateCounter, type RateCounter, type RatePolicy } from './rate.js';
import { GateRefusal, type RefusalCode } from './refusal.js';
import { resolveGateSecret } from './secret.js';
import { MemorySpentStore, SpentStoreFullError, type SpentStore } from './spent.js';
import { TokenCodec, type Pass } from './token.js';

export interface GateOptions {
  readonly secret: Uint8Array;
  /** What challenges and tokens are bound to; gates sharing a secret need different purposes. */
  readonly purpose: string;
  readonly bitsMin: number;
  readonly bitsMax: number;
  readonly challengeTtlS: number;
  readonly tokenTtlS: number;
  readonly spent?: SpentStore;
  readonly rate?: RateCounter;
  readonly policy?: Partial<Omit<RatePolicy, 'bitsMin' | 'bitsMax'>>;
  /** Clock in milliseconds (tests move it). */
  readonly now?: () => number;
  /** Told of every challenge issued and every verdict (metrics). */
  readonly onEvent?: (event: GateEvent) => void;
}

/** What happened to one request: a challenge issued, a solution passed, or why it was refused. */
export type GateEvent = 'issued' | 'passed' | RefusalCode;

const GLOBAL_KEY = 'global';

/** The stamp's fields, or a 'malformed' refusal with parseStamp's specific message. */
function readStamp(stamp: unknown): Stamp {
  try {
    return parseStamp(stamp);
  } catch (error) {
    if (error instanceof InputError) throw new GateRefusal('malformed', error.message);
    throw error;
  }
}

export class Gate {
  readonly #challenges: ChallengeCodec;
  readonly #tokens: TokenCodec;
  readonly #spent: SpentStore;
  readonly #rate: RateCounter;
  readonly #now: () => number;
  readonly #onEvent: (event: GateEvent) => void;
  readonly policy: RatePolicy;
  readonly challengeTtlS: number;
  readonly tokenTtlS: number;
  #lastIssuedBits: number | undefined;

  constructor(options: GateOptions) {
    const { bitsMin, bitsMax } = options;
    if (!Number.isInteger(bitsMin) || !Number.isInteger(bitsMax) || bitsMin < 0 || bitsMin > bitsMax || bitsMax > 160) {
      throw new RangeError('bits must satisfy 0 <= bitsMin <= bitsMax <= 160');
    }
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent ?? (() => {});
    this.#challenges = new ChallengeCodec(options.secret, options.purpose);
    this.#tokens = new TokenCodec(options.secret, options.purpose);
    this.#spent = options.spent ?? new MemorySpentStore(undefined, this.#now);
    this.#rate = options.rate ?? new MemoryRateCounter(undefined, undefined, this.#now);
    this.policy = { ...DEFAULT_RATE_POLICY, ...options.policy, bitsMin, bitsMax };
    this.challengeTtlS = options.challengeTtlS;
    this.tokenTtlS = options.tokenTtlS;
  }

  /** The bits of the latest challenge issued (undefined before the first), for the dashboard. */
  get lastIssuedBits(): number | undefined {
    return this.#lastIssuedBits;
  }

  /** A fresh challenge for `source` (an IP address; IPv6 counts by /64), its bits set by the source's and the global rate. */
  async issue(source: string, algorithm: StampAlgorithm): Promise<Challenge> {
    return this.#reported(this.#issue(source, algorithm), 'issued');
  }

  async #issue(source: string, algorithm: StampAlgorithm): Promise<Challenge> {
    const [sourceRate, globalRate] = await Promise.all([this.#rate.hit(`source:${sourceKey(source)}`), this.#rate.hit(GLOBAL_KEY)]);
    if (sourceRate > this.policy.sourceLimit) {
      throw new GateRefusal('rate-limited', 'too many puzzle requests from your address; slow down');
    }
    const bits = adaptiveBits(this.policy, sourceRate, globalRate);
    this.#lastIssuedBits = bits;
    return this.#challenges.issue({ bits, algorithm, ttlS: this.challengeTtlS, nowMs: this.#now() });
  }

  /**
   * Check `stamp` against `challenge` and redeem the challenge: resolves with it when this call is
   * the one and only successful use, rejects with a GateRefusal saying why otherwise.
   */
  async verify(challengeText: unknown, stamp: unknown): Promise<Challenge> {
    return this.#reported(this.#redeem(challengeText, stamp), 'passed');
  }

  /** verify() for a stamp alone: its resource names the challenge (the TCP door's `3:<stamp>`). */
  async verifyStamp(stamp: unknown): Promise<Challenge> {
    return this.#reported(this.#redeem(undefined, stamp), 'passed');
  }

  /** Report how a request ended (a refusal by its code), and pass its result on. */
  async #reported(work: Promise<Challenge>, success: GateEvent): Promise<Challenge> {
    try {
      const challenge = await work;
      this.#onEvent(success);
      return challenge;
    } catch (error) {
      if (error instanceof GateRefusal) this.#onEvent(error.code);
      throw error;
    }
  }

  /** `challengeText` undefined: the stamp's resource names the challenge. */
  async #redeem(challengeText: unknown, stamp: unknown): Promise<Challenge> {
    const fields = readStamp(stamp);
    const text = challengeText === undefined ? fields.resource : challengeText;
    if (typeof text !== 'string') throw new GateRefusal('malformed', 'challenge must be a string');
    const nowMs = this.#now();
    const challenge = this.#challenges.open(text, nowMs);
    if (fields.resource !== challenge.text) throw new GateRefusal('wrong-challenge', 'stamp is for another challenge');
    if (fields.bits < challenge.bits) {
      throw new GateRefusal('insufficient', `stamp claims ${fields.bits} bits, the challenge asks ${challenge.bits}`);
    }
    // The hash is recomputed here; what the stamp claims about it counts for nothing.
    const value = stampValue(stamp as string, challenge.algorithm);
    if (value < challenge.bits) {
      throw new GateRefusal('insufficient', `stamp hash has ${value} leading zero bits, ${challenge.bits} required`);
    }
    let fresh: boolean;
    try {
      fresh = await this.#spent.markSpent(challenge.id, challenge.expires * 1000 - nowMs);
    } catch (error) {
      if (error instanceof SpentStoreFullError) throw new GateRefusal('busy', 'gate is overloaded; try again later');
      throw error;
    }
    if (!fresh) throw new GateRefusal('spent', 'challenge already used');
    return challenge;
  }

  /** A pass token for a challenge verify() accepted. */
  passFor(challenge: Challenge): Pass {
    return this.#tokens.issue(challenge.id, this.tokenTtlS, this.#now());
  }

  /** The pass a token stands for; a GateRefusal when it is not a valid, unexpired token of this gate. */
  checkPass(token: unknown): Pass {
    return this.#tokens.check(token, this.#now());
  }
}

/** The gate `powerplant serve` runs, from the config's [gate] section (stores: memory unless given). */
export function gateFromConfig(section: Config['gate'], extra: Pick<GateOptions, 'spent' | 'rate' | 'onEvent'> = {}): Gate {
  return new Gate({
    secret: resolveGateSecret(section.secret, section.secret_file),
    purpose: section.purpose,
    bitsMin: section.bits_min,
    bitsMax: section.bits_max,
    challengeTtlS: section.challenge_ttl_s,
    tokenTtlS: section.token_ttl_s,
    ...extra,
  });
}
