/**
 * JSON over a byte stream, as the original Metanoia clients sent it: objects newline-terminated or
 * back to back with no separator, several in one read or one split over many. `JsonObjectSplitter`
 * is a byte-in/message-out state machine (no sockets), `parseJson` keeps integer literals exact as
 * BigInt (targets, nonces and trial values are uint64, past 2^53), and `stringifyJson` writes them
 * back as bare integers.
 * @module
 */

/** A parsed JSON value whose integers are BigInt (numbers with a fraction or exponent stay numbers). */
export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

/** What the splitter makes of the bytes: a complete object's text, or a framing error to report. */
export type Frame = { readonly kind: 'message'; readonly text: string } | { readonly kind: 'error'; readonly error: string };

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;

const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;

const enum State {
  /** Between messages: whitespace is skipped, `{` starts an object, anything else is junk. */
  Between,
  /** Inside an object, keeping its bytes. */
  Object,
  /** Junk outside any object: dropped up to the next newline or `{`. */
  Junk,
  /** An object grew past the limit: dropped (not kept) up to its end or the next newline. */
  Discard,
}

/**
 * Splits a byte stream into top-level JSON objects by tracking braces and strings. Memory is
 * bounded by `maxMessageBytes`: an object longer than that is reported once as an error and then
 * skipped without being kept until it closes or a newline arrives, whichever comes first.
 */
export class JsonObjectSplitter {
  private state = State.Between;
  /** Structure of the current object: brace depth, inside a string, right after a backslash. */
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** Bytes of the current object from earlier inputs. */
  private kept: Buffer[] = [];
  private keptLength = 0;

  constructor(private readonly maxMessageBytes: number) {}

  /** Feed bytes; returns the frames they complete, in order. */
  push(input: Buffer): Frame[] {
    const frames: Frame[] = [];
    /** Where the current object starts in this input. */
    let start = 0;
    for (let i = 0; i < input.length; i++) {
      const byte = input[i];
      if (this.state === State.Between || this.state === State.Junk) {
        if (byte === OPEN) {
          this.begin();
          start = i;
        } else if (byte === NEWLINE) this.state = State.Between;
        else if (this.state === State.Between && !isSpace(byte)) {
          this.state = State.Junk;
          frames.push({ kind: 'error', error: 'bad JSON: expected an object starting with {' });
        }
        continue;
      }
      if (this.state === State.Discard && byte === NEWLINE) {
        this.state = State.Between;
        continue;
      }
      this.track(byte);
      if (this.state === State.Discard) {
        if (this.depth === 0) this.state = State.Between;
        continue;
      }
      // Check the bound as the bytes arrive, before anything more is kept.
      if (this.keptLength + (i - start + 1) > this.maxMessageBytes) {
        frames.push({ kind: 'error', error: `message exceeds ${this.maxMessageBytes} bytes` });
        this.dropKept();
        this.state = this.depth === 0 ? State.Between : State.Discard;
        continue;
      }
      if (this.depth === 0) {
        this.kept.push(input.subarray(start, i + 1));
        frames.push({ kind: 'message', text: Buffer.concat(this.kept).toString('utf8') });
        this.dropKept();
        this.state = State.Between;
      }
    }
    if (this.state === State.Object) {
      // Copy: the caller may reuse its buffer.
      const rest = Buffer.from(input.subarray(start));
      this.kept.push(rest);
      this.keptLength += rest.length;
    }
    return frames;
  }

  private begin(): void {
    this.state = State.Object;
    this.depth = 1;
    this.inString = false;
    this.escaped = false;
    this.dropKept();
  }

  private dropKept(): void {
    this.kept = [];
    this.keptLength = 0;
  }

  private track(byte: number): void {
    if (this.escaped) this.escaped = false;
    else if (this.inString) {
      if (byte === QUOTE) this.inString = false;
      else if (byte === BACKSLASH) this.escaped = true;
    } else if (byte === QUOTE) this.inString = true;
    else if (byte === OPEN) this.depth++;
    else if (byte === CLOSE) this.depth--;
  }
}

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

/**
 * Splits a byte stream into newline-terminated lines (Stratum). A line longer than `maxLineBytes`
 * is not buffered: `push` reports `overflow` and the caller closes the connection.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;

  constructor(private readonly maxLineBytes: number) {}

  push(input: Buffer): { readonly lines: string[]; readonly overflow: boolean } {
    const lines: string[] = [];
    let start = 0;
    for (let end = input.indexOf(NEWLINE); end !== -1; end = input.indexOf(NEWLINE, start)) {
      if (this.pendingLength + end - start > this.maxLineBytes) return { lines, overflow: true };
      this.pending.push(input.subarray(start, end));
      lines.push(Buffer.concat(this.pending).toString('utf8').replace(/\r$/, ''));
      this.pending = [];
      this.pendingLength = 0;
      start = end + 1;
    }
    const rest = input.length - start;
    if (this.pendingLength + rest > this.maxLineBytes) return { lines, overflow: true };
    if (rest > 0) {
      this.pending.push(Buffer.from(input.subarray(start)));
      this.pendingLength += rest;
    }
    return { lines, overflow: false };
  }
}
