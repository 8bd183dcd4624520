/**
 * The cluster source under a broker, without HTTP: a job whose block is searched out fails with
 * 'exhausted' (the client hears, it does not hang), the owner's engine counts its attempts on the
 * job, and a server that loses its owner's Redis mid-job hands the job to the server waiting on it.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createBroker } from '../../src/broker/broker.js';
import type { Broker } from '../../src/broker/types.js';
import { PowerplantError } from '../../src/errors.js';
import { createCluster, type Cluster } from '../../src/cluster/cluster.js';
import { ClusterWorker } from '../../src/cluster/worker.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { createMetrics, type Metrics } from '../../src/metrics.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { nano, workValue } from '../../src/schemes/nano.js';
import type { Scheme } from '../../src/schemes/scheme.js';
import type { TextTask } from '../../src/schemes/search.js';
import { createClusterSource } from '../../src/sources/cluster/source.js';
import { createEngineSource } from '../../src/sources/engine.js';
import { HeldEngine } from '../helpers/held-engine.js';
import { redisSkip, TestRedis } from '../helpers/redis.js';
import { until } from '../helpers/server.js';

/** 100 nonces, none of which can pass: every range is searched and the job must fail. */
const hopeless: Scheme<string, string> = {
  name: 'hashcash',
  key: (input) => input,
  task: (input): TextTask => ({ kernel: 'sha256-text', prefix: Buffer.from(input), suffix: new Uint8Array(0), width: 2, zeroBits: 256 }),
  solution: (_input, nonce) => String(nonce),
  verify: () => ({ valid: false, reason: 'nothing passes' }),
};

interface Node {
  readonly cluster: Cluster;
  readonly broker: Broker;
  readonly engine: HeldEngine;
}

describe('the cluster source', { skip: redisSkip() }, () => {
  let redis: TestRedis;
  const nodes: Node[] = [];

  async function node(held: boolean, rangeSize = 10n, metrics?: Metrics): Promise<Node> {
    const cluster = createCluster({ redis: redis.url, prefix: 'src:', leaseMs: 300, rangeSize, maxInvalid: 3, resultTtlMs: 60_000 });
    const engine = new HeldEngine(held);
    const broker = createBroker({ queueLimit: 10, maxActiveJobs: 4, cacheSize: 10, jobTimeoutMs: 10_000, metrics });
    broker.addSource(createClusterSource({ cluster, local: createEngineSource(engine), engine }));
    assert.equal(await cluster.connect(), true);
    const created = { cluster, broker, engine };
    nodes.push(created);
    return created;
  }

  before(async () => {
    redis = await TestRedis.start();
  });
  after(async () => {
    for (const { broker, cluster } of nodes) {
      await broker.close();
      await cluster.close();
    }
    await redis?.kill();
  });

  test('a job searched out across the cluster fails with exhausted', async () => {
    const { broker } = await node(false);
    const worker = new ClusterWorker({ redis: redis.url, prefix: 'src:', engine: createInlineEngine(referenceBackend), id: 'w', rangeSize: 7n });
    void worker.start();
    try {
      await assert.rejects(broker.submit(hopeless, 'no luck'), (error) => error instanceof PowerplantError && error.code === 'PP_ERR_EXHAUSTED');
    } finally {
      await worker.close();
    }
  });

  test("the owner's engine counts its attempts on the job's leased ranges", async () => {
    const metrics = createMetrics();
    const { broker } = await node(false, 10n, metrics);
    await assert.rejects(broker.submit(hopeless, 'counted'), (error) => error instanceof PowerplantError && error.code === 'PP_ERR_EXHAUSTED');
    const { values } = await metrics.attempts.get();
    assert.deepEqual(
      values.map(({ labels, value }) => [labels.source, labels.scheme, value]),
      [['engine', 'hashcash', 100]],
      'the block of 100 nonces, searched in ranges of 10',
    );
  });

  test('a server cut off from Redis mid-job hands the job to the server waiting on it', async () => {
    const owner = await node(true);
    const follower = await node(false);
    const job = { root: randomBytes(32), threshold: 0xff80000000000000n };
    const abandoned = new AbortController();
    const first = owner.broker.submit(nano, job, { signal: abandoned.signal });
    await until(() => owner.engine.searches > 0, 5000, 'the owner to search');
    const second = follower.broker.submit(nano, job);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(follower.engine.searches, 0, 'the follower waits instead of searching');
    // The owner loses Redis: its ownership is no longer renewed and runs out after the lease.
    await owner.cluster.close();
    const { work } = await second;
    assert.ok(workValue(job.root, work) >= job.threshold);
    assert.ok(follower.engine.searches > 0, 'the follower took the job over');
    abandoned.abort();
    await assert.rejects(first, (error) => error instanceof PowerplantError && error.code === 'PP_ERR_CANCELLED');
  });
});
