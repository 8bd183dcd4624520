/**
 * The contract of a front door: every door is started the same way, `start(context)`, from what
 * the server built (the config, the broker, metrics, logging, and the handles some doors need),
 * and hands back a Door the server closes on shutdown. A door submits jobs to the broker and maps
 * the broker's answers to its protocol; it never reaches a source or the engine.
 * @module
 */
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { RemoteWork } from '../broker/remote-work.js';
import type { Broker, ClientIdentity } from '../broker/types.js';
import type { Config } from '../config.js';
import type { Gate } from '../gate/gate.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { sourceKey } from '../net/connections.js';
import type { BitmessageJob } from '../schemes/bitmessage.js';

export interface Address {
  readonly host: string;
  readonly port: number;
}

/**
 * Who a connection is to the broker: the connection itself (door, address and port, unique while
 * it is open) and its source address, whose jobs the broker bounds and shares slots by.
 */
export function clientOf(door: string, socket: { readonly remoteAddress?: string; readonly remotePort?: number }): ClientIdentity {
  const address = socket.remoteAddress ?? '?';
  return { id: `${door}:${address}:${socket.remotePort ?? 0}`, address: sourceKey(address), door };
}

/** A running front door; the server closes it on shutdown. */
export interface Door {
  readonly name: string;
  /** Where it listens: its own port, or the server's HTTP port for the doors served there. */
  readonly address: Address;
  /** Stop accepting, end its connections; the broker fails their jobs with 'shutdown'. */
  close(): Promise<void>;
}

/** What every front door is built from. */
export interface DoorContext {
  readonly config: Config;
  readonly broker: Broker;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The server's HTTP port, for the doors served on it; they add their routes before it listens. */
  readonly http: FastifyInstance;
  /** Nonce ranges of open Bitmessage jobs for remote miners, and their results back to the broker. */
  readonly remoteWork: RemoteWork<BitmessageJob>;
  readonly gate: Gate;
}

/**
 * The one shape of a door's start. A door may declare a narrower context (the parts it uses), so
 * tests can start it from those parts alone.
 */
export type StartDoor = (context: DoorContext) => Promise<Door>;

/** Where a fastify app listens (read once it does). */
export function httpAddress(app: FastifyInstance): Address {
  const address = app.server.address() as AddressInfo;
  return { host: address.address, port: address.port };
}

/** A door served on the server's HTTP port: its address is that port's, and the server closes the port itself. */
export function httpDoor(name: string, http: FastifyInstance, close: () => Promise<void> = async () => {}): Door {
  return {
    name,
    get address() {
      return httpAddress(http);
    },
    close,
  };
}
