/**
 * What the gate's reverse proxy adds to a request that carries a pass: the same GET (2 KiB HTML
 * answer) sent straight to an upstream and through the proxy in front of it, alternately, one at a
 * time over kept-alive connections, so both see the same load. Prints the medians and the added
 * latency, then throughput with 16 requests in flight (autocannon), as a Markdown table for
 * docs/benchmarks.md.
 *
 *   node dist/bench/gate-proxy.js [requests per side = 4000]
 */
import { randomBytes } from 'node:crypto';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.js';
import { Gate } from '../src/gate/gate.js';
import { TokenCodec } from '../src/gate/token.js';
import { silentLogger } from '../src/log.js';
import { startGateProxy } from '../src/protocols/gate-proxy.js';

const count = Number(process.argv[2] ?? 4000);
if (!Number.isInteger(count) || count < 10) {
  process.stderr.write('usage: node dist/bench/gate-proxy.js [requests per side >= 10]\n');
  process.exit(2);
}

const PAGE = `<!doctype html><title>bench</title><p>${'x'.repeat(2048 - 40)}</p>`;
const upstream = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  response.end(PAGE);
});
await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;

const secret = randomBytes(32);
const gate = new Gate({ secret, purpose: 'bench', bitsMin: 16, bitsMax: 16, challengeTtlS: 120, tokenTtlS: 3600 });
const config = loadConfig({ defaultsFile: null, flags: { host: '127.0.0.1', gateUpstream: upstreamUrl, gateHttpPort: 0 } });
const proxy = await startGateProxy({ config, gate, logger: silentLogger });
const proxyUrl = `http://127.0.0.1:${proxy.address.port}`;
const cookie = `powerplant_gate=${new TokenCodec(secret, 'bench').issue(randomBytes(16).toString('hex'), 3600, Date.now(), 16).token}`;

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** One GET, read to the end; its time in milliseconds. */
function timedGet(url: string): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    request(`${url}/page?id=7`, { agent, headers: { cookie } }, (response) => {
      if (response.statusCode !== 200) reject(new Error(`${url}: HTTP ${response.statusCode}`));
      response.resume();
      response.on('end', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
    })
      .on('error', reject)
      .end();
  });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

// Warm up both paths (JIT, connections), then alternate.
for (let i = 0; i < 200; i++) {
  await timedGet(upstreamUrl);
  await timedGet(proxyUrl);
}
const direct: number[] = [];
const proxied: number[] = [];
for (let i = 0; i < count; i++) {
  direct.push(await timedGet(upstreamUrl));
  proxied.push(await timedGet(proxyUrl));
}
agent.destroy();

async function throughput(url: string): Promise<number> {
  const result = await autocannon({ url: `${url}/page?id=7`, connections: 16, duration: 5, headers: { cookie } });
  return result.requests.average;
}
const directRate = await throughput(upstreamUrl);
const proxiedRate = await throughput(proxyUrl);

const [directMedian, proxiedMedian] = [median(direct), median(proxied)];
process.stdout.write(`| path | median latency, one at a time (${count} each) | requests/s, 16 in flight (5 s) |\n|---|---|---|\n`);
process.stdout.write(`| direct to the upstream | ${directMedian.toFixed(3)} ms | ${Math.round(directRate)} |\n`);
process.stdout.write(`| through the gate proxy, with a pass | ${proxiedMedian.toFixed(3)} ms | ${Math.round(proxiedRate)} |\n`);
process.stdout.write(`\nadded by the proxy: ${(proxiedMedian - directMedian).toFixed(3)} ms median (median of the differences of pairs: ${median(proxied.map((p, i) => p - direct[i]!)).toFixed(3)} ms)\n`);

await proxy.close();
upstream.close();
