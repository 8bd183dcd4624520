import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bitmessage } from '../../src/schemes/bitmessage.js';
import { startServer } from '../../src/server.js';
import { runCli } from '../helpers/cli.js';
import { HeldEngine } from '../helpers/held-engine.js';
import { freePort, testConfig } from '../helpers/server.js';


type Line = { level: number; msg: string } & Record<string, unknown>;

/** stdout of a mining client: JSON log lines, then its JSON summary (pretty-printed, last). */
function logLines(stdout: string): Line[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{"level"'))
    .map((line) => JSON.parse(line) as Line);
}

test('agent and miner log each job and share at info, and a periodic summary line', async () => {
  const [metanoiaPort, stratumPort] = [await freePort(), await freePort()];
  const config = testConfig('', {}, { metanoiaPort, stratumPort, shareDifficulty: '0.00000001', blockBits: '207fffff' });
  // The server's own engine holds back, so the miner is the one that solves.
  const server = await startServer(config, { engine: new HeldEngine() });
  try {
    const agent = await runCli(['agent', '--url', `stratum+tcp://127.0.0.1:${stratumPort}`, '--user', 'logger', '--engine', 'js', '--threads', '1', '--duration', '1.5', '--summary-every', '0.4']);
    assert.equal(agent.code, 0, agent.stderr);
    const agentLines = logLines(agent.stdout);
    const agentInfo = (msg: string) => agentLines.filter((line) => line.msg === msg && line.level === 30);
    assert.ok(agentInfo('new job').length >= 1, 'jobs logged');
    assert.ok(agentInfo('share accepted').length >= 1, 'shares logged');
    const summaries = agentInfo('summary');
    assert.ok(summaries.length >= 2, `a summary about every 0.4 s (${summaries.length})`);
    assert.equal(typeof summaries[0]!.accepted, 'number');

    const mined = server.broker.submit(bitmessage, { initialHash: new Uint8Array(64).fill(7), target: (1n << 64n) / 1000n });
    const miner = await runCli(['miner', '--metanoia', `127.0.0.1:${metanoiaPort}`, '--engine', 'js', '--threads', '1', '--once']);
    assert.equal(miner.code, 0, miner.stderr);
    const minerLines = logLines(miner.stdout);
    assert.ok(minerLines.some((line) => line.msg === 'work received' && line.level === 30));
    assert.ok(minerLines.some((line) => line.msg === 'result pushed' && line.level === 30));
    assert.ok(bitmessage.verify({ initialHash: new Uint8Array(64).fill(7), target: (1n << 64n) / 1000n }, await mined).valid);
  } finally {
    await server.close();
  }
});
