/**
 * The gate's TCP front door, powtcp's line protocol: `1:` → `2:<challenge>`, `3:<stamp>` →
 * `4:<resource>`, any error → `0:<message>`. Lines are answered strictly in order (each line is
 * handled to the end before the next is read), bounded in length, and a connection may ask for a
 * bounded number of puzzles. After `4:` the gate has done its job on that connection: it sends the
 * configured resource and closes, or hands the connection over to the upstream TCP service.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createConnection, createServer, type Socket } from 'node:net';
import type { Gate } from '../gate/gate.js';
import type { Config } from '../config.js';
import { clientMessage, InputError, PowerplantError, wiresOf } from '../errors.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { endWith, SourceConnections } from '../net/connections.js';
import { LINE_TOO_LONG, LineSplitter } from '../net/framing.js';
import { listen } from '../net/listen.js';
import type { Door } from './door.js';

/** What the door sends after a verified stamp. */
export type GateTarget =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'file'; readonly path: string }
  | { readonly kind: 'upstream'; readonly host: string; readonly port: number };

/**
 * `gate.upstream` (host:port, [v6]:port) wins over `gate.resource`; a resource starting with '@' is
 * a file sent as is after `4:`; any other resource is one line of text.
 */
export function gateTarget(resource: string, upstream: string): GateTarget {
  if (upstream !== '') {
    const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(upstream);
    const port = Number(match?.[3]);
    if (match === null || port < 1 || port > 65535) throw new InputError(`gate.upstream must be host:port, got '${upstream}'`);
    return { kind: 'upstream', host: match[1] ?? match[2]!, port };
  }
  if (resource.startsWith('@')) return { kind: 'file', path: resource.slice(1) };
  if (/[\r\n]/.test(resource)) throw new InputError('gate.resource must be one line (use @path for a file)');
  return { kind: 'text', text: resource };
}

/** What the door is built from (the parts of the DoorContext it uses). */
export interface GateTcpContext {
  readonly gate: Gate;
  /** The `gate` section (the target and the door's limits) and the host every door binds. */
  readonly config: { readonly gate: Config['gate']; readonly server: { readonly host: string } };
  readonly logger: Logger;
  /** Open and refused connections are counted under door 'gate'. */
  readonly metrics?: Pick<Metrics, 'connections' | 'connectionsRefused'>;
}


/** One connection's conversation with the gate. */
class GateSession {
  readonly #lines: LineSplitter;
  #running = false;
  /** 'lines' while speaking the protocol, 'done' once the gate has finished with the connection. */
  #state: 'lines' | 'done' = 'lines';
  #puzzles = 0;
  #errors = 0;
  readonly #idle: NodeJS.Timeout;

  constructor(
    private readonly socket: Socket,
    private readonly source: string,
    private readonly gate: Gate,
    private readonly target: GateTarget,
    private readonly config: Config['gate'],
    private readonly logger: Logger,
  ) {
    this.#lines = new LineSplitter(config.max_line_bytes, 'latin1');
    this.#idle = setTimeout(() => this.#finish('0:idle timeout\n'), config.idle_timeout_ms);
    socket.once('close', () => clearTimeout(this.#idle));
    socket.on('data', (chunk: Buffer) => this.#receive(chunk));
  }

  #receive(chunk: Buffer): void {
    if (this.#state !== 'lines') return;
    this.#lines.feed(chunk);
    if (this.#lines.buffered > this.config.max_buffered_bytes) this.socket.pause();
    void this.#drain();
  }

  /** Handle buffered lines one at a time, in order; only one drain runs per connection. */
  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#state === 'lines') {
        const line = this.#lines.next();
        if (line === null) break;
        if (line === LINE_TOO_LONG) {
          this.#finish('0:line too long\n');
          break;
        }
        this.#idle.refresh();
        await this.#answer(line);
      }
    } finally {
      this.#running = false;
    }
    if (this.#state === 'lines' && this.socket.isPaused() && this.#lines.buffered <= this.config.max_buffered_bytes) {
      this.socket.resume();
    }
  }

  async #answer(line: string): Promise<void> {
    try {
      const reply = await this.#handle(line);
      if (reply !== null && this.#state === 'lines') this.socket.write(reply);
    } catch (error) {
      if (!(error instanceof PowerplantError)) this.logger.error({ err: error, source: this.source }, 'gate: unexpected failure');
      const last = `0:${clientMessage(error)}\n`;
      if (wiresOf(error).powtcp !== 'answer') return this.#finish(last);
      this.socket.write(last);
      if (++this.#errors >= this.config.max_errors_per_connection) this.#finish('0:too many errors\n');
    }
  }

  /** The reply line for one request line, or null when the connection was handed on. */
  async #handle(line: string): Promise<string | null> {
    const match = /^(\d):(.*)$/s.exec(line);
    if (match === null) throw new InputError("message must be '<command>:<payload>'");
    const [, command, payload] = match as unknown as [string, string, string];
    switch (command) {
      case '1': {
        if (payload !== '') throw new InputError('a puzzle request (1:) takes no payload');
        if (++this.#puzzles > this.config.max_puzzles_per_connection) {
          throw new PowerplantError('PP_ERR_TOO_MANY_REQUESTS', 'too many puzzle requests on this connection');
        }
        const challenge = await this.gate.issue(this.source, 'sha1');
        return `2:${challenge.text}\n`;
      }
      case '3': {
        const challenge = await this.gate.verifyStamp(payload);
        this.logger.info({ source: this.source, challenge: challenge.id, bits: challenge.bits }, 'gate: stamp accepted');
        await this.#deliver();
        return null;
      }
      case '0':
      case '2':
      case '4':
        throw new InputError(`command ${command} is sent by the server; send 1: or 3:<stamp>`);
      default:
        throw new InputError(`unknown command ${command}`);
    }
  }

  /** What a verified stamp earns: the resource, or the upstream service. */
  async #deliver(): Promise<void> {
    this.#state = 'done';
    switch (this.target.kind) {
      case 'text':
        this.socket.end(`4:${this.target.text}\n`);
        return;
      case 'file': {
        const { path } = this.target;
        const content = await readFile(path).catch((error: unknown) => {
          this.logger.error({ err: error, path }, 'gate: cannot read the resource file');
          return null;
        });
        this.socket.end(content === null ? '0:resource unavailable\n' : Buffer.concat([Buffer.from('4:'), content]));
        return;
      }
      case 'upstream':
        return this.#proxy(this.target.host, this.target.port);
    }
  }

  /** Connect to the upstream service, say `4:connected`, then pipe both ways (with any bytes already sent). */
  #proxy(host: string, port: number): Promise<void> {
    return new Promise((settle) => {
      const upstream = createConnection({ host, port, timeout: this.config.upstream_connect_timeout_ms });
      let connected = false;
      upstream.once('timeout', () => upstream.destroy(new Error('upstream connect timeout')));
      upstream.once('error', (error) => {
        this.logger.warn({ err: error, upstream: `${host}:${port}` }, 'gate: upstream failed');
        if (connected) this.socket.destroy();
        else this.socket.end('0:upstream unavailable\n');
        settle();
      });
      upstream.once('connect', () => {
        connected = true;
        upstream.setTimeout(0);
        clearTimeout(this.#idle);
        this.socket.write('4:connected\n');
        const rest = this.#lines.drain();
        if (rest.length > 0) upstream.write(rest);
        this.socket.removeAllListeners('data');
        this.socket.pipe(upstream);
        upstream.pipe(this.socket);
        this.socket.once('close', () => upstream.destroy());
        this.socket.resume();
        settle();
      });
    });
  }

  /** Send a last line and close; nothing more is read. */
  #finish(last: string): void {
    this.#state = 'done';
    clearTimeout(this.#idle);
    this.#lines.drain();
    endWith(this.socket, last, this.config.refused_linger_ms);
  }
}

/** Start the door; resolves once it listens. Port 0 picks a free port (see `address`). */
export async function startGateTcp(options: GateTcpContext): Promise<Door> {
  const config = options.config.gate;
  const target = gateTarget(config.resource, config.upstream);
  const { gate, logger, metrics } = options;
  const sockets = new Set<Socket>();
  const perSource = new SourceConnections(config.max_connections_per_source);

  const server = createServer((socket) => {
    const source = socket.remoteAddress ?? 'unknown';
    socket.on('error', (error) => logger.debug({ err: error, source }, 'gate: connection error'));
    if (!perSource.add(source)) {
      metrics?.connectionsRefused.inc({ door: 'gate' });
      // It still holds a place under maxConnections until it is gone.
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      endWith(socket, '0:too many connections from your address\n', config.refused_linger_ms);
      return;
    }
    sockets.add(socket);
    metrics?.connections.inc({ door: 'gate' });
    socket.once('close', () => {
      metrics?.connections.dec({ door: 'gate' });
      sockets.delete(socket);
      perSource.remove(source);
    });
    new GateSession(socket, source, gate, target, config, logger);
  });
  server.maxConnections = config.max_connections;

  const address = await listen(server, config.tcp_port, options.config.server.host);
  logger.info({ port: address.port, target: target.kind }, 'gate: TCP door listening');

  return {
    name: 'gate',
    address,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
