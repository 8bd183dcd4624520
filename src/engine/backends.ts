/**
 * Which backend scans nonces: the native addon when it loads, else the WebAssembly kernels, else
 * the JS reference. The kernel modules are imported only when asked for, so a 'js' engine never
 * touches the addon.
 * @module
 */
import { InputError } from '../schemes/bits.js';
import { KERNELS, type KernelName } from '../schemes/search.js';
import type { Backend } from './backend.js';
import type { KernelChoice, KernelPins } from './kernel-selection.js';
import { impossibleTask } from './probe-tasks.js';
import { referenceBackend } from './reference.js';

export type BackendName = Backend['name'];
export type BackendChoice = BackendName | 'auto';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'native', 'wasm', 'js'];

/** The native backend, or null when the addon is not built or POWERPLANT_NO_NATIVE=1. */
export async function tryNativeBackend(): Promise<Backend | null> {
  const { loadNativeBackend } = await import('./native.js');
  return loadNativeBackend();
}

/**
 * Load one named backend; throws when it cannot run on this machine. `variants` pins native
 * kernel variants (the worker threads run what the main thread selected).
 */
export async function loadBackend(name: BackendName, variants: KernelPins = {}): Promise<Backend> {
  switch (name) {
    case 'native': {
      const { loadNativeBackend } = await import('./native.js');
      const native = loadNativeBackend(variants);
      if (native === null) {
        throw new InputError(
          'the native backend is not available (addon not built, or POWERPLANT_NO_NATIVE=1); use --engine auto or wasm (pow.backend in the config)',
        );
      }
      return native;
    }
    case 'wasm': {
      const { loadWasmBackend } = await import('./wasm.js');
      return loadWasmBackend();
    }
    case 'js':
      return referenceBackend;
  }
}

let fallbackReported = false;

/** Say once per process that the search runs on slower kernels than it could. */
function warnOnce(message: string): void {
  if (fallbackReported) return;
  fallbackReported = true;
  process.stderr.write(`powerplant: warning: ${message}\n`);
}

/** Resolve a choice to a loaded backend; 'auto' falls back native → wasm → js with one warning. */
export async function selectBackend(choice: BackendChoice): Promise<Backend> {
  if (choice !== 'auto') return loadBackend(choice);
  const native = await tryNativeBackend();
  if (native !== null) return native;
  try {
    const wasm = await loadBackend('wasm');
    warnOnce('native kernels not available (addon not built or POWERPLANT_NO_NATIVE=1); using the WASM kernels');
    return wasm;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    warnOnce(`neither native nor WASM kernels load (${reason}); using the slow JS reference backend`);
    return referenceBackend;
  }
}

export function isBackendChoice(value: unknown): value is BackendChoice {
  return typeof value === 'string' && (BACKEND_CHOICES as readonly string[]).includes(value);
}

/** The kernel variant per family a backend runs, and how it was chosen ('fixed' where there is no choice). */
export function kernelChoices(backend: Backend): Readonly<Record<KernelName, KernelChoice>> {
  return (
    backend.kernels?.() ??
    (Object.fromEntries(
      KERNELS.map((family) => [family, { variant: backend.kernel(impossibleTask(family)), source: 'fixed' }]),
    ) as Record<KernelName, KernelChoice>)
  );
}
