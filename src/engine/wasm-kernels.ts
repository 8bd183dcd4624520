/**
 * The WebAssembly backend's calling code, free of Node APIs so a browser Web Worker can use it with
 * fetch()ed bytes: `wasmBackendFromModule(new WebAssembly.Module(bytes))`. The module's ABI is
 * documented in wasm/README.md: each kernel of native/src/kernels.h is exported under its C name
 * (`pp_<kernel>_scalar`, and `pp_<kernel>_simd128` where a SIMD variant exists), inputs go into the
 * scratch area `pp_scratch(bytes)` returns, and the pp_result comes back at the start of it.
 * @module
 */
import { nonceSpace, type SearchTask } from '../schemes/search.js';
import type { Backend, ScanResult } from './backend.js';

/** C names of the kernels, without the variant suffix. */
const KERNEL_SYMBOLS = {
  'sha256-text': 'pp_sha256_text',
  'sha1-text': 'pp_sha1_text',
  'sha256d-header': 'pp_sha256d_header',
  'sha512d-bitmessage': 'pp_sha512d_bitmessage',
  'blake2b-nano': 'pp_blake2b_nano',
} as const satisfies Record<SearchTask['kernel'], string>;

type KernelName = keyof typeof KERNEL_SYMBOLS;
type Variant = 'simd128' | 'scalar';

/** Kernel arguments as the wasm32 ABI takes them: pointers and sizes as i32, uint64 as i64. */
type KernelArgument = number | bigint;
type WasmKernel = (...args: KernelArgument[]) => void;

interface Kernel {
  readonly run: WasmKernel;
  readonly variant: Variant;
}

/** pp_result: uint64 nonce, uint64 attempts, int found (padded to 24 bytes; inputs start at 32). */
const RESULT_BYTES = 32;
const RESULT_NONCE = 0;
const RESULT_ATTEMPTS = 8;
const RESULT_FOUND = 16;

const U64_LIMIT = 1n << 64n;
const U256_LIMIT = 1n << 256n;
/** Digest bits per text kernel: the most leading zero bits a task can ask for. */
const DIGEST_BITS = { 'sha256-text': 256, 'sha1-text': 160 } as const;

/** The variant of each kernel a module offers, SIMD first; throws when a kernel is missing. */
function findKernels(exports: WebAssembly.Exports): Record<KernelName, Kernel> {
  const found = {} as Record<KernelName, Kernel>;
  for (const [name, symbol] of Object.entries(KERNEL_SYMBOLS) as [KernelName, string][]) {
    const simd = exports[`${symbol}_simd128`];
    const scalar = exports[`${symbol}_scalar`];
    if (typeof simd === 'function') found[name] = { run: simd as WasmKernel, variant: 'simd128' };
    else if (typeof scalar === 'function') found[name] = { run: scalar as WasmKernel, variant: 'scalar' };
    else throw new Error(`the WebAssembly module has no ${symbol} kernel`);
  }
  return found;
}

function checkLength(bytes: Uint8Array, length: number, label: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length) {
    throw new RangeError(`${label} must be ${length} bytes`);
  }
}

function checkRange(value: bigint, limit: bigint, label: string): void {
  if (typeof value !== 'bigint' || value < 0n || value >= limit) {
    throw new RangeError(`${label} must be a bigint in [0, ${limit})`);
  }
}

/** The checks C cannot make: shapes, ranges and the scan staying inside the nonce space. */
export function checkScan(task: SearchTask, start: bigint, count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
  if (typeof start !== 'bigint' || start < 0n || start + BigInt(count) > nonceSpace(task)) {
    throw new RangeError('the scan must lie inside the nonce space of the task');
  }
  switch (task.kernel) {
    case 'sha256-text':
    case 'sha1-text':
      if (!Number.isInteger(task.width) || task.width < 1 || task.width > 19) {
        throw new RangeError('width must be an integer in 1..19');
      }
      if (!Number.isInteger(task.zeroBits) || task.zeroBits < 0 || task.zeroBits > DIGEST_BITS[task.kernel]) {
        throw new RangeError(`zeroBits must be an integer in 0..${DIGEST_BITS[task.kernel]}`);
      }
      if (!(task.prefix instanceof Uint8Array) || !(task.suffix instanceof Uint8Array)) {
        throw new RangeError('prefix and suffix must be Uint8Arrays');
      }
      return;
    case 'sha256d-header':
      checkLength(task.header, 80, 'header');
      checkRange(task.target, U256_LIMIT, 'target');
      return;
    case 'sha512d-bitmessage':
      checkLength(task.initialHash, 64, 'initialHash');
      checkRange(task.target, U64_LIMIT, 'target');
      return;
    case 'blake2b-nano':
      checkLength(task.root, 32, 'root');
      checkRange(task.threshold, U64_LIMIT, 'threshold');
      return;
  }
}

/** A 256-bit integer as 32 little-endian bytes. */
/** schemes/bits.ts has the same encoder, but browsers load this file with schemes/search.js alone. */
function uint256Le(value: bigint): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let i = 0; i < 32; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return bytes;
}

/** The bytes a task puts in scratch memory after the result, and the kernel call on them. */
function layout(task: SearchTask): { readonly inputs: Uint8Array[]; readonly call: (at: number[]) => KernelArgument[] } {
  switch (task.kernel) {
    case 'sha256-text':
    case 'sha1-text':
      return {
        inputs: [task.prefix, task.suffix],
        call: ([prefix, suffix]) => [prefix, task.prefix.length, suffix, task.suffix.length, task.width, task.zeroBits],
      };
    case 'sha256d-header':
      return { inputs: [task.header, uint256Le(task.target)], call: ([header, target]) => [header, target] };
    case 'sha512d-bitmessage':
      return { inputs: [task.initialHash], call: ([initialHash]) => [initialHash, task.target] };
    case 'blake2b-nano':
      return { inputs: [task.root], call: ([root]) => [root, task.threshold] };
  }
}

/** A Backend over an instantiated Powerplant module; one instance serves one thread. */
export function wasmBackendFromInstance(instance: WebAssembly.Instance): Backend {
  const { exports } = instance;
  const memory = exports.memory;
  const scratch = exports.pp_scratch;
  if (!(memory instanceof WebAssembly.Memory) || typeof scratch !== 'function') {
    throw new Error('the WebAssembly module does not export memory and pp_scratch');
  }
  const reserve = scratch as (bytes: number) => number;
  const kernels = findKernels(exports);

  return {
    name: 'wasm',
    kernel: (task) => `wasm-${kernels[task.kernel].variant}`,
    scan(task: SearchTask, start: bigint, count: number): ScanResult {
      checkScan(task, start, count);
      if (count === 0) return { nonce: null, attempts: 0 };
      const { inputs, call } = layout(task);
      const total = inputs.reduce((sum, bytes) => sum + bytes.length, RESULT_BYTES);
      const base = reserve(total);
      if (base === 0) throw new RangeError(`cannot reserve ${total} bytes of WebAssembly memory`);
      // Take the view after reserving: growing memory detaches the previous buffer.
      const heap = new Uint8Array(memory.buffer);
      const pointers: number[] = [];
      let at = base + RESULT_BYTES;
      for (const bytes of inputs) {
        heap.set(bytes, at);
        pointers.push(at);
        at += bytes.length;
      }
      kernels[task.kernel].run(...call(pointers), start, BigInt(count), base);
      const result = new DataView(memory.buffer, base, RESULT_BYTES);
      const attempts = Number(result.getBigUint64(RESULT_ATTEMPTS, true));
      if (result.getInt32(RESULT_FOUND, true) === 0) return { nonce: null, attempts };
      return { nonce: result.getBigUint64(RESULT_NONCE, true), attempts };
    },
  };
}

/** The two builds under wasm/: the same exports, with SIMD128 kernels in the first. */
export const WASM_SIMD_FILE = 'powerplant-simd.wasm';
export const WASM_SCALAR_FILE = 'powerplant.wasm';

/** A module with one function doing i8x16.splat: it validates only where SIMD128 is supported. */
const SIMD128_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
  0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // code: i32.const 0, i8x16.splat, end
]);

/** Whether this WebAssembly engine runs SIMD128, i.e. whether to load WASM_SIMD_FILE. */
export function supportsSimd128(): boolean {
  return WebAssembly.validate(SIMD128_PROBE);
}

/** A Backend over compiled Powerplant WebAssembly; the module needs no imports. */
export function wasmBackendFromModule(module: WebAssembly.Module): Backend {
  return wasmBackendFromInstance(new WebAssembly.Instance(module, {}));
}
