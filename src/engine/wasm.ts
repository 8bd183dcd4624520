/**
 * The WebAssembly backend in Node: reads the committed build from wasm/ under the package root
 * and instantiates it synchronously (fine on the main thread and in worker threads). The calling
 * code lives in wasm-kernels.ts, shared with the browser.
 * @module
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../paths.js';
import type { Backend } from './backend.js';
import { WASM_SCALAR_FILE, WASM_SIMD_FILE, supportsSimd128, wasmBackendFromModule } from './wasm-kernels.js';

let compiled: WebAssembly.Module | undefined;

/** The directory of the committed WebAssembly builds. */
export function wasmDirectory(): string {
  return packagePath('wasm');
}

/** The path of the WebAssembly build to load: SIMD128 where it validates, unless
 * POWERPLANT_NO_WASM_SIMD=1 asks for the scalar build (to compare, or to rule SIMD out). */
export function wasmPath(): string {
  const simd = supportsSimd128() && process.env.POWERPLANT_NO_WASM_SIMD !== '1';
  return join(wasmDirectory(), simd ? WASM_SIMD_FILE : WASM_SCALAR_FILE);
}

/** A fresh instance (its own memory) of the module, compiled once per thread. */
export function loadWasmBackend(): Backend {
  compiled ??= new WebAssembly.Module(readFileSync(wasmPath()));
  return wasmBackendFromModule(compiled);
}
