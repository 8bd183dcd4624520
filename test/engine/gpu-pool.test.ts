import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bitcoin, parseHeader } from '../../src/schemes/bitcoin.js';
import { bitmessage } from '../../src/schemes/bitmessage.js';
import { hashcash, newJob } from '../../src/schemes/hashcash.js';
import { nano } from '../../src/schemes/nano.js';
import { nostr } from '../../src/schemes/nostr.js';
import type { Scheme } from '../../src/schemes/scheme.js';
import { InputError } from '../../src/errors.js';
import { kernelChoices, selectBackend } from '../../src/engine/backends.js';
import { RangeExhaustedError } from '../../src/engine/engine.js';
import { parseGpuChoice } from '../../src/engine/gpu-choice.js';
import { openclStatus, selectGpuDevices, type OpenclDevice, type OpenclStatus } from '../../src/engine/gpu.js';
import { createEngine } from '../../src/engine/index.js';
import { WorkerPool } from '../../src/engine/pool.js';
import { solve } from '../../src/solve.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { impossibleTask } from '../../src/engine/probe-tasks.js';
import { U64, generator } from '../helpers/random.js';
import { BITCOIN_HEADERS } from '../helpers/vectors.js';
import { runCli } from '../helpers/cli.js';
import { httpUrl, testConfig } from '../helpers/server.js';

// CI installs POCL (OpenCL on the CPU), so there these tests must run; elsewhere they need it too.
const { devices, reason } = openclStatus();
const skip =
  devices.length === 0 && process.env.CI !== 'true' && `no OpenCL device (${reason}): install pocl-opencl-icd and ocl-icd-libopencl1`;

const device = (type: OpenclDevice['type'], index: number): OpenclDevice => ({
  index,
  name: `${type} ${index}`,
  platform: 'test',
  type,
  computeUnits: 1,
  clockMhz: 1000,
});

describe('pow.gpu / --gpu', () => {
  it('parses auto, off and device lists, and refuses anything else by its label', () => {
    assert.equal(parseGpuChoice('auto'), 'auto');
    assert.equal(parseGpuChoice(' OFF '), 'off');
    assert.deepEqual(parseGpuChoice('0,2'), [0, 2]);
    assert.deepEqual(parseGpuChoice(' 3 , 15 '), [3, 15]);
    for (const bad of ['', 'on', 'gpu0', '-1', '1,', '0,0', '16', '1.5', '0;2']) {
      assert.throws(() => parseGpuChoice(bad, '--gpu'), (error) => error instanceof InputError && /^--gpu .*"auto", "off" or OpenCL device numbers/.test(error.message), bad);
    }
  });

  it('auto takes GPUs and accelerators, never a CPU device; a list may name any device that exists', () => {
    const status: OpenclStatus = { devices: [device('cpu', 0), device('gpu', 1), device('accelerator', 2), device('other', 3)], reason: null };
    assert.deepEqual(selectGpuDevices('auto', status).map((each) => each.index), [1, 2]);
    assert.deepEqual(selectGpuDevices('off', status), []);
    assert.deepEqual(selectGpuDevices([0, 2], status).map((each) => each.index), [0, 2]);
    assert.throws(() => selectGpuDevices([4], status), (error) => error instanceof InputError && /no OpenCL device 4: this machine has 0: cpu 0 \(cpu\); 1: gpu 1/.test(error.message));
    const none: OpenclStatus = { devices: [], reason: 'OpenCL unavailable: no libOpenCL.so.1' };
    assert.deepEqual(selectGpuDevices('auto', none), []);
    assert.throws(() => selectGpuDevices([0], none), /this machine has none \(OpenCL unavailable: no libOpenCL\.so\.1\)/);
  });

  it('createEngine refuses a bad choice and a device this machine lacks', async () => {
    await assert.rejects(createEngine({ threads: 1, gpu: 'all' }), (error) => error instanceof InputError && /^gpu has "all"/.test(error.message));
    await assert.rejects(createEngine({ threads: 1, gpu: [15] }), (error) => error instanceof InputError && /no OpenCL device 15/.test(error.message));
  });
});

describe('an OpenCL lane that cannot start', () => {
  // Device 15 is not on any machine these tests run on: its worker thread fails as it loads.
  const missing = device('gpu', 15);

  it('is left out with a warning naming the device, and the CPU threads search on', async () => {
    const backend = await selectBackend('auto');
    const warnings: string[] = [];
    const pool = await WorkerPool.start({
      backend: backend.name,
      kernels: kernelChoices(backend),
      threads: 1,
      gpus: [missing],
      onWarning: (message) => warnings.push(message),
    });
    try {
      assert.deepEqual(pool.devices, []);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /^OpenCL device 15 \(gpu 15\) failed to start \(.*no OpenCL device 15.*\); the engine runs with 1 lanes$/);
      await assert.rejects(pool.search(impossibleTask('blake2b-nano'), { start: 0n, end: 5000n }), RangeExhaustedError);
    } finally {
      await pool.close();
    }
  });

  it('fails the start when it was the only lane', async () => {
    const backend = await selectBackend('auto');
    await assert.rejects(
      WorkerPool.start({ backend: backend.name, kernels: kernelChoices(backend), threads: 0, gpus: [missing], onWarning: () => undefined }),
      /no lane of the engine started/,
    );
  });
});

describe('OpenCL devices in the worker pool', { skip }, () => {
  const opencl = devices[0]!;
  const cpuDevices = devices.filter((each) => each.type === 'cpu');

  it('finds an OpenCL device (CI installs POCL)', () => {
    assert.ok(devices.length > 0, `no OpenCL device: ${reason}`);
  });

  it('auto leaves the CPU devices (POCL) out of the pool', async () => {
    assert.ok(cpuDevices.length > 0, 'POCL lists a CPU device');
    const engine = await createEngine({ threads: 1, gpu: 'auto' });
    try {
      const listed = new Set(engine.devices.map((each) => each.index));
      assert.ok(cpuDevices.every((each) => !listed.has(each.index)));
    } finally {
      await engine.close();
    }
  });

  describe(`device ${opencl.index} alone (${opencl.name})`, () => {
    let pool: WorkerPool;
    before(async () => {
      const backend = await selectBackend('auto');
      // No CPU thread: every result comes from the device's lane.
      pool = await WorkerPool.start({ backend: backend.name, kernels: kernelChoices(backend), threads: 0, gpus: [opencl] });
    });
    after(() => pool.close());

    it('solves all five schemes, each solution verified by its scheme', async () => {
      assert.deepEqual(pool.devices, [opencl]);
      const random = generator(81);
      const header = parseHeader(BITCOIN_HEADERS[1]![0]);
      const jobs: [Scheme<never, unknown, unknown>, unknown][] = [
        [nostr, { event: { pubkey: 'ab'.repeat(32), created_at: 1700000000, kind: 1, tags: [], content: 'gpu lane' }, difficulty: 12 }],
        [hashcash, newJob('gpu@example.org', 12, 'sha1', new Date('2026-12-02T00:00:00Z'))],
        [bitcoin, { header, target: (1n << 244n) - 1n }],
        [bitmessage, { initialHash: random.bytes(64), target: U64 >> 12n }],
        [nano, { root: random.bytes(32), threshold: U64 - (U64 >> 12n) }],
      ];
      for (const [scheme, input] of jobs) {
        const before = pool.stats().lanes.find((lane) => lane.lane === `opencl:${opencl.index}`)!.totalAttempts;
        // solve() throws unless the scheme's own verifier accepts the solution.
        await solve(scheme, input as never, { engine: pool });
        const lanes = pool.stats().lanes;
        assert.ok(lanes.find((lane) => lane.lane === `opencl:${opencl.index}`)!.totalAttempts > before, scheme.name);
        assert.equal(lanes.find((lane) => lane.lane === 'cpu')!.totalAttempts, 0, scheme.name);
      }
      assert.equal(pool.stats().rejectedCandidates, 0);
    });

    it('stops within about one launch when a search is cancelled', async () => {
      const controller = new AbortController();
      const hard = pool.search(impossibleTask('blake2b-nano'), { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, 300));
      controller.abort();
      await assert.rejects(hard, { name: 'AbortError' });
      // The device finishes the chunk it is on (about one launch) and skips the one queued after it.
      const started = performance.now();
      await assert.rejects(pool.search(impossibleTask('blake2b-nano'), { start: 0n, end: 1000n }), RangeExhaustedError);
      assert.ok(performance.now() - started < 1000, `the device was free after ${performance.now() - started} ms`);
    });
  });

  it('shares a search between CPU threads and the device, every nonce scanned once', async () => {
    const engine = await createEngine({ threads: 1, gpu: [opencl.index] });
    try {
      assert.deepEqual(engine.devices.map((each) => each.index), [opencl.index]);
      const range = 3_000_000;
      await assert.rejects(engine.search(impossibleTask('sha256d-header'), { start: 0n, end: BigInt(range) }), (error) => {
        assert.ok(error instanceof RangeExhaustedError);
        assert.equal(error.attempts, range);
        return true;
      });
      const lanes = engine.stats().lanes;
      assert.deepEqual(lanes.map((lane) => [lane.lane, lane.threads]), [['cpu', 1], [`opencl:${opencl.index}`, 1]]);
      assert.ok(lanes.every((lane) => lane.totalAttempts > 0), JSON.stringify(lanes));
    } finally {
      await engine.close();
    }
  });

  it('solve --gpu N searches on the device beside the threads', async () => {
    const root = '5b'.repeat(32);
    const result = await runCli(['solve', 'nano', '--hash', root, '--difficulty', 'fff0000000000000', '--threads', '1', '--gpu', String(opencl.index), '--json']);
    assert.equal(result.code, 0, result.stderr);
    const { work } = JSON.parse(result.stdout) as { work: string };
    const job = { root: Uint8Array.from(Buffer.from(root, 'hex')), threshold: 0xfff0000000000000n };
    assert.equal(nano.verify(job, { work: BigInt(`0x${work}`) }).valid, true);
  });

  describe('a server with pow.gpu naming the device', () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer(testConfig(`[pow]\ngpu = "${opencl.index}"\n`));
    });
    after(() => server.close());

    it('solves through the broker, and lists the device in /healthz and /metrics', async () => {
      const answer = await fetch(httpUrl(server, '/pow'), {
        method: 'POST',
        body: JSON.stringify({ hash: '5a'.repeat(32), difficulty: 'fff0000000000000' }),
      });
      assert.equal(answer.status, 200);
      const work = (await answer.json()) as { work: string };
      assert.match(work.work, /^[0-9a-f]{16}$/);
      const health = (await (await fetch(httpUrl(server, '/healthz'))).json()) as {
        engine: { devices: { index: number; name: string; type: string; lane: string; rate: number }[] };
      };
      assert.deepEqual(
        health.engine.devices.map(({ index, name, lane }) => ({ index, name, lane })),
        [{ index: opencl.index, name: opencl.name, lane: `opencl:${opencl.index}` }],
      );
      const metrics = await (await fetch(httpUrl(server, '/metrics'))).text();
      assert.match(metrics, new RegExp(`^powerplant_engine_lane_hash_rate\\{lane="opencl:${opencl.index}"\\} `, 'm'));
      assert.match(metrics, /^powerplant_engine_lane_hash_rate\{lane="cpu"\} /m);
    });
  });
});
