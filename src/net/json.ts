/**
 * JSON with exact integers: `parseJson` keeps integer literals exact as BigInt (targets, nonces and
 * trial values are uint64, past 2^53), and `stringifyJson` writes them back as bare integers.
 * @module
 */

/** A parsed JSON value whose integers are BigInt (numbers with a fraction or exponent stay numbers). */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

const isSpace = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

/** Thrown by {@link parseJson}; the message says what is wrong and where. */
export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

const MAX_DEPTH = 32;
const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const LITERAL = /true|false|null/y;

/** Parse JSON text, keeping integer literals exact as BigInt. Nesting is limited to 32 levels. */
export function parseJson(text: string): JsonValue {
  let position = 0;
  const fail = (what: string): never => {
    throw new JsonSyntaxError(`bad JSON: ${what} at position ${position}`);
  };
  const skipSpace = (): void => {
    while (position < text.length && isSpace(text.charCodeAt(position))) position++;
  };
  const match = (pattern: RegExp): string | null => {
    pattern.lastIndex = position;
    const found = pattern.exec(text);
    if (found === null) return null;
    position = pattern.lastIndex;
    return found[0];
  };
  const value = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skipSpace();
    const char = text[position];
    if (char === '{') {
      position++;
      const object: { [key: string]: JsonValue } = {};
      skipSpace();
      if (text[position] === '}') return position++, object;
      for (;;) {
        skipSpace();
        const key = match(STRING);
        if (key === null) fail('expected a string key');
        skipSpace();
        if (text[position++] !== ':') fail('expected :');
        Object.defineProperty(object, JSON.parse(key as string) as string, {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        skipSpace();
        const next = text[position++];
        if (next === '}') return object;
        if (next !== ',') fail('expected , or }');
      }
    }
    if (char === '[') {
      position++;
      const array: JsonValue[] = [];
      skipSpace();
      if (text[position] === ']') return position++, array;
      for (;;) {
        array.push(value(depth + 1));
        skipSpace();
        const next = text[position++];
        if (next === ']') return array;
        if (next !== ',') fail('expected , or ]');
      }
    }
    if (char === '"') {
      const literal = match(STRING);
      if (literal === null) fail('invalid string');
      return JSON.parse(literal as string) as string;
    }
    const literal = match(LITERAL);
    if (literal !== null) return literal === 'null' ? null : literal === 'true';
    NUMBER.lastIndex = position;
    const number = NUMBER.exec(text);
    if (number === null) return fail('unexpected character');
    position = NUMBER.lastIndex;
    return number[1] === undefined && number[2] === undefined ? BigInt(number[0]) : Number(number[0]);
  };
  const result = value(0);
  skipSpace();
  if (position !== text.length) fail('unexpected text after the value');
  return result;
}

/** Write JSON with BigInt values as bare integer literals (exact, unlike numbers past 2^53). */
export function stringifyJson(value: JsonValue): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stringifyJson).join(',')}]`;
  return `{${Object.entries(value).map(([key, member]) => `${JSON.stringify(key)}:${stringifyJson(member)}`).join(',')}}`;
}
