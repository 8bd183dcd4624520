/**
 * Sources of connections: the key that names a client's source (an IPv4 address or an IPv6 /64),
 * used for the gate's request rates, and per-source connection limits for the doors whose clients
 * connect directly, and the way a door closes a connection with a last message.
 * @module
 */
import type { Server, Socket } from 'node:net';

/** An IPv6 address's groups with a dotted IPv4 tail, if any, as its two groups. */
function hexGroups(groups: string[]): string[] {
  const last = groups.at(-1);
  if (last === undefined || !last.includes('.')) return groups;
  const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number);
  return [...groups.slice(0, -1), ((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
}

/**
 * The source key of a client address: IPv4 as is (IPv4-mapped IPv6 unwrapped), IPv6 by its /64,
 * since one subscriber usually holds a whole /64 and could otherwise rotate through it. IPv4 hosts
 * reached through NAT64's well-known prefix (64:ff9b::/96) count as their IPv4 address, not as one
 * /64 shared by every client of the translator.
 */
export function sourceKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.toLowerCase().split('%')[0]!.split('::', 2);
  const headGroups = hexGroups(head === '' ? [] : head.split(':'));
  const tailGroups = hexGroups(tail === undefined || tail === '' ? [] : tail.split(':'));
  const groups = (tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups]).map(
    (group) => group.replace(/^0+(?=.)/, ''),
  );
  if (groups.slice(0, 6).join(':') === '64:ff9b:0:0:0:0') {
    const [high = 0, low = 0] = groups.slice(6).map((group) => parseInt(group, 16));
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return `${groups.slice(0, 4).join(':')}::/64`;
}

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

/**
 * Close a connection with a last message: nothing more is read (a flooding peer costs nothing
 * while it lingers), and after `lingerMs` it is cut whatever the peer does, so it holds no place
 * (nor its per-source slot).
 */
export function endWith(socket: Socket, last: string | Buffer, lingerMs: number): void {
  socket.removeAllListeners('data');
  socket.pause();
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const cut = setTimeout(() => socket.destroy(), lingerMs).unref();
  socket.once('close', () => clearTimeout(cut));
  socket.end(last);
}

/**
 * Cap a server's connections: `max` open in all (Node drops the rest on accept), `perSource` from
 * one source (the rest are closed at once, or handed to `refuse` to be answered and closed).
 * `onRefused` is told of each connection turned away.
 */
export function capConnections(
  server: Server,
  limits: { readonly max: number; readonly perSource: number },
  onRefused: () => void,
  refuse: (socket: Socket) => void = (socket) => socket.destroy(),
): void {
  server.maxConnections = limits.max;
  server.on('drop', onRefused);
  const sources = new SourceConnections(limits.perSource);
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    if (!sources.add(address)) {
      onRefused();
      refuse(socket);
      return;
    }
    socket.once('close', () => sources.remove(address));
  });
}

/**
 * The `http` options of a Fastify server that cut a request not received whole (headers and body)
 * within `requestTimeoutMs`. Node takes these only when the server is made (Fastify's own
 * `requestTimeout`, set afterwards, cuts nothing) and checks them on a period, 30 s unless told: a
 * tenth of the timeout keeps the cut close to it.
 */
export function requestTimeouts(requestTimeoutMs: number): { requestTimeout: number; headersTimeout: number; connectionsCheckingInterval: number } {
  return {
    requestTimeout: requestTimeoutMs,
    headersTimeout: requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.round(requestTimeoutMs / 10)),
  };
}
