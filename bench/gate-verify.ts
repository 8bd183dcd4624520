/**
 * Gate verification throughput on one core, in-process: each verification opens a signed
 * challenge (HMAC-SHA-256), parses the stamp, recomputes its hash and sets the spent mark in the
 * memory store. Stamps are minted first (at low bits: verifying costs one hash whatever the bits).
 * Prints a Markdown table for docs/benchmarks.md.
 *
 *   node dist/bench/gate-verify.js [verifications per round = 20000]
 */
import { randomBytes } from 'node:crypto';
import { Gate } from '../src/gate/gate.js';
import { referenceBackend } from '../src/engine/reference.js';
import { hashcash, stampDate, type HashcashJob, type StampAlgorithm } from '../src/schemes/hashcash.js';
import { formatRate } from '../src/commands/common.js';

const count = Number(process.argv[2] ?? 20_000);
if (!Number.isInteger(count) || count < 1) {
  process.stderr.write('usage: node dist/bench/gate-verify.js [verifications >= 1]\n');
  process.exit(2);
}
const BITS = 2;

interface Measured {
  /** Verifications per second of wall time, and per second of this process's CPU time (one core). */
  readonly wallRate: number;
  readonly cpuRate: number;
}

async function measure(algorithm: StampAlgorithm, count: number): Promise<Measured> {
  const gate = new Gate({ secret: randomBytes(32), purpose: 'bench', bitsMin: BITS, bitsMax: BITS, challengeTtlS: 600, tokenTtlS: 300, policy: { sourceLimit: Infinity } });
  const pairs: [string, string][] = [];
  for (let i = 0; i < count; i++) {
    // Distinct sources keep the issue rate from raising the bits.
    const challenge = await gate.issue(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, algorithm);
    const job: HashcashJob = { resource: challenge.text, bits: BITS, date: stampDate(), ext: '', rand: 'YmVuY2g=', algorithm };
    const found = referenceBackend.scan(hashcash.task(job), 0n, 1 << 20);
    if (found.nonce === null) throw new Error('no stamp found');
    pairs.push([challenge.text, hashcash.solution(job, found.nonce).stamp]);
  }
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  for (const [challenge, stamp] of pairs) await gate.verify(challenge, stamp);
  const cpu = process.cpuUsage(cpuBefore);
  const wallSeconds = (performance.now() - started) / 1000;
  return { wallRate: count / wallSeconds, cpuRate: count / ((cpu.user + cpu.system) / 1e6) };
}

// Per CPU second is the per-core figure even when other processes share the cores; per wall second is
// what this run saw.
process.stdout.write(`best of 3 rounds of ${count} verifications, one thread, memory spent store\n\n`);
process.stdout.write('| stamp hash | verifications per CPU second | µs CPU each | verifications per wall second |\n|---|---|---|---|\n');
await measure('sha256', count); // warm up the JIT (and the allocator)
for (const algorithm of ['sha1', 'sha256'] as const) {
  // Best of three rounds: other processes on the machine only ever make a round slower.
  const rounds = [await measure(algorithm, count), await measure(algorithm, count), await measure(algorithm, count)];
  const { wallRate, cpuRate } = rounds.reduce((best, round) => (round.cpuRate > best.cpuRate ? round : best));
  process.stdout.write(`| ${algorithm} | ${formatRate(cpuRate)} | ${(1e6 / cpuRate).toFixed(2)} | ${formatRate(wallRate)} |\n`);
}
