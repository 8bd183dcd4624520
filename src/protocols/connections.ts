/**
 * Per-source connection limits for the doors whose clients connect directly: one source is an IPv4
 * address or an IPv6 /64, as for the gate's request rates.
 * @module
 */
import { sourceKey } from '../gate/rate.js';

/** Open connections per source; an IPv6 /64 is one source, as one client commonly holds a whole /64. */
export class SourceConnections {
  readonly #open = new Map<string, number>();

  constructor(readonly limit: number) {}

  /** Count a connection from `address`; false, counting nothing, when its source is at the limit. */
  add(address: string): boolean {
    const key = sourceKey(address);
    const open = (this.#open.get(key) ?? 0) + 1;
    if (open > this.limit) return false;
    this.#open.set(key, open);
    return true;
  }

  /** Forget a connection that add() counted. */
  remove(address: string): void {
    const key = sourceKey(address);
    const left = (this.#open.get(key) ?? 1) - 1;
    if (left === 0) this.#open.delete(key);
    else this.#open.set(key, left);
  }
}
