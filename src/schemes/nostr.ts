/**
 * NIP-13 proof of work for Nostr events. The event id is SHA-256 of the JSON array
 * `[0,pubkey,created_at,kind,tags,content]` (JSON.stringify, as nostr-tools' getEventHash); the
 * difficulty is the id's leading zero bits. The nonce tag `["nonce","<n>","<target>"]` goes last
 * among the tags, with a fixed-width decimal nonce, so the engine hashes a constant prefix and suffix.
 * @module
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InputError, leadingZeroBits } from './bits.js';
import type { Check, Scheme } from './scheme.js';
import type { TextTask } from './search.js';

export interface UnsignedEvent {
  readonly pubkey: string;
  readonly created_at: number;
  readonly kind: number;
  readonly tags: string[][];
  readonly content: string;
}

export interface NostrEvent extends UnsignedEvent {
  readonly id: string;
  readonly sig?: string;
}

export interface NostrJob {
  readonly event: UnsignedEvent;
  /** Leading zero bits the id must reach, committed in the nonce tag. */
  readonly difficulty: number;
}

export interface NostrSolution {
  readonly event: NostrEvent;
  /** Leading zero bits the id achieved. */
  readonly pow: number;
}

/** A SHA-256 id has 256 bits; nobody mines past that. */
export const MAX_DIFFICULTY = 256;

const eventShape = z.object(
  {
    pubkey: z
      .string({ error: 'event.pubkey must be a string' })
      .regex(/^[0-9a-f]{64}$/, 'event.pubkey must be 64 lowercase hex characters'),
    created_at: z
      .number({ error: 'event.created_at must be a number' })
      // Before .int(), which refuses every number past 2^53 as not an integer.
      .max(Number.MAX_SAFE_INTEGER, 'event.created_at is too large')
      .int('event.created_at must be an integer')
      .min(0, 'event.created_at must not be negative'),
    kind: z
      .number({ error: 'event.kind must be a number' })
      .int('event.kind must be an integer')
      .min(0, 'event.kind must be between 0 and 65535')
      .max(65535, 'event.kind must be between 0 and 65535'),
    tags: z.array(z.array(z.string({ error: 'event.tags must be an array of arrays of strings' }), {
      error: 'event.tags must be an array of arrays of strings',
    }), { error: 'event.tags must be an array of arrays of strings' }),
    content: z.string({ error: 'event.content must be a string' }),
    id: z.string().optional(),
    sig: z.string().optional(),
  },
  { error: 'event must be a JSON object' },
);

/** Validate an event as received; `id` and `sig` are kept only when present. */
export function parseEvent(raw: unknown): UnsignedEvent & { id?: string; sig?: string } {
  const parsed = eventShape.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? `event.${issue.path.join('.')}` : 'event';
    const message = issue?.message ?? 'event is invalid';
    // zod's own "Required"-style messages do not name the field; ours always do.
    throw new InputError(message.startsWith('event') ? message : `${field}: ${message}`);
  }
  return parsed.data;
}

export function parseDifficulty(raw: unknown, max = MAX_DIFFICULTY): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw)) throw new InputError('difficulty must be an integer');
  if (raw < 0 || raw > max) throw new InputError(`difficulty must be between 0 and ${max}`);
  return raw;
}

/** The serialization whose SHA-256 is the event id. */
export function serializeEvent(event: UnsignedEvent): string {
  return JSON.stringify([0, event.pubkey, event.created_at, event.kind, event.tags, event.content]);
}

export function eventId(event: UnsignedEvent): string {
  return createHash('sha256').update(serializeEvent(event), 'utf8').digest('hex');
}

/** Leading zero bits of a 64-hex-character id. */
export function idDifficulty(id: string): number {
  return leadingZeroBits(Buffer.from(id, 'hex'));
}

/** Nonce digits: enough that the space is ~2^12 times the expected work, at most 19. */
function nonceWidth(difficulty: number): number {
  return Math.min(19, Math.max(6, Math.ceil((difficulty + 12) * Math.log10(2))));
}

const withoutNonceTag = (tags: string[][]): string[][] => tags.filter((tag) => tag[0] !== 'nonce');

function textTask(job: NostrJob): TextTask {
  const { event, difficulty } = job;
  const tags = JSON.stringify(withoutNonceTag(event.tags));
  const head = `[0,${JSON.stringify(event.pubkey)},${event.created_at},${event.kind},`;
  const tagsOpen = tags === '[]' ? '[' : `${tags.slice(0, -1)},`;
  const suffix = `",${JSON.stringify(String(difficulty))}]],${JSON.stringify(event.content)}]`;
  return {
    kernel: 'sha256-text',
    prefix: Buffer.from(`${head}${tagsOpen}["nonce","`, 'utf8'),
    suffix: Buffer.from(suffix, 'utf8'),
    width: nonceWidth(difficulty),
    zeroBits: difficulty,
  };
}

function minedEvent(job: NostrJob, nonce: bigint): NostrEvent {
  const { event, difficulty } = job;
  const digits = nonce.toString().padStart(nonceWidth(difficulty), '0');
  const unsigned: UnsignedEvent = {
    pubkey: event.pubkey,
    created_at: event.created_at,
    kind: event.kind,
    tags: [...withoutNonceTag(event.tags), ['nonce', digits, String(difficulty)]],
    content: event.content,
  };
  return { ...unsigned, id: eventId(unsigned) };
}

/**
 * Check a mined event on its own: the id must be the hash of the event, and its leading zero
 * bits must reach `difficulty` (default: the target committed in the nonce tag, else 0).
 */
export function verifyEvent(event: UnsignedEvent & { readonly id?: string }, difficulty?: number): Check & { pow: number } {
  const id = eventId(event);
  const pow = idDifficulty(id);
  if (event.id !== undefined && event.id !== id) return { valid: false, reason: `id does not match the event (expected ${id})`, pow };
  const committed = event.tags.find((tag) => tag[0] === 'nonce')?.[2];
  const required = difficulty ?? (committed !== undefined && /^\d+$/.test(committed) ? Number(committed) : 0);
  if (pow < required) return { valid: false, reason: `id has ${pow} leading zero bits, ${required} required`, pow };
  return { valid: true, pow };
}

const sameExceptNonce = (a: UnsignedEvent, b: UnsignedEvent): boolean =>
  a.pubkey === b.pubkey &&
  a.created_at === b.created_at &&
  a.kind === b.kind &&
  a.content === b.content &&
  JSON.stringify(withoutNonceTag(a.tags)) === JSON.stringify(withoutNonceTag(b.tags));

export const nostr: Scheme<NostrJob, NostrSolution> = {
  name: 'nostr',
  key: (job) => `nostr:${job.difficulty}:${serializeEvent({ ...job.event, tags: withoutNonceTag(job.event.tags) })}`,
  task: textTask,
  solution(job, nonce) {
    const event = minedEvent(job, nonce);
    return { event, pow: idDifficulty(event.id) };
  },
  verify(job, solution) {
    if (!sameExceptNonce(job.event, solution.event)) return { valid: false, reason: 'event differs from the one requested' };
    // verifyEvent skips a missing id; a solution is what the client gets, so it must carry one.
    if (typeof solution.event.id !== 'string') return { valid: false, reason: 'event.id is missing' };
    const verdict = verifyEvent(solution.event, job.difficulty);
    if (!verdict.valid) return verdict;
    if (verdict.pow !== solution.pow) return { valid: false, reason: `claimed pow ${solution.pow} but the id has ${verdict.pow}` };
    return { valid: true, solution };
  },
};
