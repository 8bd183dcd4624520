import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { pino } from 'pino';
import { createInlineEngine } from '../src/engine/inline.js';
import { referenceBackend } from '../src/engine/reference.js';
import { startServer } from '../src/server.js';
import { StratumAgent } from '../src/clients/stratum-agent.js';
import { freePort, testConfig, until } from './helpers/server.js';


test('Stratum and Metanoia sessions are logged at debug, HTTP requests at info, all as JSON', async () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  const [metanoiaPort, stratumPort] = [await freePort(), await freePort()];
  const config = testConfig('', {}, { metanoiaPort, stratumPort, shareDifficulty: '0.000000001', blockBits: '207fffff', logLevel: 'debug' });
  const engine = createInlineEngine(referenceBackend, 64);
  const server = await startServer(config, { engine, logger: pino({ level: 'debug' }, sink) });
  try {
    const agent = new StratumAgent({ host: '127.0.0.1', port: stratumPort, user: 'logged', engine, maxShares: 1 });
    assert.equal((await agent.run(new AbortController().signal)).accepted, 1);
    const socket = connect(metanoiaPort, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.end();
    await fetch(`http://127.0.0.1:${server.addresses.http.port}/healthz?token=hunter2`);

    const find = (msg: string) => lines.find((line) => line.msg === msg);
    await until(() => find('agent disconnected') !== undefined && find('connection closed') !== undefined, 5000, 'the session ends logged');
    for (const msg of ['agent connected', 'agent disconnected', 'connection opened', 'connection closed']) assert.equal(find(msg)?.level, 20, `${msg} at debug`);
    assert.deepEqual((find('agent disconnected') as { workers: string[] }).workers, ['logged']);
    const request = find('http request') as Record<string, unknown>;
    assert.equal(request.level, 30);
    assert.equal(request.route, '/healthz');
    assert.doesNotMatch(JSON.stringify(lines), /hunter2/, 'query strings stay out of the logs');
  } finally {
    await server.close();
  }
});
