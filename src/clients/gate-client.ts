/**
 * A powtcp gate client: asks the gate for a puzzle (`1:`), mints the hashcash stamp with the
 * engine, sends it (`3:`), and hands everything after `4:` (the resource, or the bytes of the
 * service behind the gate) to its caller.
 * @module
 */
import type { Socket } from 'node:net';
import type { Engine, Progress } from '../engine/engine.js';
import { readChallenge, type Challenge } from '../gate/challenge.js';
import { PowerplantError } from '../errors.js';
import { LINE_TOO_LONG, LineSplitter } from '../net/framing.js';
import { openTcp } from '../net/tcp-client.js';
import { hashcash, randomSalt, stampDate, type HashcashJob } from '../schemes/hashcash.js';

/** Refuse to mine more than this unless told otherwise: a hostile gate could ask for years of work. */
export const DEFAULT_MAX_BITS = 32;

/** The gate answered `0:<message>`. */
export class GateDeniedError extends Error {
  override readonly name = 'GateDeniedError';
}

/** Longest line taken from a gate: a puzzle or a refusal is far shorter. */
const MAX_LINE_BYTES = 1 << 16;
const RESOURCE_PREFIX = Buffer.from('4:');

/** Reads '\n'-terminated lines from a socket, then hands over whatever follows. */
class LineReader {
  readonly #lines = new LineSplitter(MAX_LINE_BYTES, 'latin1');
  #ended = false;
  #wake: (() => void) | null = null;

  constructor(private readonly socket: Socket) {
    socket.on('data', this.#onData);
    socket.on('close', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  #onData = (chunk: Buffer): void => {
    this.#lines.feed(chunk);
    this.#wake?.();
  };

  #more(): Promise<void> {
    return new Promise<void>((resolve) => (this.#wake = resolve));
  }

  async line(): Promise<string> {
    for (;;) {
      const line = this.#lines.next();
      if (line === LINE_TOO_LONG) throw new GateDeniedError(`the gate sent a line longer than ${MAX_LINE_BYTES} bytes`);
      if (line !== null) return line;
      if (this.#ended) throw new GateDeniedError('the gate closed the connection');
      await this.#more();
    }
  }

  /** Whether the next bytes are `prefix` (taken when they are); waits until enough bytes arrived. */
  async skip(prefix: Buffer): Promise<boolean> {
    while (this.#lines.buffered < prefix.length && !this.#ended) await this.#more();
    return this.#lines.skip(prefix);
  }

  /** Stop reading lines: the bytes not taken and every later byte go to `sink`; resolves when the connection ends. */
  async streamRest(sink: (chunk: string) => void): Promise<void> {
    this.socket.off('data', this.#onData);
    const rest = this.#lines.drain();
    if (rest.length > 0) sink(rest.toString('latin1'));
    this.socket.on('data', (chunk: Buffer) => sink(chunk.toString('latin1')));
    while (!this.#ended) await this.#more();
  }
}

/** The payload of a `2:` or `4:` line; a GateDeniedError for `0:` and anything unexpected. */
function expect(line: string, command: '2' | '4'): string {
  if (line.startsWith(`${command}:`)) return line.slice(2);
  if (line.startsWith('0:')) throw new GateDeniedError(`the gate refused: ${line.slice(2)}`);
  throw new GateDeniedError(`unexpected answer from the gate: ${JSON.stringify(line.slice(0, 80))}`);
}

export interface GateClientOptions {
  readonly host: string;
  readonly port: number;
  readonly engine: Engine;
  readonly maxBits?: number;
  /** Receives everything after `4:` (the resource, or the upstream service's bytes). */
  readonly output: (chunk: string) => void;
  readonly onProgress?: (progress: Progress) => void;
}

/** Mint a stamp for a challenge read from the gate. */
async function mintFor(challenge: Challenge, engine: Engine, onProgress: GateClientOptions['onProgress']): Promise<string> {
  const job: HashcashJob = { resource: challenge.text, bits: challenge.bits, date: stampDate(), ext: '', rand: randomSalt(), algorithm: challenge.algorithm };
  const found = await engine.search(hashcash.task(job), { onProgress });
  const solution = hashcash.solution(job, found.nonce);
  const verdict = hashcash.verify(job, solution);
  if (!verdict.valid) throw new Error(`the engine returned a stamp that does not verify: ${verdict.reason}`);
  return solution.stamp;
}

/** The whole powtcp exchange; resolves with the challenge solved once the gate closes the connection. */
export async function passGate(options: GateClientOptions): Promise<Challenge> {
  const socket = await openTcp(options.host, options.port).catch((error: NodeJS.ErrnoException) => {
    throw new GateDeniedError(`cannot connect to ${options.host}:${options.port}: ${error.code ?? error.message}`);
  });
  socket.on('error', () => socket.destroy());
  try {
    const lines = new LineReader(socket);
    socket.write('1:\n');
    let challenge: Challenge;
    try {
      challenge = readChallenge(expect(await lines.line(), '2'));
    } catch (error) {
      if (error instanceof PowerplantError) throw new GateDeniedError(`the gate sent a puzzle this client cannot read: ${error.message}`);
      throw error;
    }
    const maxBits = options.maxBits ?? DEFAULT_MAX_BITS;
    if (challenge.bits > maxBits) throw new GateDeniedError(`the gate asks for ${challenge.bits} bits, more than --max-bits ${maxBits}`);
    socket.write(`3:${await mintFor(challenge, options.engine, options.onProgress)}\n`);
    // A file resource need not end in a newline: after '4:' everything up to the close is the answer.
    if (!(await lines.skip(RESOURCE_PREFIX))) expect(await lines.line(), '4');
    await lines.streamRest(options.output);
    return challenge;
  } finally {
    socket.destroy();
  }
}

