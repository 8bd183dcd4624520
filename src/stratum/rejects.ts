/**
 * A connection's most recent judged shares (accepted, or rejected as stale, duplicate or low
 * difficulty) as a ring of fixed size: how many of them were rejected, updated in O(1) per share.
 * @module
 */
export class RejectWindow {
  /** 1 for a rejected share, 0 for an accepted one or an empty slot. */
  private readonly slots: Uint8Array;
  private next = 0;
  private judged = 0;
  private count = 0;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`a reject window holds at least one share, not ${size}`);
    this.slots = new Uint8Array(size);
  }

  /** Shares in the window now: every one judged, up to its size. */
  get shares(): number {
    return this.judged;
  }

  /** Rejected shares in the window now. */
  get rejected(): number {
    return this.count;
  }

  /** One more judged share; the oldest leaves a full window. Returns the rejected ones now in it. */
  record(rejected: boolean): number {
    const value = rejected ? 1 : 0;
    this.count += value - this.slots[this.next]!;
    this.slots[this.next] = value;
    this.next = (this.next + 1) % this.slots.length;
    this.judged = Math.min(this.judged + 1, this.slots.length);
    return this.count;
  }
}
