/**
 * The OpenCL part of `powerplant bench`: every OpenCL device's rate on each scheme's impossible
 * task, one device at a time on the calling thread (a launch is a device call; the thread only
 * waits for it).
 * @module
 */
import { BENCH_SCHEMES, benchTask, measureScan, type BenchScheme } from './bench.js';
import { loadOpenclBackend, openclStatus, type OpenclDevice } from './gpu.js';

export interface OpenclDeviceFigures extends OpenclDevice {
  /** Attempts per second per scheme, or null when the kernels did not build (see `error`). */
  readonly rates: Readonly<Record<BenchScheme, number>> | null;
  readonly error: string | null;
}

export interface OpenclBenchReport {
  readonly devices: readonly OpenclDeviceFigures[];
  /** Why there are no devices, or null. */
  readonly reason: string | null;
}

export function runOpenclBench(seconds: number, onDevice?: (figures: OpenclDeviceFigures) => void): OpenclBenchReport {
  const { devices, reason } = openclStatus();
  const measured = devices.map((device): OpenclDeviceFigures => {
    let figures: OpenclDeviceFigures;
    try {
      const backend = loadOpenclBackend(device.index);
      const rates = Object.fromEntries(
        BENCH_SCHEMES.map((scheme) => [scheme, measureScan(backend, benchTask(scheme), seconds)]),
      ) as Record<BenchScheme, number>;
      figures = { ...device, rates, error: null };
    } catch (error) {
      figures = { ...device, rates: null, error: error instanceof Error ? error.message : String(error) };
    }
    onDevice?.(figures);
    return figures;
  });
  return { devices: measured, reason };
}
