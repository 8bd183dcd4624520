/**
 * The connection to Redis: one client for commands, one for pub/sub. Both fail fast while Redis is
 * unreachable (no offline queue), so every caller falls back at once to its local path instead of
 * waiting; ioredis reconnects by itself, and `up` turns true again when both clients are ready.
 * @module
 */
import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { silentLogger } from '../log.js';

/** Pause before reconnect attempt n: 100 ms, 200 ms, ... at most 1 s. */
const retryDelay = (attempt: number): number => Math.min(100 * attempt, 1000);

/** A Redis command that gets no answer within this long counts as a failure. */
const COMMAND_TIMEOUT_MS = 2000;

export interface RedisLinkEvents {
  up: [];
  down: [];
}

export class RedisLink extends EventEmitter<RedisLinkEvents> {
  readonly commands: Redis;
  readonly subscriber: Redis;
  readonly #handlers = new Map<string, (message: string) => void>();
  readonly #log: Logger;
  #up = false;
  #closed = false;
  /** The subscriber has (re)subscribed every channel since it last connected. */
  #subscribed = false;

  constructor(
    readonly url: string,
    logger: Logger = silentLogger,
  ) {
    super();
    this.#log = logger.child({ component: 'redis' });
    const options = {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectTimeout: COMMAND_TIMEOUT_MS,
      autoResubscribe: false,
      retryStrategy: retryDelay,
    };
    this.commands = new Redis(url, options);
    this.subscriber = new Redis(url, options);
    for (const client of [this.commands, this.subscriber]) {
      // Errors surface through the commands that fail and through `down`; without a listener
      // ioredis would print each reconnect failure.
      client.on('error', (error: Error) => this.#log.debug({ err: error }, 'redis error'));
      client.on('close', () => this.#update());
      client.on('end', () => this.#update());
    }
    this.commands.on('ready', () => this.#update());
    this.subscriber.on('close', () => {
      this.#subscribed = false;
      this.#update();
    });
    this.subscriber.on('ready', () => void this.#resubscribe());
    this.subscriber.on('message', (channel: string, message: string) => this.#handlers.get(channel)?.(message));
  }

  /** Both clients are connected and ready. */
  get up(): boolean {
    return this.#up;
  }

  /** Open both connections; resolves when both are ready or `timeoutMs` passed (the link keeps trying). */
  async connect(timeoutMs = COMMAND_TIMEOUT_MS): Promise<boolean> {
    for (const client of [this.commands, this.subscriber]) {
      client.connect().catch(() => {
        // Reported through `down`; ioredis keeps retrying.
      });
    }
    if (this.#up) return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.once('up', done);
    });
    return this.#up;
  }

  /** Call `handler` with every message on `channel`, across reconnects. */
  async listen(channel: string, handler: (message: string) => void): Promise<void> {
    this.#handlers.set(channel, handler);
    if (this.subscriber.status === 'ready') await this.subscriber.subscribe(channel).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#handlers.clear();
    await Promise.allSettled([this.commands.quit(), this.subscriber.quit()]);
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  async #resubscribe(): Promise<void> {
    const channels = [...this.#handlers.keys()];
    try {
      if (channels.length > 0) await this.subscriber.subscribe(...channels);
      this.#subscribed = true;
    } catch (error) {
      this.#log.debug({ err: error }, 'resubscribe failed; waiting for the next reconnect');
    }
    this.#update();
  }

  #update(): void {
    const up = !this.#closed && this.#subscribed && this.commands.status === 'ready' && this.subscriber.status === 'ready';
    if (up === this.#up) return;
    this.#up = up;
    if (!this.#closed) this.#log[up ? 'info' : 'warn']({ url: redactUrl(this.url) }, up ? 'redis connected' : 'redis unreachable; reconnecting');
    this.emit(up ? 'up' : 'down');
  }
}

/** A Redis URL without its password, for logs. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, '//$1:***@');
}
