/**
 * The gate: issues challenges at adaptive difficulty, verifies hashcash stamps against them
 * (recomputing the hash, never trusting the stamp's claims), marks each challenge spent once, and
 * signs pass tokens. Front doors (protocols/gate-tcp.ts, protocols/gate-http.ts) only translate.
 * @module
 */
import type { Config } from '../config.js';
import { PowerplantError, reasonOf } from '../errors.js';
import { parseStamp, stampValue, type StampAlgorithm } from '../schemes/hashcash.js';
import { ChallengeCodec, type Challenge } from './challenge.js';
import { sourceKey } from '../net/connections.js';
import { adaptiveBits, DEFAULT_RATE_POLICY, MemoryRateCounter, type RateCounter, type RatePolicy } from './rate.js';
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

/** What happened to one request: 'issued', 'passed', or why it was refused (reasonOf its error code). */
export type GateEvent = string;

const GLOBAL_KEY = 'global';

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

  /**
   * A fresh challenge for `source` (an IP address; IPv6 counts by /64), its bits set by the
   * source's and the global rate, and at least `leastBits` (a policy rule's own bits).
   */
  async issue(source: string, algorithm: StampAlgorithm, leastBits = 0): Promise<Challenge> {
    return this.#reported(this.#issue(source, algorithm, leastBits), 'issued');
  }

  async #issue(source: string, algorithm: StampAlgorithm, leastBits: number): Promise<Challenge> {
    const [sourceRate, globalRate] = await Promise.all([this.#rate.hit(`source:${sourceKey(source)}`), this.#rate.hit(GLOBAL_KEY)]);
    if (sourceRate > this.policy.sourceLimit) {
      throw new PowerplantError('PP_ERR_RATE_LIMITED', 'too many puzzle requests from your address; slow down');
    }
    const bits = Math.max(leastBits, adaptiveBits(this.policy, sourceRate, globalRate));
    this.#lastIssuedBits = bits;
    return this.#challenges.issue({ bits, algorithm, ttlS: this.challengeTtlS, nowMs: this.#now() });
  }

  /**
   * Check `stamp` against `challenge` and redeem the challenge: resolves with it when this call is
   * the one and only successful use, rejects with a PowerplantError saying why otherwise.
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
      if (error instanceof PowerplantError) this.#onEvent(reasonOf(error.code));
      throw error;
    }
  }

  /** `challengeText` undefined: the stamp's resource names the challenge. */
  async #redeem(challengeText: unknown, stamp: unknown): Promise<Challenge> {
    const fields = parseStamp(stamp);
    const text = challengeText === undefined ? fields.resource : challengeText;
    if (typeof text !== 'string') throw new PowerplantError('PP_ERR_INVALID', 'challenge must be a string');
    const nowMs = this.#now();
    const challenge = this.#challenges.open(text, nowMs);
    if (fields.resource !== challenge.text) throw new PowerplantError('PP_ERR_WRONG_CHALLENGE', 'stamp is for another challenge');
    if (fields.bits < challenge.bits) {
      throw new PowerplantError('PP_ERR_INSUFFICIENT', `stamp claims ${fields.bits} bits, the challenge asks ${challenge.bits}`);
    }
    // The hash is recomputed here; what the stamp claims about it counts for nothing.
    const value = stampValue(stamp as string, challenge.algorithm);
    if (value < challenge.bits) {
      throw new PowerplantError('PP_ERR_INSUFFICIENT', `stamp hash has ${value} leading zero bits, ${challenge.bits} required`);
    }
    let fresh: boolean;
    try {
      fresh = await this.#spent.markSpent(challenge.id, challenge.expires * 1000 - nowMs);
    } catch (error) {
      if (error instanceof SpentStoreFullError) throw new PowerplantError('PP_ERR_BUSY', 'gate is overloaded; try again later');
      throw error;
    }
    if (!fresh) throw new PowerplantError('PP_ERR_SPENT', 'challenge already used');
    return challenge;
  }

  /** A pass token for a challenge verify() accepted. */
  passFor(challenge: Challenge): Pass {
    return this.#tokens.issue(challenge.id, this.tokenTtlS, this.#now(), challenge.bits);
  }

  /** The pass a token stands for; a PowerplantError when it is not a valid, unexpired token of this gate. */
  checkPass(token: unknown): Pass {
    return this.#tokens.check(token, this.#now());
  }
}

/** The gate `powerplant serve` runs, from the config's [gate] section and its secret (stores: memory unless given). */
export function gateFromConfig(section: Config['gate'], extra: Pick<GateOptions, 'secret' | 'spent' | 'rate' | 'onEvent'>): Gate {
  return new Gate({
    purpose: section.purpose,
    bitsMin: section.bits_min,
    bitsMax: section.bits_max,
    challengeTtlS: section.challenge_ttl_s,
    tokenTtlS: section.token_ttl_s,
    policy: {
      sourceFree: section.free_puzzles_per_source_per_minute,
      sourceLimit: section.max_puzzles_per_source_per_minute,
      globalFree: section.free_puzzles_per_minute,
    },
    ...extra,
  });
}
