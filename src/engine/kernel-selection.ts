/**
 * Which native kernel variant runs each family. No fixed order is fastest on every CPU (SHA-NI
 * beats AVX-512 on SHA-256 text on AMD Zen 4 and loses to it on Intel Sapphire Rapids), so the
 * first use of a family times every variant this CPU supports on the same short task (best of a
 * few interleaved rounds) and keeps the fastest. The choice is cached per CPU model and addon
 * build, so later starts skip the timing; POWERPLANT_KERNEL pins variants instead.
 *
 *   POWERPLANT_KERNEL=scalar                              every family on its portable kernel
 *   POWERPLANT_KERNEL=sha1-text=avx2-8way,blake2b-nano=scalar   those families pinned, the rest measured
 *   POWERPLANT_CACHE_DIR=/some/dir | off                  where the cache lives, or no cache
 * @module
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { InputError } from '../schemes/bits.js';
import { KERNELS, type KernelName } from '../schemes/search.js';

/** How a family's variant was chosen; 'fixed' for backends with one kernel per family (WASM, JS). */
export type SelectionSource = 'measured' | 'cached' | 'pinned' | 'fixed';

export interface KernelChoice {
  readonly variant: string;
  readonly source: SelectionSource;
}

/** Per family, the variants this CPU runs, in the addon's table order. */
export type KernelVariants = Readonly<Record<KernelName, readonly string[]>>;
export type KernelPins = Partial<Record<KernelName, string>>;

/** Timed rounds per variant; the best counts, so one interrupted round does not decide. */
export const PROBE_ROUNDS = 3;

const isKernelName = (value: string): value is KernelName => (KERNELS as readonly string[]).includes(value);

/**
 * The variants POWERPLANT_KERNEL pins: `scalar` for every family, or `family=variant` entries
 * separated by commas. Anything else, or a variant this CPU cannot run, is an InputError that
 * names what this CPU supports.
 */
export function parseKernelPins(value: string | undefined, available: KernelVariants): KernelPins {
  const spec = value?.trim() ?? '';
  if (spec === '') return {};
  if (spec === 'scalar') return Object.fromEntries(KERNELS.map((kernel) => [kernel, 'scalar']));
  const pins: KernelPins = {};
  for (const entry of spec.split(',').map((part) => part.trim())) {
    const [family, variant, ...rest] = entry.split('=').map((part) => part.trim());
    if (variant === undefined || variant === '' || rest.length > 0 || !isKernelName(family)) {
      throw new InputError(
        `POWERPLANT_KERNEL: "${entry}" is not family=variant (families: ${KERNELS.join(', ')}) or "scalar"`,
      );
    }
    if (!available[family].includes(variant)) {
      throw new InputError(
        `POWERPLANT_KERNEL: ${family} has no variant "${variant}" on this CPU; it runs ${available[family].join(', ')}`,
      );
    }
    pins[family] = variant;
  }
  return pins;
}

/**
 * The best (lowest) of PROBE_ROUNDS timings of each variant, rounds interleaved so that a burst of
 * load elsewhere slows every variant alike. `time(index)` runs variant `index` once on the fixed
 * task and returns how long it took.
 */
export function probeVariants(count: number, time: (index: number) => number): number[] {
  const best = Array.from({ length: count }, () => Infinity);
  for (let round = 0; round < PROBE_ROUNDS; round++) {
    for (let index = 0; index < count; index++) best[index] = Math.min(best[index], time(index));
  }
  return best;
}

/** Index of the fastest variant (the lowest time; the first listed on a tie). */
export function fastestIndex(times: readonly number[]): number {
  let fastest = 0;
  for (let index = 1; index < times.length; index++) if (times[index] < times[fastest]) fastest = index;
  return fastest;
}

/** Where a family's choice is remembered: one JSON file, entries keyed by CPU model and addon build. */
export interface SelectionCache {
  readonly file: string;
  readonly key: string;
}

/** Addon builds × CPU models remembered; older entries are dropped. */
const CACHE_ENTRIES = 16;

/** The cache directory: POWERPLANT_CACHE_DIR, 'off' for none, else the OS's per-user cache. */
export function kernelCacheDirectory(env: NodeJS.ProcessEnv = process.env): string | null {
  const configured = env.POWERPLANT_CACHE_DIR?.trim();
  if (configured === 'off') return null;
  if (configured !== undefined && configured !== '') return configured;
  if (process.platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'powerplant', 'Cache');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'powerplant');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'powerplant');
}

type CacheFile = Record<string, Partial<Record<KernelName, string>>>;

function readCacheFile(file: string): CacheFile {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as CacheFile) : {};
  } catch {
    return {}; // absent or unreadable: measure again
  }
}

/** The cached variant of a family, when it is still one this CPU runs. */
export function readCachedChoice(cache: SelectionCache, family: KernelName, available: readonly string[]): string | undefined {
  const variant: unknown = readCacheFile(cache.file)[cache.key]?.[family];
  return typeof variant === 'string' && available.includes(variant) ? variant : undefined;
}

/** Remember a family's variant. A cache that cannot be written only costs a measurement next time. */
export function writeCachedChoice(cache: SelectionCache, family: KernelName, variant: string): void {
  try {
    const entries = readCacheFile(cache.file);
    const entry = { ...entries[cache.key], [family]: variant };
    delete entries[cache.key];
    const kept = Object.entries(entries).slice(-(CACHE_ENTRIES - 1));
    mkdirSync(dirname(cache.file), { recursive: true });
    // Written aside and renamed, so a concurrent reader sees the old file or the new one, whole.
    const temporary = `${cache.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(Object.fromEntries([...kept, [cache.key, entry]]), null, 1));
    renameSync(temporary, cache.file);
  } catch {
    // A read-only home or a full disk: selection still works, uncached.
  }
}

export interface SelectionInputs {
  readonly available: readonly string[];
  readonly pinned?: string;
  /** Absent: no cache (POWERPLANT_CACHE_DIR=off). */
  readonly cache?: SelectionCache;
  /** Times variant `index` once on the family's fixed task. */
  readonly time: (index: number) => number;
}

/** A family's variant: the pinned one, else the cached one, else the fastest measured (then cached). */
export function selectKernel(family: KernelName, inputs: SelectionInputs): KernelChoice {
  if (inputs.pinned !== undefined) return { variant: inputs.pinned, source: 'pinned' };
  const cached = inputs.cache && readCachedChoice(inputs.cache, family, inputs.available);
  if (cached !== undefined) return { variant: cached, source: 'cached' };
  const times = probeVariants(inputs.available.length, inputs.time);
  const variant = inputs.available[fastestIndex(times)];
  if (inputs.cache !== undefined) writeCachedChoice(inputs.cache, family, variant);
  return { variant, source: 'measured' };
}
