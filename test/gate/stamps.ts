/** Test helper: mint hashcash stamps for a resource with the JS reference backend. */
import { hashcash, stampValue, type HashcashJob, type StampAlgorithm } from '../../src/schemes/hashcash.js';
import { referenceBackend } from '../../src/engine/reference.js';

export interface MintOptions {
  readonly algorithm?: StampAlgorithm;
  /** Bits the stamp claims (default: `bits`). */
  readonly claim?: number;
  /** Fixed salt, so that a test's stamp is the same on every run. */
  readonly rand?: string;
  /** First counter tried. */
  readonly start?: bigint;
}

/** The first stamp for `resource` whose hash has at least `bits` leading zero bits. */
export function mintStamp(resource: string, bits: number, options: MintOptions = {}): string {
  const job: HashcashJob = {
    resource,
    bits: options.claim ?? bits,
    date: '261121',
    ext: '',
    rand: options.rand ?? 'dGVzdHNhbHQ=',
    algorithm: options.algorithm ?? 'sha1',
  };
  const task = { ...hashcash.task(job), zeroBits: bits };
  const found = referenceBackend.scan(task, options.start ?? 0n, 1 << 24);
  if (found.nonce === null) throw new Error('no stamp found');
  return hashcash.solution(job, found.nonce).stamp;
}

/** A stamp for `resource` whose hash has fewer than `bits` leading zero bits (while claiming `bits`). */
export function weakStamp(resource: string, bits: number, algorithm: StampAlgorithm = 'sha1'): string {
  for (let counter = 0; ; counter++) {
    const stamp = `1:${bits}:261121:${resource}::dGVzdHNhbHQ=:${counter}`;
    if (stampValue(stamp, algorithm) < bits) return stamp;
  }
}
