/**
 * What crosses Redis as text: search tasks (bigints as decimal strings, bytes as hex) and verified
 * solutions (any scheme's, tagged JSON). A decoded task is checked field by field, since any
 * process that can write to Redis can write there; a decoded solution needs no check of its own,
 * because the broker verifies it with the scheme before anyone sees it.
 * @module
 */
import { z } from 'zod';
import { toHex } from '../schemes/bits.js';
import type { SearchTask } from '../schemes/search.js';

const hex = (bytes: number) => z.string().regex(new RegExp(`^(?:[0-9a-f]{2}){${bytes}}$`)).transform((text) => Uint8Array.from(Buffer.from(text, 'hex')));
const anyHex = z.string().regex(/^(?:[0-9a-f]{2})*$/).transform((text) => Uint8Array.from(Buffer.from(text, 'hex')));
const uint = z.string().regex(/^(0|[1-9][0-9]{0,77})$/).transform(BigInt);

const TaskSchema = z.discriminatedUnion('kernel', [
  z.strictObject({
    kernel: z.enum(['sha256-text', 'sha1-text']),
    prefix: anyHex,
    suffix: anyHex,
    width: z.number().int().min(1).max(19),
    zeroBits: z.number().int().min(0).max(256),
  }),
  z.strictObject({ kernel: z.literal('sha256d-header'), header: hex(80), target: uint }),
  z.strictObject({ kernel: z.literal('sha512d-bitmessage'), initialHash: hex(64), target: uint }),
  z.strictObject({ kernel: z.literal('blake2b-nano'), root: hex(32), threshold: uint }),
]);

/** A task as JSON text. */
export function encodeTask(task: SearchTask): string {
  return encodeValue(task, true);
}

/** The task a JSON text describes; throws when it is not one. */
export function decodeTask(text: string): SearchTask {
  return TaskSchema.parse(JSON.parse(text));
}

const BIGINT = '$bigint';
const BYTES = '$bytes';

/**
 * JSON with bigints and byte arrays: tagged ({"$bigint":"12"}, {"$bytes":"0a"}) or, for tasks
 * (`plain`), as bare strings the task schema reads back.
 */
export function encodeValue(value: unknown, plain = false): string {
  // The holder's own property, before Buffer's toJSON turns bytes into {type, data}.
  return JSON.stringify(value, function (this: Record<string, unknown>, key: string, converted: unknown) {
    const inner = key === '' ? converted : this[key];
    if (typeof inner === 'bigint') return plain ? inner.toString() : { [BIGINT]: inner.toString() };
    if (inner instanceof Uint8Array) return plain ? toHex(inner) : { [BYTES]: toHex(inner) };
    return converted;
  });
}

export function decodeValue(text: string): unknown {
  return JSON.parse(text, (_key, inner: unknown) => {
    if (typeof inner !== 'object' || inner === null) return inner;
    const tagged = inner as Record<string, unknown>;
    const keys = Object.keys(tagged);
    if (keys.length !== 1) return inner;
    if (typeof tagged[BIGINT] === 'string') return BigInt(tagged[BIGINT]);
    if (typeof tagged[BYTES] === 'string') return Uint8Array.from(Buffer.from(tagged[BYTES], 'hex'));
    return inner;
  });
}
