/**
 * The gate: issues challenges at adaptive difficulty, verifies hashcash stamps against them
 * (recomputing the hash, never trusting the stamp's claims), marks each challenge spent once, and
 * signs pass tokens. Front doors (protocols/gate-tcp.ts, protocols/gate-http.ts) only translate.
 * @module
 */
import { InputError } from '../schemes/bits.js';
import { parseStamp, stampValue, type StampAlgorithm } from '../schemes/hashcash.js';
import { ChallengeCodec, type Challenge } from './challenge.js';
import { adaptiveBits, DEFAULT_RATE_POLICY, MemoryRateCounter, type RateCounter, type RatePolicy } from './rate.js';
import { GateRefusal } from './refusal.js';
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
}

const GLOBAL_KEY = 'global';

export class Gate {
  readonly #challenges: ChallengeCodec;
  readonly #tokens: TokenCodec;
  readonly #spent: SpentStore;
  readonly #rate: RateCounter;
  readonly #now: () => number;
  readonly policy: RatePolicy;
  readonly challengeTtlS: number;
  readonly tokenTtlS: number;

  constructor(options: GateOptions) {
    const { bitsMin, bitsMax } = options;
    if (!Number.isInteger(bitsMin) || !Number.isInteger(bitsMax) || bitsMin < 0 || bitsMin > bitsMax || bitsMax > 160) {
      throw new RangeError('bits must satisfy 0 <= bitsMin <= bitsMax <= 160');
    }
    this.#now = options.now ?? Date.now;
    this.#challenges = new ChallengeCodec(options.secret, options.purpose);
    this.#tokens = new TokenCodec(options.secret, options.purpose);
    this.#spent = options.spent ?? new MemorySpentStore(undefined, this.#now);
    this.#rate = options.rate ?? new MemoryRateCounter(undefined, undefined, this.#now);
    this.policy = { ...DEFAULT_RATE_POLICY, ...options.policy, bitsMin, bitsMax };
    this.challengeTtlS = options.challengeTtlS;
    this.tokenTtlS = options.tokenTtlS;
  }

  /** A fresh challenge for `source` (an IP address), its bits set by the source's and the global rate. */
  async issue(source: string, algorithm: StampAlgorithm): Promise<Challenge> {
    const [sourceRate, globalRate] = await Promise.all([this.#rate.hit(`source:${source}`), this.#rate.hit(GLOBAL_KEY)]);
    if (sourceRate > this.policy.sourceLimit) {
      throw new GateRefusal('rate-limited', 'too many puzzle requests from your address; slow down');
    }
    const bits = adaptiveBits(this.policy, sourceRate, globalRate);
    return this.#challenges.issue({ bits, algorithm, ttlS: this.challengeTtlS, nowMs: this.#now() });
  }

  /**
   * Check `stamp` against `challenge` and redeem the challenge: resolves with it when this call is
   * the one and only successful use, rejects with a GateRefusal saying why otherwise.
   */
  async verify(challengeText: unknown, stamp: unknown): Promise<Challenge> {
    if (typeof challengeText !== 'string') throw new GateRefusal('malformed', 'challenge must be a string');
    const nowMs = this.#now();
    const challenge = this.#challenges.open(challengeText, nowMs);
    let resource: string;
    let claimedBits: number;
    try {
      ({ resource, bits: claimedBits } = parseStamp(stamp));
    } catch (error) {
      if (error instanceof InputError) throw new GateRefusal('malformed', error.message);
      throw error;
    }
    if (resource !== challenge.text) throw new GateRefusal('wrong-challenge', 'stamp is for another challenge');
    if (claimedBits < challenge.bits) {
      throw new GateRefusal('insufficient', `stamp claims ${claimedBits} bits, the challenge asks ${challenge.bits}`);
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
