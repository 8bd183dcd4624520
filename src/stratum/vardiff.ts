/**
 * Variable difficulty for one connection: the share rate is measured over a window and the
 * difficulty scaled towards the wanted shares per minute, at most 4× up or down per step, within
 * [floor, max]. A miner far above the rate is retargeted early (after twice a window's expected
 * shares) so a fast miner does not flood the pool for a whole window.
 * @module
 */

export interface VardiffSettings {
  /** Wanted shares per minute; 0 turns vardiff off. */
  readonly sharesPerMinute: number;
  /** The measuring window, in milliseconds. */
  readonly retargetMs: number;
  readonly minDifficulty: number;
  readonly maxDifficulty: number;
}

/** Step limits, and the band of rates left alone (no churn for small deviations). */
const MAX_STEP = 4;
const KEEP_BAND = 1.5;
/** A window needs this much time before an early retarget may use it (rates from a few ms are noise). */
const MIN_EARLY_WINDOW_MS = 1000;

export class Vardiff {
  private windowStart: number;
  private shares = 0;
  /** Set by the miner (suggest_difficulty, minimum-difficulty): vardiff never goes below it. */
  private floor: number;

  constructor(
    private readonly settings: VardiffSettings,
    private difficulty: number,
    now: number,
  ) {
    this.windowStart = now;
    this.floor = settings.minDifficulty;
  }

  get current(): number {
    return this.difficulty;
  }

  /** Clamp a difficulty to the pool's bounds and the miner's floor. */
  clamp(difficulty: number): number {
    return Math.min(this.settings.maxDifficulty, Math.max(this.floor, this.settings.minDifficulty, difficulty));
  }

  /** The miner asks for a difficulty (a floor when `asFloor`); returns the one to send. */
  suggest(difficulty: number, now: number, asFloor: boolean): number {
    if (asFloor) this.floor = Math.min(this.settings.maxDifficulty, Math.max(this.settings.minDifficulty, difficulty));
    this.difficulty = this.clamp(difficulty);
    this.restart(now);
    return this.difficulty;
  }

  /** Count an accepted share; returns the new difficulty when it changes. */
  share(now: number): number | undefined {
    this.shares += 1;
    const elapsed = now - this.windowStart;
    const expected = (this.settings.sharesPerMinute * this.settings.retargetMs) / 60_000;
    if (elapsed >= this.settings.retargetMs || (elapsed >= MIN_EARLY_WINDOW_MS && this.shares >= 2 * expected)) return this.retarget(now);
    return undefined;
  }

  /** Called now and then: a miner that went quiet gets an easier difficulty after a window. */
  tick(now: number): number | undefined {
    return now - this.windowStart >= this.settings.retargetMs ? this.retarget(now) : undefined;
  }

  private retarget(now: number): number | undefined {
    if (this.settings.sharesPerMinute <= 0) return undefined;
    const minutes = (now - this.windowStart) / 60_000;
    const ratio = this.shares / minutes / this.settings.sharesPerMinute;
    this.restart(now);
    if (ratio <= KEEP_BAND && ratio >= 1 / KEEP_BAND) return undefined;
    const next = this.clamp(this.difficulty * Math.min(MAX_STEP, Math.max(1 / MAX_STEP, ratio)));
    if (next === this.difficulty) return undefined;
    this.difficulty = next;
    return next;
  }

  private restart(now: number): void {
    this.windowStart = now;
    this.shares = 0;
  }
}
