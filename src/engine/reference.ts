/**
 * The JS reference backend: one hash call per attempt through node:crypto (BLAKE2b-64 through
 * @noble/hashes, which node:crypto cannot produce). Slow on purpose and simple on purpose: it is the
 * oracle every kernel is tested against and the "baseline" of `powerplant bench`.
 * @module
 */
import { createHash } from 'node:crypto';
import { blake2b } from '@noble/hashes/blake2.js';
import { decimalNonce, type SearchTask } from '../schemes/search.js';
import type { Backend, ScanResult } from './backend.js';
import { leadingZeroBits } from '../schemes/bits.js';

/** Attempt one nonce of a task; true when it passes. */
export function attempt(task: SearchTask, nonce: bigint): boolean {
  switch (task.kernel) {
    case 'sha256-text':
    case 'sha1-text': {
      const digest = createHash(task.kernel === 'sha1-text' ? 'sha1' : 'sha256')
        .update(task.prefix)
        .update(decimalNonce(nonce, task.width), 'latin1')
        .update(task.suffix)
        .digest();
      return leadingZeroBits(digest) >= task.zeroBits;
    }
    case 'sha256d-header': {
      const header = Buffer.from(task.header);
      header.writeUInt32LE(Number(nonce), 76);
      const hash = createHash('sha256').update(createHash('sha256').update(header).digest()).digest();
      return BigInt('0x' + Buffer.from(hash).reverse().toString('hex')) <= task.target;
    }
    case 'sha512d-bitmessage': {
      const nonceBytes = Buffer.alloc(8);
      nonceBytes.writeBigUInt64BE(nonce);
      const inner = createHash('sha512').update(nonceBytes).update(task.initialHash).digest();
      const trial = createHash('sha512').update(inner).digest().readBigUInt64BE(0);
      return trial <= task.target;
    }
    case 'blake2b-nano': {
      const message = Buffer.alloc(40);
      message.writeBigUInt64LE(nonce, 0);
      message.set(task.root, 8);
      const value = Buffer.from(blake2b(message, { dkLen: 8 })).readBigUInt64LE(0);
      return value >= task.threshold;
    }
  }
}

export const referenceBackend: Backend = {
  name: 'js',
  kernel: () => 'reference',
  scan(task: SearchTask, start: bigint, count: number): ScanResult {
    for (let i = 0; i < count; i++) {
      const nonce = start + BigInt(i);
      if (attempt(task, nonce)) return { nonce, attempts: i + 1 };
    }
    return { nonce: null, attempts: count };
  },
};
