// The <powerplant-gate> widget's Web Worker: mints a hashcash stamp for a challenge with the
// engine's WebAssembly build (kernel 'sha256-text', or 'sha1-text' for a SHA-1 challenge), chunk
// by chunk, reporting progress. Message in: { challenge, bits, algorithm ('sha256' or 'sha1') }.
// Messages out: { type: 'progress', attempts, rate },
// { type: 'found', stamp, attempts }, { type: 'error', message }.
import { WASM_SCALAR_FILE, WASM_SIMD_FILE, supportsSimd128, wasmBackendFromModule } from './engine/wasm-kernels.js';

/** Nonces per WASM call: a few milliseconds, so progress stays smooth. */
const CHUNK = 16384;
/** Counter digits: 10^12 nonces, far more than any gate difficulty needs. */
const WIDTH = 12;

const utcDate = () => new Date().toISOString().slice(2, 10).replaceAll('-', '');
const randomSalt = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(12))));

async function loadBackend() {
  const file = supportsSimd128() ? WASM_SIMD_FILE : WASM_SCALAR_FILE;
  const module = await WebAssembly.compileStreaming(fetch(new URL(file, self.location.href)));
  return wasmBackendFromModule(module);
}

self.onmessage = async ({ data }) => {
  try {
    const { challenge, bits, algorithm = 'sha256' } = data;
    const backend = await loadBackend();
    const prefix = `1:${bits}:${utcDate()}:${challenge}::${randomSalt()}:`;
    const task = { kernel: algorithm === 'sha1' ? 'sha1-text' : 'sha256-text', prefix: new TextEncoder().encode(prefix), suffix: new Uint8Array(0), width: WIDTH, zeroBits: bits };
    const started = performance.now();
    let attempts = 0;
    for (let start = 0n; ; start += BigInt(CHUNK)) {
      const result = backend.scan(task, start, CHUNK);
      attempts += result.attempts;
      if (result.nonce !== null) {
        self.postMessage({ type: 'found', stamp: prefix + result.nonce.toString().padStart(WIDTH, '0'), attempts });
        return;
      }
      const seconds = (performance.now() - started) / 1000;
      self.postMessage({ type: 'progress', attempts, rate: seconds > 0 ? attempts / seconds : 0 });
    }
  } catch (error) {
    self.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
};
