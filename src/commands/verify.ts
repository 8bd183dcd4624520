/**
 * `powerplant verify <scheme>`: check a proof by the schemes' independent verifiers.
 * Exit 0 when valid, 1 when not, 2 for bad input; the reason is printed either way.
 * @module
 */
import { Command } from 'commander';
import type { Check } from '../schemes/scheme.js';
import { parseEvent, parseDifficulty as parseNostrDifficulty, verifyEvent } from '../schemes/nostr.js';
import { NANO_RECEIVE, hex16, multiplierOf, parseRoot, parseWork, workValue } from '../schemes/nano.js';
import { addNanoThresholdOptions, nanoThreshold, type NanoThresholdFlags } from './nano-flags.js';
import { parseInitialHash, parseNonce, parseTarget as parseBitmessageTarget, trialValue } from '../schemes/bitmessage.js';
import { blockHash, hashValue, headerBits, parseHeader, parseTarget as parseHeaderTarget, targetFromBits } from '../schemes/bitcoin.js';
import { checkStamp, parseBits, parseResource } from '../schemes/hashcash.js';
import { parseJson, readInput } from './common.js';
import { EXIT_INVALID, EXIT_OK, printJson } from './output.js';
import { decimal } from './solve.js';

interface Report {
  readonly verdict: Check;
  /** What was measured, shown with the verdict (e.g. the achieved difficulty). */
  readonly details: Record<string, string | number>;
}

function finish(flags: { json?: boolean }, { verdict, details }: Report): void {
  if (flags.json) printJson({ valid: verdict.valid, ...(verdict.valid ? {} : { reason: verdict.reason }), ...details });
  else {
    const shown = Object.entries(details).map(([key, value]) => `${key} ${value}`).join(', ');
    process.stdout.write(verdict.valid ? `valid (${shown})\n` : `invalid: ${verdict.reason} (${shown})\n`);
  }
  process.exitCode = verdict.valid ? EXIT_OK : EXIT_INVALID;
}

const verifyCommand = (name: string, description: string): Command =>
  new Command(name).description(description).option('--json', 'machine-readable output');

const nostrCommand = verifyCommand('nostr', "check a mined event's id and difficulty")
  .requiredOption('--event <file>', "event JSON file, or '-' for stdin")
  .option('--difficulty <bits>', 'required bits (default: the target committed in the nonce tag)')
  .action(async (flags: { event: string; difficulty?: string; json?: boolean }) => {
    const event = parseEvent(parseJson(await readInput(flags.event, 'event'), 'event'));
    const difficulty = flags.difficulty === undefined ? undefined : parseNostrDifficulty(decimal(flags.difficulty, '--difficulty'));
    const { pow, ...verdict } = verifyEvent(event, difficulty);
    finish(flags, { verdict, details: { pow } });
  });

const nanoCommand = addNanoThresholdOptions(verifyCommand('nano', 'check Nano/Banano work against a threshold'))
  .requiredOption('--hash <hex>', 'block hash or root, 64 hex characters')
  .requiredOption('--work <hex16>', 'the work, 16 hex characters')
  .action((flags: NanoThresholdFlags & { hash: string; work: string; json?: boolean }) => {
    const value = workValue(parseRoot(flags.hash), parseWork(flags.work));
    const threshold = nanoThreshold(flags);
    const verdict: Check =
      value >= threshold ? { valid: true } : { valid: false, reason: `work value ${hex16(value)} is below the threshold ${hex16(threshold)}` };
    const details = { difficulty: hex16(value), multiplier: multiplierOf(value), valid_receive: value >= NANO_RECEIVE ? 1 : 0 };
    finish(flags, { verdict, details });
  });

const bitmessageCommand = verifyCommand('bitmessage', 'check a Bitmessage nonce against a target')
  .requiredOption('--initial-hash <b64|hex>', 'SHA-512 of the payload, base64 or hex')
  .requiredOption('--target <n>', 'target (trialValue must be <= it)')
  .requiredOption('--nonce <n>', 'the nonce')
  .action((flags: { initialHash: string; target: string; nonce: string; json?: boolean }) => {
    const target = parseBitmessageTarget(flags.target, 1n, '--target');
    const trial = trialValue(parseInitialHash(flags.initialHash, '--initial-hash'), parseNonce(flags.nonce, '--nonce'));
    const verdict: Check = trial <= target ? { valid: true } : { valid: false, reason: `trialValue ${trial} is above the target ${target}` };
    finish(flags, { verdict, details: { trialValue: trial.toString() } });
  });

const bitcoinCommand = verifyCommand('bitcoin', 'check a block header against its target')
  .requiredOption('--header <hex160>', 'the header, 160 hex characters')
  .option('--target <hex64>', "target, 64 hex characters (default: from the header's nBits)")
  .action((flags: { header: string; target?: string; json?: boolean }) => {
    const header = parseHeader(flags.header, '--header');
    const target = flags.target !== undefined ? parseHeaderTarget(flags.target, '--target') : targetFromBits(headerBits(header));
    const verdict: Check = hashValue(header) <= target ? { valid: true } : { valid: false, reason: 'block hash is above the target' };
    finish(flags, { verdict, details: { hash: blockHash(header) } });
  });

const hashcashCommand = verifyCommand('hashcash', 'check a hashcash v1 stamp')
  .requiredOption('--stamp <stamp>', 'the stamp, 1:bits:date:resource:ext:rand:counter')
  .option('--resource <r>', 'required resource')
  .option('--bits <n>', 'required bits (default: the bits the stamp claims)')
  .option('--sha256', 'the SHA-256 stamp form instead of SHA-1')
  .action((flags: { stamp: string; resource?: string; bits?: string; sha256?: boolean; json?: boolean }) => {
    const algorithm = flags.sha256 ? 'sha256' : 'sha1';
    const result = checkStamp(flags.stamp, {
      resource: flags.resource === undefined ? undefined : parseResource(flags.resource, '--resource'),
      bits: flags.bits === undefined ? undefined : parseBits(decimal(flags.bits, '--bits'), algorithm, '--bits'),
      algorithm,
    });
    finish(flags, result.valid ? { verdict: { valid: true }, details: { bits: result.value } } : { verdict: result, details: {} });
  });

export function register(program: Command): void {
  const verify = program.command('verify').description('check a proof of work (exit 0 valid, 1 invalid, 2 bad input)');
  for (const command of [nostrCommand, nanoCommand, bitmessageCommand, bitcoinCommand, hashcashCommand]) verify.addCommand(command);
}
