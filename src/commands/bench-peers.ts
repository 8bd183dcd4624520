/**
 * `powerplant bench --peers`: the tools people use for the same jobs, measured in the same run on
 * one thread, so the ratios compare like with like. Each peer reports attempts per second, or null
 * when it is not installed here (nostr-tools and nanocurrency are dev dependencies; hashcash is a
 * system package).
 *
 * - nostr-tools `minePow`: its nonce tag counts attempts from 1, so attempts = tag (it restarts the
 *   count when created_at moves to the next second, which a 10-bit search rarely meets).
 * - nanocurrency `computeWork`: one worker scans nonces upward from 0, so attempts = work + 1.
 * - hashcash `-s`: its own speed test, best of several runs (single runs are noisy).
 * - PyBitmessage's `bitmsghash` loop: OpenSSL SHA-512 twice per attempt, measured two ways: through
 *   node:crypto (OpenSSL, with a JS call per hash), and as `openssl speed -evp sha512` times the C
 *   calls on 72- and 64-byte inputs, the two hashes of an attempt (when the openssl tool is here).
 * @module
 */
import { execFile } from 'node:child_process';
import { createHash, hash } from 'node:crypto';
import { promisify } from 'node:util';
import type { BenchScheme } from '../engine/bench.js';

export interface Peer {
  readonly scheme: BenchScheme;
  readonly name: string;
  /** Attempts per second on one thread, or null when the tool is not installed. */
  readonly rate: number | null;
}

const HASHCASH_RUNS = 7;
const NOSTR_BITS = 10;
/** About 2^18 attempts per Nano search: a fraction of a second for nanocurrency. */
const NANO_THRESHOLD = 'fffc000000000000';

/** Run `round` (which returns the attempts it made) until `seconds` have passed; attempts per second. */
async function rateOver(seconds: number, round: (index: number) => Promise<number> | number): Promise<number> {
  const started = performance.now();
  let attempts = 0;
  for (let index = 0; performance.now() - started < seconds * 1000; index++) attempts += await round(index);
  return (attempts * 1000) / (performance.now() - started);
}

/** A dev dependency, or null when this install left it out. */
async function optionalImport<T>(name: string): Promise<T | null> {
  try {
    return (await import(name)) as T;
  } catch {
    return null;
  }
}

async function nostrTools(seconds: number): Promise<number | null> {
  const nip13 = await optionalImport<typeof import('nostr-tools/nip13')>('nostr-tools/nip13');
  if (nip13 === null) return null;
  return rateOver(seconds, (index) => {
    const unsigned = { kind: 1, tags: [], content: `powerplant bench ${index}`, created_at: Math.floor(Date.now() / 1000), pubkey: 'ab'.repeat(32) };
    const mined = nip13.minePow(unsigned, NOSTR_BITS);
    const nonce = mined.tags.find((tag) => tag[0] === 'nonce');
    return Number(nonce?.[1] ?? 0);
  });
}

async function nanocurrency(seconds: number): Promise<number | null> {
  const nano = await optionalImport<typeof import('nanocurrency')>('nanocurrency');
  if (nano === null) return null;
  await nano.computeWork('00'.repeat(32), { workThreshold: '0000000000000000' }); // loads its WASM
  return rateOver(seconds, async (index) => {
    const root = createHash('sha256').update(`powerplant bench ${index}`).digest('hex');
    const work = await nano.computeWork(root, { workThreshold: NANO_THRESHOLD });
    if (work === null) throw new Error('nanocurrency computeWork found no work');
    return Number(BigInt(`0x${work}`)) + 1;
  });
}

async function hashcash(): Promise<number | null> {
  let best = 0;
  for (let run = 0; run < HASHCASH_RUNS; run++) {
    try {
      const { stdout } = await promisify(execFile)('hashcash', ['-s'], { timeout: 30_000 });
      best = Math.max(best, Number(stdout.trim().split(/\s+/).at(-1)));
    } catch {
      return null; // not installed
    }
  }
  return best > 0 ? best : null;
}

/** PyBitmessage's loop: SHA512(SHA512(nonce BE64 || initial hash)) per attempt, through node:crypto. */
function nodeCryptoDoubleSha512(seconds: number): Promise<number> {
  const message = Buffer.alloc(72, 0xbd);
  return rateOver(seconds, () => {
    const ATTEMPTS = 4096;
    for (let nonce = 0; nonce < ATTEMPTS; nonce++) {
      message.writeBigUInt64BE(BigInt(nonce), 0);
      hash('sha512', hash('sha512', message, 'buffer'), 'buffer');
    }
    return ATTEMPTS;
  });
}

/** SHA-512 hashes per second of `bytes`-byte inputs as `openssl speed` measures them, or null. */
async function opensslSha512(bytes: number): Promise<number | null> {
  try {
    const { stdout } = await promisify(execFile)('openssl', ['speed', '-seconds', '1', '-bytes', String(bytes), '-evp', 'sha512'], { timeout: 30_000 });
    const kilobytes = /^sha512\s+([\d.]+)k/m.exec(stdout)?.[1];
    return kilobytes === undefined ? null : (Number(kilobytes) * 1000) / bytes;
  } catch {
    return null; // not installed
  }
}

/** The same attempt in OpenSSL's C: a 72-byte hash, then a hash of its 64-byte digest. */
async function opensslDoubleSha512(): Promise<number | null> {
  const first = await opensslSha512(72);
  const second = await opensslSha512(64);
  return first === null || second === null ? null : 1 / (1 / first + 1 / second);
}

export async function measurePeers(seconds: number): Promise<Peer[]> {
  return [
    { scheme: 'nostr', name: 'nostr-tools minePow', rate: await nostrTools(seconds) },
    { scheme: 'nano', name: 'nanocurrency computeWork', rate: await nanocurrency(seconds) },
    { scheme: 'hashcash', name: `hashcash -s (best of ${HASHCASH_RUNS})`, rate: await hashcash() },
    { scheme: 'bitmessage', name: 'double SHA-512, node:crypto (OpenSSL)', rate: await nodeCryptoDoubleSha512(seconds) },
    { scheme: 'bitmessage', name: 'double SHA-512, openssl speed (C calls)', rate: await opensslDoubleSha512() },
  ];
}
