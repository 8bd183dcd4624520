/**
 * The OpenCL backend: the kernels of native/opencl, built at run time for each OpenCL device by
 * the addon (native/src/opencl), which opens libOpenCL.so.1 only when asked. A machine without
 * OpenCL (or without the addon) gets no devices and one reason why; nothing else changes.
 *
 * POWERPLANT_OPENCL_LIBRARY names another OpenCL library to open (a vendor's loader);
 * POWERPLANT_NO_OPENCL=1 turns the path off.
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { littleEndianBytes } from '../schemes/bits.js';
import { InputError } from '../errors.js';
import { packagePath } from '../paths.js';
import type { SearchTask } from '../schemes/search.js';
import type { Backend, ScanResult } from './backend.js';
import type { GpuChoice } from './gpu-choice.js';
import { nativeAddonPath } from './native.js';
import { checkScan } from './wasm-kernels.js';

export interface OpenclDevice {
  /** Position in the addon's list: the number `pow.gpu` and `--gpu` name. */
  readonly index: number;
  readonly name: string;
  readonly platform: string;
  /** CPU devices (POCL and the like) are OpenCL too, but no GPU. */
  readonly type: 'gpu' | 'cpu' | 'accelerator' | 'other';
  readonly computeUnits: number;
  readonly clockMhz: number;
}

/** A device's lane in the engine's stats and metrics (a bounded label: at most 16 devices). */
export const deviceLane = (device: Pick<OpenclDevice, 'index'>): string => `opencl:${device.index}`;

export interface OpenclStatus {
  readonly devices: readonly OpenclDevice[];
  /** Why there are no devices, or null. */
  readonly reason: string | null;
}

/** The addon's OpenCL calls (native/src/opencl/napi.c). */
interface OpenclAddon {
  openclDevices(): { devices: Omit<OpenclDevice, 'index'>[]; error: string | null };
  openclPrepare(device: number, kernelDir: string): void;
  openclScan(device: number, kernel: string, task: Uint8Array, start: bigint, count: number, out: BigUint64Array): boolean;
}

/** An OpenCL device as a backend: the same contract as the CPU ones. */
export interface OpenclBackend extends Omit<Backend, 'name'> {
  readonly name: 'opencl';
  readonly device: OpenclDevice;
}

function isOpenclAddon(value: unknown): value is OpenclAddon {
  if (typeof value !== 'object' || value === null) return false;
  const exports = value as Record<string, unknown>;
  return ['openclDevices', 'openclPrepare', 'openclScan'].every((name) => typeof exports[name] === 'function');
}

interface Loaded {
  readonly addon: OpenclAddon | null;
  readonly status: OpenclStatus;
}

let loaded: Loaded | undefined;

function load(): Loaded {
  if (loaded !== undefined) return loaded;
  const none = (reason: string): Loaded => ({ addon: null, status: { devices: [], reason } });
  if (process.env.POWERPLANT_NO_OPENCL === '1') return (loaded = none('POWERPLANT_NO_OPENCL=1'));
  const path = nativeAddonPath();
  let addon: unknown;
  try {
    addon = existsSync(path) ? createRequire(import.meta.url)(path) : null;
  } catch {
    addon = null;
  }
  if (!isOpenclAddon(addon)) return (loaded = none('OpenCL needs the native addon, which is not built'));
  const { devices, error } = addon.openclDevices();
  return (loaded = { addon, status: { devices: devices.map((device, index) => ({ index, ...device })), reason: error } });
}

/** The OpenCL devices of this machine (listed once per process), or why there are none. */
export function openclStatus(): OpenclStatus {
  return load().status;
}

/** Device types "auto" takes: a CPU device (POCL) would only compete with the threads for the same cores. */
const AUTO_TYPES: ReadonlySet<OpenclDevice['type']> = new Set(['gpu', 'accelerator']);

/**
 * The devices a `pow.gpu` / `--gpu` choice names on this machine. "auto" finds none without
 * OpenCL; a list naming a device this machine does not have is an InputError.
 */
export function selectGpuDevices(choice: GpuChoice, status: OpenclStatus = openclStatus()): OpenclDevice[] {
  if (choice === 'off') return [];
  if (choice === 'auto') return status.devices.filter((device) => AUTO_TYPES.has(device.type));
  return choice.map((index) => {
    const device = status.devices[index];
    if (device !== undefined) return device;
    const known = status.devices.map((each) => `${each.index}: ${each.name} (${each.type})`).join('; ');
    throw new InputError(
      `there is no OpenCL device ${index}: ` +
        (known === '' ? `this machine has none (${status.reason ?? 'no device listed'})` : `this machine has ${known}`),
    );
  });
}

/** The folder of .cl files the addon builds. */
export function openclKernelDir(): string {
  return packagePath('native', 'opencl');
}

const TEXT_HEADER_BYTES = 7;

/** bigint as `bytes` little-endian bytes. */
/** The task as the addon's openclScan takes it (one buffer; layout in napi.c). */
export function packOpenclTask(task: SearchTask): Uint8Array {
  switch (task.kernel) {
    case 'sha256-text':
    case 'sha1-text': {
      const packed = new Uint8Array(TEXT_HEADER_BYTES + task.prefix.length + task.suffix.length);
      const view = new DataView(packed.buffer);
      view.setUint8(0, task.width);
      view.setUint16(1, task.zeroBits, true);
      view.setUint32(3, task.prefix.length, true);
      packed.set(task.prefix, TEXT_HEADER_BYTES);
      packed.set(task.suffix, TEXT_HEADER_BYTES + task.prefix.length);
      return packed;
    }
    case 'sha256d-header':
      return Buffer.concat([task.header, littleEndianBytes(task.target, 32)]);
    case 'sha512d-bitmessage':
      return Buffer.concat([task.initialHash, littleEndianBytes(task.target, 8)]);
    case 'blake2b-nano':
      return Buffer.concat([task.root, littleEndianBytes(task.threshold, 8)]);
  }
}

/**
 * Device `index` as a backend; builds its kernels on first use (seconds on some drivers). Throws
 * when there is no such device or the kernels do not build there.
 */
export function loadOpenclBackend(index: number): OpenclBackend {
  const { addon, status } = load();
  const device = status.devices[index];
  if (addon === null || device === undefined) {
    throw new RangeError(`no OpenCL device ${index}${status.reason === null ? '' : ` (${status.reason})`}`);
  }
  addon.openclPrepare(index, openclKernelDir());
  const out = new BigUint64Array(2);
  return {
    name: 'opencl',
    device,
    kernel: (): string => `opencl ${index} (${device.name})`,
    scan(task: SearchTask, start: bigint, count: number): ScanResult {
      checkScan(task, start, count);
      // An empty range may start at 2^64, which the addon's uint64 cannot hold.
      if (count === 0) return { nonce: null, attempts: 0 };
      const found = addon.openclScan(index, task.kernel, packOpenclTask(task), start, count, out);
      return { nonce: found ? out[0] : null, attempts: Number(out[1]) };
    },
  };
}
