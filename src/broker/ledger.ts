/**
 * What each client and each address has in flight in the broker: jobs waiting for an answer, and
 * the attempts those jobs are expected to take. A job over a bound is refused before it queues.
 * @module
 */
import type { ClientIdentity } from './types.js';

export interface ClientBounds {
  /** Jobs one client (connection) may have waiting for an answer. */
  readonly maxJobsPerClient: number;
  /** Jobs one address may have waiting, over all its connections. */
  readonly maxJobsPerAddress: number;
  /** Expected attempts one address's waiting jobs may add up to. */
  readonly maxAttemptsPerAddress: number;
}

interface Held {
  jobs: number;
  attempts: number;
}

export class ClientLedger {
  readonly #byClient = new Map<string, Held>();
  readonly #byAddress = new Map<string, Held>();

  constructor(private readonly bounds: ClientBounds) {}

  /**
   * Count a job for a client, or say why it is refused. The returned function releases it (once).
   */
  take(client: ClientIdentity, attempts: number): { refused: string } | { release: () => void } {
    const mine = this.#byClient.get(client.id) ?? { jobs: 0, attempts: 0 };
    const address = this.#byAddress.get(client.address) ?? { jobs: 0, attempts: 0 };
    if (mine.jobs >= this.bounds.maxJobsPerClient) {
      return { refused: `this connection already has ${mine.jobs} jobs waiting (limit ${this.bounds.maxJobsPerClient})` };
    }
    if (address.jobs >= this.bounds.maxJobsPerAddress) {
      return { refused: `this address already has ${address.jobs} jobs waiting (limit ${this.bounds.maxJobsPerAddress})` };
    }
    if (address.attempts + attempts > this.bounds.maxAttemptsPerAddress) {
      return {
        refused:
          `the job's ${attempts.toPrecision(3)} expected attempts, with the ${address.attempts.toPrecision(3)} of this ` +
          `address's jobs waiting, are over the limit of ${this.bounds.maxAttemptsPerAddress.toPrecision(3)}`,
      };
    }
    this.#add(this.#byClient, client.id, mine, 1, attempts);
    this.#add(this.#byAddress, client.address, address, 1, attempts);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#add(this.#byClient, client.id, mine, -1, -attempts);
        this.#add(this.#byAddress, client.address, address, -1, -attempts);
      },
    };
  }

  #add(map: Map<string, Held>, key: string, held: Held, jobs: number, attempts: number): void {
    held.jobs += jobs;
    held.attempts += attempts;
    if (held.jobs === 0) map.delete(key);
    else map.set(key, held);
  }
}
