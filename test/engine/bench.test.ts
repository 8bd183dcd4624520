import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadBackend, tryNativeBackend } from '../../src/engine/backends.js';
import { BENCH_SCHEMES } from '../../src/engine/bench.js';

const CLI = fileURLToPath(new URL('../../src/cli.js', import.meta.url));
const run = promisify(execFile);

const isPositive = (value: unknown): boolean => typeof value === 'number' && Number.isFinite(value) && value > 0;

describe('powerplant bench', () => {
  it('prints every scheme with positive rates as JSON', async () => {
    const nativeLoads = (await tryNativeBackend()) !== null;
    const wasmLoads = await loadBackend('wasm').then(() => true, () => false);
    const { stdout } = await run(process.execPath, [CLI, 'bench', '--json', '--seconds', '0.2', '--threads', '1']);
    const report: unknown = JSON.parse(stdout);
    assert.ok(typeof report === 'object' && report !== null);
    assert.deepEqual(Object.keys(report), ['schemes', 'opencl']);
    const { opencl } = report as { opencl: { devices: { rates: Record<string, unknown> | null }[]; reason: string | null } };
    assert.equal(opencl.devices.length === 0, opencl.reason !== null, 'devices, or why there are none');
    for (const device of opencl.devices) {
      assert.ok(device.rates !== null, 'the OpenCL kernels build');
      assert.deepEqual(Object.keys(device.rates).sort(), [...BENCH_SCHEMES].sort());
      assert.ok(Object.values(device.rates).every(isPositive), 'OpenCL rates');
    }
    const schemes = (report as { schemes: Record<string, Record<string, unknown>> }).schemes;
    assert.deepEqual(Object.keys(schemes).sort(), [...BENCH_SCHEMES].sort());
    for (const [scheme, figures] of Object.entries(schemes)) {
      assert.deepEqual(Object.keys(figures).sort(), ['baseline', 'kernel', 'native', 'threads', 'total', 'wasm'], scheme);
      assert.ok(isPositive(figures.baseline), `${scheme} baseline`);
      assert.ok(isPositive(figures.total), `${scheme} total`);
      assert.ok(nativeLoads ? isPositive(figures.native) : figures.native === null, `${scheme} native`);
      assert.ok(wasmLoads ? isPositive(figures.wasm) : figures.wasm === null, `${scheme} wasm`);
      assert.equal(figures.threads, 1);
      assert.ok(typeof figures.kernel === 'string' && figures.kernel.length > 0, `${scheme} kernel`);
    }
  });

  it('refuses a bad --seconds with exit code 2', async () => {
    await assert.rejects(run(process.execPath, [CLI, 'bench', '--seconds', '0']), { code: 2 });
  });
});
