/**
 * Attempts counted as they come in, with the rate over the last few seconds.
 * @module
 */
const RATE_WINDOW_MS = 5000;

export class RateWindow {
  total = 0;
  private readonly recent: { readonly at: number; readonly attempts: number }[] = [];
  private readonly createdAt = performance.now();

  add(attempts: number, now = performance.now()): void {
    if (attempts === 0) return;
    this.total += attempts;
    this.recent.push({ at: now, attempts });
    this.forgetOld(now);
  }

  /** Attempts per second over the window (or since creation, when younger than the window). */
  rate(now = performance.now()): number {
    this.forgetOld(now);
    const attempts = this.recent.reduce((sum, entry) => sum + entry.attempts, 0);
    const windowMs = Math.min(RATE_WINDOW_MS, now - this.createdAt);
    return windowMs > 0 ? (attempts * 1000) / windowMs : 0;
  }

  private forgetOld(now: number): void {
    let stale = 0;
    while (stale < this.recent.length && this.recent[stale].at < now - RATE_WINDOW_MS) stale++;
    if (stale > 0) this.recent.splice(0, stale);
  }
}
