/**
 * `powerplant gate-client HOST:PORT`: get through a powtcp gate. Asks for a puzzle, mints the
 * hashcash stamp with the engine, sends it, and writes what the gate (or the service behind it)
 * sends after `4:` to stdout.
 * @module
 */
import { connect, type Socket } from 'node:net';
import { Command } from 'commander';
import type { Engine, Progress } from '../engine/engine.js';
import { readChallenge, type Challenge } from '../gate/challenge.js';
import { PowerplantError } from '../errors.js';
import { InputError } from '../schemes/bits.js';
import { hashcash, randomSalt, stampDate, type HashcashJob } from '../schemes/hashcash.js';
import { addEngineOptions, openEngine, progressLine, type EngineFlags } from './common.js';
import { EXIT_INVALID } from './output.js';

/** Refuse to mine more than this unless told otherwise: a hostile gate could ask for years of work. */
const DEFAULT_MAX_BITS = 32;

/** The gate answered `0:<message>`. */
export class GateDeniedError extends Error {
  override readonly name = 'GateDeniedError';
}

/** Reads '\n'-terminated lines from a socket, then hands over whatever follows. */
class LineReader {
  #buffer = '';
  #ended = false;
  #wake: (() => void) | null = null;

  constructor(private readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', this.#onData);
    socket.on('close', () => {
      this.#ended = true;
      this.#wake?.();
    });
  }

  #onData = (chunk: string): void => {
    this.#buffer += chunk;
    this.#wake?.();
  };

  async line(): Promise<string> {
    for (;;) {
      const end = this.#buffer.indexOf('\n');
      if (end !== -1) {
        const line = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 1);
        return line;
      }
      if (this.#ended) throw new GateDeniedError('the gate closed the connection');
      await new Promise<void>((resolve) => (this.#wake = resolve));
    }
  }

  /** Whether the next bytes are `prefix` (consumed when they are); waits until enough bytes arrived. */
  async skip(prefix: string): Promise<boolean> {
    while (this.#buffer.length < prefix.length && !this.#ended) await new Promise<void>((resolve) => (this.#wake = resolve));
    if (!this.#buffer.startsWith(prefix)) return false;
    this.#buffer = this.#buffer.slice(prefix.length);
    return true;
  }

  /** Stop reading lines: the buffered rest and every later byte go to `sink`; resolves when the connection ends. */
  async streamRest(sink: (chunk: string) => void): Promise<void> {
    this.socket.off('data', this.#onData);
    if (this.#buffer !== '') sink(this.#buffer);
    this.#buffer = '';
    this.socket.on('data', sink);
    while (!this.#ended) await new Promise<void>((resolve) => (this.#wake = resolve));
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
  const socket = connect(options.port, options.host);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', (error: NodeJS.ErrnoException) =>
      reject(new GateDeniedError(`cannot connect to ${options.host}:${options.port}: ${error.code ?? error.message}`)),
    );
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
    if (!(await lines.skip('4:'))) expect(await lines.line(), '4');
    await lines.streamRest(options.output);
    return challenge;
  } finally {
    socket.destroy();
  }
}

/** HOST:PORT or [v6]:PORT. */
function parseAddress(raw: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(raw);
  const port = Number(match?.[3]);
  if (match === null || port < 1 || port > 65535) throw new InputError(`address must be HOST:PORT, got '${raw}'`);
  return { host: match[1] ?? match[2]!, port };
}

export function register(program: Command): void {
  program.addCommand(
    addEngineOptions(
      new Command('gate-client')
        .description('get through a powtcp/hashcash gate: solve its puzzle and print the resource')
        .argument('<address>', 'HOST:PORT of the gate')
        .option('--max-bits <n>', `refuse puzzles harder than this (default ${DEFAULT_MAX_BITS})`),
    ).action(async (address: string, flags: EngineFlags & { maxBits?: string }) => {
      const { host, port } = parseAddress(address);
      const maxBits = flags.maxBits === undefined ? DEFAULT_MAX_BITS : Number(flags.maxBits);
      if (!Number.isInteger(maxBits) || maxBits < 0 || maxBits > 160) throw new InputError('--max-bits must be an integer in 0..160');
      const engine = await openEngine(flags);
      const progress = progressLine();
      try {
        await passGate({ host, port, engine, maxBits, onProgress: progress.update, output: (chunk) => process.stdout.write(chunk, 'latin1') });
      } catch (error) {
        if (!(error instanceof GateDeniedError)) throw error;
        process.stderr.write(`powerplant: ${error.message}\n`);
        process.exitCode = EXIT_INVALID;
      } finally {
        progress.done();
        await engine.close();
      }
    }),
  );
}
