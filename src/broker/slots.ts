/**
 * The broker's search slots: at most `maxActive` flights run at once, the rest wait in a bounded
 * queue. Two rules keep one client from starving the others:
 *
 * - `quickSlots` of the slots only ever take quick jobs (expected attempts at most
 *   `quickJobAttempts`), so hard jobs can never hold every slot and a cheap job starts once the
 *   quick jobs before it are done, whatever else is running;
 * - a free slot goes to the queued flight whose address has the fewest searches running, then to
 *   the one expected to take fewest attempts, then to the oldest.
 * @module
 */
import type { Flight } from './flight.js';

export interface SlotPolicy {
  readonly maxActive: number;
  readonly queueLimit: number;
  /** Slots that hard jobs may not take (at least one slot always takes them). */
  readonly quickSlots: number;
  /** Expected attempts up to which a job is quick. */
  readonly quickJobAttempts: number;
}

export class SearchSlots {
  readonly #running = new Set<Flight>();
  readonly #runningByAddress = new Map<string, number>();
  readonly #queue: Flight[] = [];
  readonly #hardLimit: number;
  #hardRunning = 0;

  constructor(
    private readonly policy: SlotPolicy,
    /** Run a flight that got a slot. */
    private readonly start: (flight: Flight) => void,
    /** Told after every change (for the gauges). */
    private readonly changed: (active: number, queued: number) => void,
  ) {
    this.#hardLimit = Math.max(1, policy.maxActive - policy.quickSlots);
  }

  get active(): number {
    return this.#running.size;
  }

  get queued(): number {
    return this.#queue.length;
  }

  /** Whether a new flight would find neither a slot nor room in the queue. */
  get full(): boolean {
    return this.#running.size >= this.policy.maxActive && this.#queue.length >= this.policy.queueLimit;
  }

  /** Queue a flight; it starts as soon as a slot it may take is free (at once when one is). */
  admit(flight: Flight): void {
    this.#queue.push(flight);
    this.pump();
  }

  /** A flight is over: free its slot or its place in the queue. Call before marking it settled. */
  leave(flight: Flight): void {
    if (this.#running.delete(flight)) {
      if (this.#isHard(flight)) this.#hardRunning -= 1;
      const left = this.#runningByAddress.get(flight.address)! - 1;
      if (left === 0) this.#runningByAddress.delete(flight.address);
      else this.#runningByAddress.set(flight.address, left);
    } else {
      this.#queue.splice(this.#queue.indexOf(flight), 1);
    }
  }

  /** Start queued flights while slots they may take are free. */
  pump(): void {
    for (let next = this.#next(); next !== undefined; next = this.#next()) {
      this.#queue.splice(this.#queue.indexOf(next), 1);
      next.state = 'running';
      this.#running.add(next);
      if (this.#isHard(next)) this.#hardRunning += 1;
      this.#runningByAddress.set(next.address, (this.#runningByAddress.get(next.address) ?? 0) + 1);
      this.start(next);
    }
    this.changed(this.#running.size, this.#queue.length);
  }

  #isHard(flight: Flight): boolean {
    return !flight.quick;
  }

  /** The queued flight that gets the next free slot, if a slot is free for any. */
  #next(): Flight | undefined {
    if (this.#running.size >= this.policy.maxActive) return undefined;
    const hardMayStart = this.#hardRunning < this.#hardLimit;
    let best: Flight | undefined;
    let bestShare = Infinity;
    for (const flight of this.#queue) {
      if (!hardMayStart && this.#isHard(flight)) continue;
      const share = this.#runningByAddress.get(flight.address) ?? 0;
      if (share < bestShare || (share === bestShare && flight.expectedAttempts < best!.expectedAttempts)) {
        best = flight;
        bestShare = share;
      }
    }
    return best;
  }
}
