/**
 * The native backend: the N-API addon built from native/ by node-gyp into
 * build/Release/powerplant.node. The addon lists the kernel variants this CPU runs per family;
 * kernel-selection.ts picks one per family on its first use (measured, cached or pinned by
 * POWERPLANT_KERNEL), and every scan names it by its index in that list, fixed once. A variant can
 * also be pinned per backend, which is how the tests compare SIMD against scalar on the same input
 * and how the worker threads run what the main thread selected.
 *
 * Missing or unloadable addon, or POWERPLANT_NO_NATIVE=1: loadNativeBackend() returns null and the
 * caller falls back to WebAssembly.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { littleEndianBytes } from '../schemes/bits.js';
import { packagePath } from '../paths.js';
import { KERNELS, type KernelName, type SearchTask } from '../schemes/search.js';
import type { Backend, ScanResult } from './backend.js';
import {
  kernelCacheDirectory,
  parseKernelPins,
  selectKernel,
  type KernelChoice,
  type KernelPins,
  type KernelVariants,
  type SelectionCache,
} from './kernel-selection.js';
import { impossibleTask } from './probe-tasks.js';
import { checkScan } from './wasm-kernels.js';

/** The addon's exports (native/src/addon.c). Every scan returns { nonce: bigint | null, attempts }. */
interface NativeAddon {
  kernels(): KernelVariants;
  sha256Text(variant: number, prefix: Uint8Array, suffix: Uint8Array, width: number, zeroBits: number, start: bigint, count: number): ScanResult;
  sha1Text(variant: number, prefix: Uint8Array, suffix: Uint8Array, width: number, zeroBits: number, start: bigint, count: number): ScanResult;
  sha256dHeader(variant: number, header: Uint8Array, targetLe: Uint8Array, start: bigint, count: number): ScanResult;
  sha512dBitmessage(variant: number, initialHash: Uint8Array, target: bigint, start: bigint, count: number): ScanResult;
  blake2bNano(variant: number, root: Uint8Array, threshold: bigint, start: bigint, count: number): ScanResult;
}

const ADDON_FUNCTIONS = ['kernels', 'sha256Text', 'sha1Text', 'sha256dHeader', 'sha512dBitmessage', 'blake2bNano'] as const;

/** Where node-gyp puts the addon. */
export function nativeAddonPath(): string {
  return packagePath('build', 'Release', 'powerplant.node');
}

const isStringList = (value: unknown): value is readonly string[] =>
  Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string');

function isKernelVariants(value: unknown): value is KernelVariants {
  if (typeof value !== 'object' || value === null) return false;
  return KERNELS.every((kernel) => isStringList((value as Record<string, unknown>)[kernel]));
}

function isNativeAddon(value: unknown): value is NativeAddon {
  if (typeof value !== 'object' || value === null) return false;
  const exports = value as Record<string, unknown>;
  return ADDON_FUNCTIONS.every((name) => typeof exports[name] === 'function');
}

interface LoadedAddon {
  readonly addon: NativeAddon;
  readonly variants: KernelVariants;
  /** The addon file's digest: a rebuilt addon measures again. */
  readonly build: string;
}

/** undefined: not tried yet; null: absent or broken (a failed load is not retried). */
let loaded: LoadedAddon | null | undefined;

function loadAddon(): LoadedAddon | null {
  if (process.env.POWERPLANT_NO_NATIVE === '1') return null;
  if (loaded !== undefined) return loaded;
  loaded = null;
  const path = nativeAddonPath();
  if (!existsSync(path)) return null;
  try {
    const addon: unknown = createRequire(import.meta.url)(path);
    if (!isNativeAddon(addon)) return null;
    const variants: unknown = addon.kernels();
    if (!isKernelVariants(variants)) return null;
    const build = createHash('sha256').update(readFileSync(path)).digest('hex').slice(0, 16);
    loaded = { addon, variants, build };
  } catch {
    // A build for another Node ABI or CPU: the WASM kernels take over.
  }
  return loaded;
}

/** The addon's kernel variants per family, in table order (scalar last), or null without the addon. */
export function nativeKernelVariants(): KernelVariants | null {
  return loadAddon()?.variants ?? null;
}

/** Scan with the variant at `index` of the task's family. */
function scanWith(addon: NativeAddon, index: number, task: SearchTask, start: bigint, count: number): ScanResult {
  switch (task.kernel) {
    case 'sha256-text':
      return addon.sha256Text(index, task.prefix, task.suffix, task.width, task.zeroBits, start, count);
    case 'sha1-text':
      return addon.sha1Text(index, task.prefix, task.suffix, task.width, task.zeroBits, start, count);
    case 'sha256d-header':
      return addon.sha256dHeader(index, task.header, littleEndianBytes(task.target, 32), start, count);
    case 'sha512d-bitmessage':
      return addon.sha512dBitmessage(index, task.initialHash, task.target, start, count);
    case 'blake2b-nano':
      return addon.blake2bNano(index, task.root, task.threshold, start, count);
  }
}

/**
 * Nonces per timed probe, per family: 0.2–0.3 ms on the fastest variants of a Zen 5 core, many
 * native calls' worth, and a few ms on scalar, so that timing every variant of every family, best
 * of PROBE_ROUNDS, costs about 45 ms in all (about 15 ms for one family).
 */
const PROBE_NONCES: Readonly<Record<KernelName, number>> = {
  'sha256-text': 1 << 14,
  'sha1-text': 1 << 14,
  'sha256d-header': 1 << 13,
  'sha512d-bitmessage': 1 << 12,
  'blake2b-nano': 1 << 14,
};

/** Time one probe of variant `index` of a family, in milliseconds. */
function probeTimer(addon: NativeAddon, family: KernelName): (index: number) => number {
  const task = impossibleTask(family);
  return (index) => {
    const started = performance.now();
    scanWith(addon, index, task, 0n, PROBE_NONCES[family]);
    return performance.now() - started;
  };
}

function selectionCache(build: string): SelectionCache | undefined {
  const directory = kernelCacheDirectory();
  if (directory === null) return undefined;
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  return { file: join(directory, 'kernels.json'), key: `${process.arch} ${model} / addon ${build}` };
}

/** This process's choice per family, made on the family's first use. */
const choices = new Map<KernelName, KernelChoice>();
let envPins: KernelPins | undefined;

/** POWERPLANT_KERNEL's pins, parsed once (an InputError when it names what this CPU cannot run). */
function environmentPins(native: LoadedAddon): KernelPins {
  return (envPins ??= parseKernelPins(process.env.POWERPLANT_KERNEL, native.variants));
}

function choose(native: LoadedAddon, family: KernelName): KernelChoice {
  let choice = choices.get(family);
  if (choice === undefined) {
    choice = selectKernel(family, {
      available: native.variants[family],
      pinned: environmentPins(native)[family],
      cache: selectionCache(native.build),
      time: probeTimer(native.addon, family),
    });
    choices.set(family, choice);
  }
  return choice;
}

/**
 * The native backend, or null when the addon is missing, fails to load, or POWERPLANT_NO_NATIVE=1.
 * `variants` pins a kernel variant per family (a name from nativeKernelVariants()); the other
 * families run the selected variant, chosen on their first use. Throws RangeError for a pinned
 * variant this CPU cannot run, and InputError for a bad POWERPLANT_KERNEL.
 */
export function loadNativeBackend(variants: KernelPins = {}): Backend | null {
  const native = loadAddon();
  if (native === null) return null;
  environmentPins(native); // a bad POWERPLANT_KERNEL fails here, when the backend loads
  const pinned = new Map<KernelName, KernelChoice>();
  for (const [family, variant] of Object.entries(variants) as [KernelName, string | undefined][]) {
    if (variant === undefined) continue;
    if (!native.variants[family]?.includes(variant)) {
      throw new RangeError(`native ${family} has no variant ${variant} on this CPU; it runs ${native.variants[family]?.join(', ')}`);
    }
    pinned.set(family, { variant, source: 'pinned' });
  }
  const choiceOf = (family: KernelName): KernelChoice => pinned.get(family) ?? choose(native, family);
  /** Per family, the index of its variant: the handle every scan passes, resolved once. */
  const handles = new Map<KernelName, number>();
  const handleOf = (family: KernelName): number => {
    let handle = handles.get(family);
    if (handle === undefined) {
      handle = native.variants[family].indexOf(choiceOf(family).variant);
      handles.set(family, handle);
    }
    return handle;
  };
  return {
    name: 'native',
    kernel: (task: SearchTask): string => choiceOf(task.kernel).variant,
    kernels: () => Object.fromEntries(KERNELS.map((family) => [family, choiceOf(family)])) as Record<KernelName, KernelChoice>,
    scan(task: SearchTask, start: bigint, count: number): ScanResult {
      checkScan(task, start, count);
      // An empty range may start at 2^64, which the addon's uint64 cannot hold.
      if (count === 0) return { nonce: null, attempts: 0 };
      return scanWith(native.addon, handleOf(task.kernel), task, start, count);
    },
  };
}
