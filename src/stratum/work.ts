/**
 * Where the coordinator's jobs come from: the built-in chain (stratum/chain.ts) or a Bitcoin node
 * (stratum/node.ts). A source holds the template to mine on, tells the coordinator when it changes
 * (clean on a new tip), and takes the blocks that shares find.
 * @module
 */

/** What a job is built from (hex as `mining.notify` carries it). */
export interface WorkTemplate {
  readonly height: number;
  /** The previous block's hash in Stratum's word-swapped order. */
  readonly prevhash: string;
  readonly version: string;
  readonly nbits: string;
  readonly ntime: string;
  readonly coinb1: string;
  readonly coinb2: string;
  readonly merkleBranch: readonly string[];
  /** The block target: a share whose hash is at or under it is a block. */
  readonly target: bigint;
}

/** A share that met its template's block target. */
export interface FoundBlock {
  readonly template: WorkTemplate;
  readonly header: Uint8Array;
  /** The coinbase as the miner hashed it (legacy serialisation). */
  readonly coinbase: Uint8Array;
  readonly worker: string;
}

/** What the chain or node made of a block. */
export interface BlockVerdict {
  readonly accepted: boolean;
  readonly height: number;
  /** Display order. */
  readonly hash: string;
  /** Why it was rejected (the node's reason, or why it could not be sent). */
  readonly reason?: string;
}

export interface WorkStatus {
  readonly kind: 'chain' | 'node';
  /** False while a node cannot be reached: no new jobs until it is back. */
  readonly up: boolean;
  /** Height of the block being mined, when known. */
  readonly height?: number;
}

export interface WorkSource {
  /** The template to mine on now; undefined while there is none (a node that is down). */
  current(): WorkTemplate | undefined;
  /** Ask for fresh work (a new ntime, refreshed transactions); it arrives through onWork(false). */
  refresh(): void;
  /** Send a found block; the source announces the next tip through onWork(true). */
  submit(found: FoundBlock): BlockVerdict | Promise<BlockVerdict>;
  /** The one listener for new work: clean is true when older jobs are stale (a new tip). */
  onWork(listener: (clean: boolean) => void): void;
  status(): WorkStatus;
  close(): void;
}
