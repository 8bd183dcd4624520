/**
 * Thread scaling of the pool: attempts per second of each scheme with 1..N threads on the fastest
 * backend, printed as a Markdown table for docs/benchmarks.md.
 *
 *   node dist/bench/scaling.js [seconds per measurement = 1] [max threads = cores]
 */
import { availableParallelism } from 'node:os';
import { BENCH_SCHEMES, benchTask, measurePool } from '../src/engine/bench.js';
import { createEngine } from '../src/engine/index.js';
import { formatRate } from '../src/commands/common.js';

const seconds = Number(process.argv[2] ?? 1);
const maxThreads = Number(process.argv[3] ?? availableParallelism());
if (!(seconds > 0) || !Number.isInteger(maxThreads) || maxThreads < 1) {
  process.stderr.write('usage: node dist/bench/scaling.js [seconds > 0] [max threads >= 1]\n');
  process.exit(2);
}

const counts = Array.from({ length: maxThreads }, (_, i) => i + 1);
const rates = new Map<string, number[]>(BENCH_SCHEMES.map((scheme) => [scheme, []]));
let backend = '';
for (const threads of counts) {
  const engine = await createEngine({ threads });
  backend = engine.backend;
  for (const scheme of BENCH_SCHEMES) rates.get(scheme)!.push(await measurePool(engine, benchTask(scheme), seconds));
  await engine.close();
}

const header = ['scheme', ...counts.map((n) => `${n} thread${n > 1 ? 's' : ''}`), `${maxThreads}/1`];
process.stdout.write(`Backend: ${backend}, ${seconds} s per measurement\n\n`);
process.stdout.write(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
for (const [scheme, perThreads] of rates) {
  const scaling = (perThreads[perThreads.length - 1] / perThreads[0]).toFixed(2);
  process.stdout.write(`| ${scheme} | ${perThreads.map((rate) => `${formatRate(rate)}/s`).join(' | ')} | ${scaling}x |\n`);
}
