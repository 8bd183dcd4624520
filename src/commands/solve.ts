/**
 * `powerplant solve <scheme>`: mine one proof with the engine and print it.
 * @module
 */
import { Command } from 'commander';
import type { Scheme } from '../schemes/scheme.js';
import { parseEvent, parseDifficulty as parseNostrDifficulty, nostr } from '../schemes/nostr.js';
import { nano, parseRoot, workAnswer } from '../schemes/nano.js';
import { bitmessage, parseInitialHash, parseTarget as parseBitmessageTarget } from '../schemes/bitmessage.js';
import { bitcoin, headerBits, parseHeader, parseTarget as parseHeaderTarget, targetFromBits } from '../schemes/bitcoin.js';
import { hashcash, newJob, parseBits, parseResource } from '../schemes/hashcash.js';
import { InputError } from '../schemes/bits.js';
import { expectedAttempts } from '../schemes/search.js';
import { addEngineOptions, openEngine, parseJson, progressLine, readInput, type EngineFlags } from './common.js';
import { InterruptedError, printJson } from './output.js';
import { solve } from '../solve.js';
import { addNanoThresholdOptions, hardThresholdWarning, nanoThreshold, type NanoThresholdFlags } from './nano-flags.js';

interface SolveFlags extends EngineFlags {
  readonly json?: boolean;
}

/**
 * Run one search to its verified solution, with a progress line on a terminal (attempts, rate and
 * the expected time left); Ctrl-C stops it (from before `notice`, a warning for the user, is printed).
 */
async function mine<Input, Solution, Candidate>(
  scheme: Scheme<Input, Solution, Candidate>,
  input: Input,
  flags: EngineFlags,
  notice?: string,
): Promise<Solution> {
  const abort = new AbortController();
  const onSignal = (): void => abort.abort(new InterruptedError());
  process.once('SIGINT', onSignal);
  if (notice !== undefined) process.stderr.write(`powerplant: ${notice}\n`);
  const progress = progressLine(expectedAttempts(scheme.task(input)));
  try {
    const engine = await openEngine(flags);
    try {
      return await solve(scheme, input, { engine, signal: abort.signal, onProgress: progress.update });
    } finally {
      await engine.close();
    }
  } finally {
    progress.done();
    process.off('SIGINT', onSignal);
  }
}

function solveCommand(name: string, description: string): Command {
  return addEngineOptions(new Command(name).description(description).option('--json', 'machine-readable output'));
}

const nostrCommand = solveCommand('nostr', 'mine a NIP-13 nonce tag for an event')
  .requiredOption('--event <file>', "event JSON file, or '-' for stdin")
  .requiredOption('--difficulty <bits>', 'leading zero bits of the id')
  .option('--update-created-at', 'set created_at to now before mining')
  .action(async (flags: SolveFlags & { event: string; difficulty: string; updateCreatedAt?: boolean }) => {
    const raw = parseEvent(parseJson(await readInput(flags.event, 'event'), 'event'));
    const event = { pubkey: raw.pubkey, created_at: raw.created_at, kind: raw.kind, tags: raw.tags, content: raw.content };
    if (flags.updateCreatedAt) event.created_at = Math.floor(Date.now() / 1000);
    const difficulty = parseNostrDifficulty(decimal(flags.difficulty, '--difficulty'));
    const solution = await mine(nostr, { event, difficulty }, flags);
    if (flags.json) printJson(solution.event);
    else process.stdout.write(`${JSON.stringify(solution.event, null, 2)}\n`);
  });

const nanoCommand = addNanoThresholdOptions(solveCommand('nano', 'generate Nano/Banano work for a block hash (root)'))
  .requiredOption('--hash <hex>', 'block hash or root, 64 hex characters')
  .action(async (flags: SolveFlags & NanoThresholdFlags & { hash: string }) => {
    const root = parseRoot(flags.hash);
    const threshold = nanoThreshold(flags);
    const solution = await mine(nano, { root, threshold }, flags, hardThresholdWarning(threshold));
    const answer = workAnswer(root, solution);
    if (flags.json) printJson({ hash: flags.hash, work: answer.work, difficulty: answer.difficulty, multiplier: answer.multiplier });
    else process.stdout.write(`${answer.work}\n`);
  });

const bitmessageCommand = solveCommand('bitmessage', 'find a Bitmessage nonce for an initial hash and target')
  .requiredOption('--initial-hash <b64|hex>', 'SHA-512 of the payload, base64 or hex')
  .requiredOption('--target <n>', 'target (trialValue must be <= it)')
  .action(async (flags: SolveFlags & { initialHash: string; target: string }) => {
    const job = { initialHash: parseInitialHash(flags.initialHash, '--initial-hash'), target: parseBitmessageTarget(flags.target, 1n, '--target') };
    const solution = await mine(bitmessage, job, flags);
    if (flags.json) printJson({ nonce: solution.nonce.toString(), trialValue: solution.trialValue.toString() });
    else process.stdout.write(`nonce ${solution.nonce} trialValue ${solution.trialValue}\n`);
  });

const bitcoinCommand = solveCommand('bitcoin', 'find a nonce for an 80-byte block header')
  .requiredOption('--header <hex160>', 'the header, 160 hex characters (its nonce is replaced)')
  .option('--target <hex64>', "target, 64 hex characters (default: from the header's nBits)")
  .action(async (flags: SolveFlags & { header: string; target?: string }) => {
    const header = parseHeader(flags.header, '--header');
    const target = flags.target !== undefined ? parseHeaderTarget(flags.target, '--target') : targetFromBits(headerBits(header));
    const solution = await mine(bitcoin, { header, target }, flags);
    if (flags.json) printJson(solution);
    else process.stdout.write(`header ${solution.header}\nhash   ${solution.hash}\nnonce  ${solution.nonce}\n`);
  });

const hashcashCommand = solveCommand('hashcash', 'mint a hashcash v1 stamp')
  .requiredOption('--resource <r>', 'the resource the stamp is for')
  .requiredOption('--bits <n>', 'leading zero bits')
  .option('--sha256', 'the SHA-256 stamp form (for the gate) instead of SHA-1')
  .action(async (flags: SolveFlags & { resource: string; bits: string; sha256?: boolean }) => {
    const algorithm = flags.sha256 ? 'sha256' : 'sha1';
    const job = newJob(parseResource(flags.resource, '--resource'), parseBits(decimal(flags.bits, '--bits'), algorithm, '--bits'), algorithm);
    const solution = await mine(hashcash, job, flags);
    if (flags.json) printJson(solution);
    else process.stdout.write(`${solution.stamp}\n`);
  });

/** A decimal flag value as a number, refused by name when it is not one. */
export function decimal(value: string, label: string): number {
  if (!/^\d{1,10}$/.test(value)) throw new InputError(`${label} must be a non-negative integer`);
  return Number(value);
}

export function register(program: Command): void {
  const solve = program.command('solve').description('mine a proof of work');
  for (const command of [nostrCommand, nanoCommand, bitmessageCommand, bitcoinCommand, hashcashCommand]) solve.addCommand(command);
}
