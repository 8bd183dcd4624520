/**
 * The broker's search slots: at most `maxActive` flights run at once, the rest wait in a bounded
 * queue, first come first served.
 * @module
 */
import type { Flight } from './flight.js';

export class SearchSlots {
  #active = 0;
  readonly #queue: Flight[] = [];

  constructor(
    private readonly maxActive: number,
    private readonly queueLimit: number,
    /** Run a flight that got a slot. */
    private readonly start: (flight: Flight) => void,
    /** Told after every change (for the gauges). */
    private readonly changed: (active: number, queued: number) => void,
  ) {}

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Whether a new flight would find neither a slot nor room in the queue. */
  get full(): boolean {
    return this.#active >= this.maxActive && this.#queue.length >= this.queueLimit;
  }

  /** Queue a flight; it starts as soon as a slot is free (at once when one is). */
  admit(flight: Flight): void {
    this.#queue.push(flight);
    this.pump();
  }

  /** A flight is over: free its slot or its place in the queue. Call before marking it settled. */
  leave(flight: Flight): void {
    if (flight.state === 'running') this.#active -= 1;
    else this.#queue.splice(this.#queue.indexOf(flight), 1);
  }

  /** Start queued flights while slots are free. */
  pump(): void {
    while (this.#active < this.maxActive && this.#queue.length > 0) {
      const next = this.#queue.shift()!;
      next.state = 'running';
      this.#active += 1;
      this.start(next);
    }
    this.changed(this.#active, this.#queue.length);
  }
}
