import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadBackend, tryNativeBackend } from '../../src/engine/backends.js';
import { BENCH_SCHEMES, benchTask, measurePool, SCHEME_KERNEL, type BenchScheme } from '../../src/engine/bench.js';
import { createEngine } from '../../src/engine/index.js';
import { nativeKernelVariants } from '../../src/engine/native.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const run = promisify(execFile);

const isPositive = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0;

describe('powerplant bench', () => {
  it('prints every scheme with positive rates, every native variant, and the peers as JSON', async () => {
    const nativeLoads = (await tryNativeBackend()) !== null;
    const wasmLoads = await loadBackend('wasm').then(() => true, () => false);
    const { stdout } = await run(process.execPath, [CLI, 'bench', '--json', '--peers', '--seconds', '0.2', '--threads', '1']);
    const report: unknown = JSON.parse(stdout);
    assert.ok(typeof report === 'object' && report !== null);
    assert.deepEqual(Object.keys(report), ['schemes', 'opencl', 'peers']);
    const { opencl } = report as {
      opencl: { devices: { index: number; type: string; rates: Record<string, unknown> | null }[]; reason: string | null };
    };
    assert.equal(opencl.devices.length === 0, opencl.reason !== null, 'devices, or why there are none');
    for (const device of opencl.devices) {
      assert.ok(device.rates !== null, 'the OpenCL kernels build');
      assert.deepEqual(Object.keys(device.rates).sort(), [...BENCH_SCHEMES].sort());
      assert.ok(Object.values(device.rates).every(isPositive), 'OpenCL rates');
    }
    const schemes = (report as { schemes: Record<string, Record<string, unknown>> }).schemes;
    assert.deepEqual(Object.keys(schemes).sort(), [...BENCH_SCHEMES].sort());
    for (const [scheme, figures] of Object.entries(schemes)) {
      assert.deepEqual(Object.keys(figures).sort(), ['baseline', 'devices', 'kernel', 'native', 'source', 'threads', 'total', 'variants', 'wasm'], scheme);
      // --gpu auto: the total takes the GPUs and accelerators the listing found, never a CPU device.
      const autoDevices = opencl.devices.filter((device) => device.type === 'gpu' || device.type === 'accelerator');
      assert.deepEqual(figures.devices, autoDevices.map((device) => device.index), `${scheme} devices`);
      assert.ok(isPositive(figures.baseline), `${scheme} baseline`);
      assert.ok(isPositive(figures.total), `${scheme} total`);
      assert.ok(nativeLoads ? isPositive(figures.native) : figures.native === null, `${scheme} native`);
      assert.ok(wasmLoads ? isPositive(figures.wasm) : figures.wasm === null, `${scheme} wasm`);
      assert.equal(figures.threads, 1);
      assert.ok(typeof figures.kernel === 'string' && figures.kernel.length > 0, `${scheme} kernel`);
      assert.ok(['measured', 'cached', 'pinned', 'fixed'].includes(figures.source as string), `${scheme} source`);
      const variants = figures.variants as Record<string, number>;
      if (nativeLoads) {
        assert.deepEqual(Object.keys(variants), nativeKernelVariants()?.[SCHEME_KERNEL[scheme as BenchScheme]], scheme);
        assert.ok(Object.values(variants).every(isPositive), `${scheme} variant rates`);
        assert.equal(figures.native, variants[figures.kernel as string], `${scheme}: native is the selected variant's rate`);
      } else {
        assert.deepEqual(variants, {});
      }
    }
    const peers = (report as { peers: { scheme: string; name: string; rate: number | null }[] }).peers;
    const peer = (name: string) => peers.find((entry) => entry.name.startsWith(name));
    // The JS peers are dev dependencies, installed wherever the tests run.
    assert.ok(isPositive(peer('nostr-tools')?.rate), 'nostr-tools minePow');
    assert.ok(isPositive(peer('nanocurrency')?.rate), 'nanocurrency computeWork');
    assert.ok(isPositive(peer('double SHA-512, node:crypto')?.rate), 'node:crypto loop');
    // Stock hashcash and openssl are system packages: CI has them, elsewhere they may be missing.
    for (const name of ['hashcash -s', 'double SHA-512, openssl speed']) {
      const rate = peer(name)?.rate;
      assert.ok(isPositive(rate) || (rate === null && process.env.CI !== 'true'), name);
    }
  });

  it('refuses a bad --seconds with exit code 2', async () => {
    await assert.rejects(run(process.execPath, [CLI, 'bench', '--seconds', '0']), { code: 2 });
  });
});

describe('pool measurement', () => {
  it('counts a window that no chunk ended in up to the next chunk, never as a zero rate', async () => {
    // A JS thread takes well over the 40 ms window for 16K sha512d attempts.
    const engine = await createEngine({ threads: 1, backend: 'js', chunk: 1 << 14 });
    try {
      assert.ok(isPositive(await measurePool(engine, benchTask('bitmessage'), 0.05)));
    } finally {
      await engine.close();
    }
  });
});
