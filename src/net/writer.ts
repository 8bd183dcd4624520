/**
 * One way to answer a peer that may not read: write, and cut the peer off once more than a bound
 * of written bytes waits for it, so a slow reader never holds the server's memory or stalls others.
 * @module
 */
import { WebSocket } from 'ws';

/** A connection as the writer sees it. */
export interface Peer {
  /** Whether writing still reaches the peer. */
  readonly writable: boolean;
  /** Bytes written and not yet taken by the peer. */
  readonly pendingBytes: number;
  write(text: string): void;
  /** Cut the connection at once. */
  drop(): void;
}

/** A TCP socket, or an HTTP response streamed over one (its pending bytes count the socket's). */
interface ByteStream {
  readonly destroyed: boolean;
  readonly writableLength: number;
  write(text: string): unknown;
  destroy(): unknown;
}

/** A TCP connection or a streamed HTTP response; `drop` defaults to destroying it. */
export function socketPeer(socket: ByteStream, drop: () => void = () => void socket.destroy()): Peer {
  return {
    get writable() {
      return !socket.destroyed;
    },
    get pendingBytes() {
      return socket.writableLength;
    },
    write: (text) => void socket.write(text),
    drop,
  };
}

export function webSocketPeer(ws: WebSocket): Peer {
  return {
    get writable() {
      return ws.readyState === WebSocket.OPEN;
    },
    get pendingBytes() {
      return ws.bufferedAmount;
    },
    write: (text) => ws.send(text),
    drop: () => ws.terminate(),
  };
}

/**
 * A send function for `peer`: writes while the peer is writable and drops it (after `onSlowReader`,
 * for the caller's count and log) once more than `maxPendingBytes` wait unread.
 */
export function boundedWriter(peer: Peer, maxPendingBytes: number, onSlowReader: () => void): (text: string) => void {
  return (text) => {
    if (!peer.writable) return;
    peer.write(text);
    if (peer.pendingBytes > maxPendingBytes) {
      onSlowReader();
      peer.drop();
    }
  };
}
