import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createCluster } from '../../src/cluster/cluster.js';
import { createClusterSource } from '../../src/sources/cluster/source.js';
import { createEngineSource } from '../../src/sources/engine.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';

test('cluster log lines carry one component key each (no Redis needed: it is unreachable on purpose)', async () => {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const cluster = createCluster(
    { redis: 'redis://127.0.0.1:1', prefix: 'log-test:', leaseMs: 1000, rangeSize: 1024n, maxInvalid: 3, resultTtlMs: 1000 },
    { logger },
  );
  const engine = createInlineEngine(referenceBackend);
  createClusterSource({ cluster, local: createEngineSource(engine, { logger }), engine });
  cluster.logger.child({ component: 'probe' }).info('a line from a part of the cluster');
  await cluster.connect();
  await cluster.close();
  await engine.close();
  assert.ok(lines.some((line) => line.includes('"component":"cluster"')), lines.join('\n'));
  assert.ok(lines.some((line) => line.includes('"component":"probe"')), lines.join('\n'));
  for (const line of lines) assert.equal(line.match(/"component":/g)?.length ?? 0, line.includes('"component"') ? 1 : 0, line);
});
