/**
 * The native backend: the N-API addon built from native/ by node-gyp into
 * build/Release/powerplant.node. The addon picks the fastest kernel variant per family from CPUID
 * when it loads (POWERPLANT_KERNEL=scalar forces the portable ones); a variant can also be pinned
 * per family, which is how the tests compare SIMD against scalar on the same input.
 *
 * Missing or unloadable addon, or POWERPLANT_NO_NATIVE=1: loadNativeBackend() returns null and the
 * caller falls back to WebAssembly.
 * @module
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { packagePath } from '../paths.js';
import { KERNELS, type KernelName, type SearchTask } from '../schemes/search.js';
import type { Backend, ScanResult } from './backend.js';
import { checkScan } from './wasm-kernels.js';

/** Kernel variants of the loaded addon, per family: the one chosen at load, and all this CPU runs. */
export interface NativeKernels {
  readonly selected: Readonly<Record<KernelName, string>>;
  /** Fastest first; always ends with 'scalar'. */
  readonly available: Readonly<Record<KernelName, readonly string[]>>;
}

/** The addon's exports (native/src/addon.c). Every scan returns { nonce: bigint | null, attempts }. */
interface NativeAddon {
  kernels(): NativeKernels;
  sha256Text(variant: string, prefix: Uint8Array, suffix: Uint8Array, width: number, zeroBits: number, start: bigint, count: number): ScanResult;
  sha1Text(variant: string, prefix: Uint8Array, suffix: Uint8Array, width: number, zeroBits: number, start: bigint, count: number): ScanResult;
  sha256dHeader(variant: string, header: Uint8Array, targetLe: Uint8Array, start: bigint, count: number): ScanResult;
  sha512dBitmessage(variant: string, initialHash: Uint8Array, target: bigint, start: bigint, count: number): ScanResult;
  blake2bNano(variant: string, root: Uint8Array, threshold: bigint, start: bigint, count: number): ScanResult;
}

const ADDON_FUNCTIONS = ['kernels', 'sha256Text', 'sha1Text', 'sha256dHeader', 'sha512dBitmessage', 'blake2bNano'] as const;

/** Where node-gyp puts the addon. */
export function nativeAddonPath(): string {
  return packagePath('build', 'Release', 'powerplant.node');
}

const isStringList = (value: unknown): value is readonly string[] =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string');

function isNativeKernels(value: unknown): value is NativeKernels {
  if (typeof value !== 'object' || value === null) return false;
  const { selected, available } = value as Record<string, unknown>;
  if (typeof selected !== 'object' || selected === null || typeof available !== 'object' || available === null) {
    return false;
  }
  return KERNELS.every((kernel) => {
    const chosen: unknown = (selected as Record<string, unknown>)[kernel];
    const names: unknown = (available as Record<string, unknown>)[kernel];
    return typeof chosen === 'string' && isStringList(names) && names.includes(chosen);
  });
}

function isNativeAddon(value: unknown): value is NativeAddon {
  if (typeof value !== 'object' || value === null) return false;
  const exports = value as Record<string, unknown>;
  return ADDON_FUNCTIONS.every((name) => typeof exports[name] === 'function');
}

/** undefined: not tried yet; null: absent or broken (a failed load is not retried). */
let loaded: { readonly addon: NativeAddon; readonly kernels: NativeKernels } | null | undefined;

function loadAddon(): { readonly addon: NativeAddon; readonly kernels: NativeKernels } | null {
  if (process.env.POWERPLANT_NO_NATIVE === '1') return null;
  if (loaded !== undefined) return loaded;
  loaded = null;
  const path = nativeAddonPath();
  if (!existsSync(path)) return null;
  try {
    const addon: unknown = createRequire(import.meta.url)(path);
    if (!isNativeAddon(addon)) return null;
    const kernels: unknown = addon.kernels();
    if (!isNativeKernels(kernels)) return null;
    loaded = { addon, kernels };
  } catch {
    // A build for another Node ABI or CPU: the WASM kernels take over.
  }
  return loaded;
}

/** The addon's kernel variants, or null when the native backend is not available. */
export function nativeKernelVariants(): NativeKernels | null {
  return loadAddon()?.kernels ?? null;
}

/** A 256-bit target as the 32 little-endian bytes the header kernels compare against. */
function targetLittleEndian(target: bigint): Uint8Array {
  return Uint8Array.from(Buffer.from(target.toString(16).padStart(64, '0'), 'hex').reverse());
}

/**
 * The native backend, or null when the addon is missing, fails to load, or POWERPLANT_NO_NATIVE=1.
 * `variants` pins a kernel variant per family (a name from nativeKernelVariants().available);
 * families not pinned run the variant the addon selected. Throws RangeError for a pinned variant
 * this CPU cannot run.
 */
export function loadNativeBackend(variants: Partial<Record<KernelName, string>> = {}): Backend | null {
  const native = loadAddon();
  if (native === null) return null;
  const { addon, kernels } = native;
  const chosen = { ...kernels.selected };
  for (const [kernel, variant] of Object.entries(variants) as [KernelName, string | undefined][]) {
    if (variant === undefined) continue;
    if (!kernels.available[kernel]?.includes(variant)) {
      throw new RangeError(`native ${kernel} has no variant ${variant} on this CPU`);
    }
    chosen[kernel] = variant;
  }
  return {
    name: 'native',
    kernel: (task: SearchTask): string => chosen[task.kernel],
    scan(task: SearchTask, start: bigint, count: number): ScanResult {
      checkScan(task, start, count);
      const variant = chosen[task.kernel];
      switch (task.kernel) {
        case 'sha256-text':
          return addon.sha256Text(variant, task.prefix, task.suffix, task.width, task.zeroBits, start, count);
        case 'sha1-text':
          return addon.sha1Text(variant, task.prefix, task.suffix, task.width, task.zeroBits, start, count);
        case 'sha256d-header':
          return addon.sha256dHeader(variant, task.header, targetLittleEndian(task.target), start, count);
        case 'sha512d-bitmessage':
          return addon.sha512dBitmessage(variant, task.initialHash, task.target, start, count);
        case 'blake2b-nano':
          return addon.blake2bNano(variant, task.root, task.threshold, start, count);
      }
    },
  };
}
