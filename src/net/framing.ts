/**
 * Framing of byte streams, as state machines fed raw bytes (no sockets), each bounded by a size
 * checked as the bytes arrive, so a peer can never make one keep more than its limit:
 * - `JsonObjectSplitter`: JSON objects newline-terminated or back to back with no separator, as
 *   the original Metanoia clients sent them (several in one read, or one split over many), each
 *   on one line (an object still open at a line break is an error);
 * - `LineSplitter`: newline-terminated lines (Stratum, powtcp).
 * @module
 */

/** What the splitter makes of the bytes: a complete object's text, or a framing error to report. */
export type Frame = { readonly kind: 'message'; readonly text: string } | { readonly kind: 'error'; readonly error: string };

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const RETURN = 0x0d;

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
 * Splits a byte stream into top-level JSON objects by tracking braces and strings. An object must
 * end on the line it starts on. Memory is bounded by `maxMessageBytes`: an object longer than that
 * is reported once as an error and then skipped without being kept until it closes or a newline
 * arrives, whichever comes first.
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
      if (byte === NEWLINE) {
        // Messages never span lines (JSON strings cannot hold a raw line break): an object still
        // open here lost its closing brace, and waiting for it would swallow the lines after it.
        if (this.state === State.Object) frames.push({ kind: 'error', error: 'message not closed at the end of its line (a missing }?)' });
        this.dropKept();
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


/** What {@link LineSplitter.next} returns once a line passed the limit: the peer must be cut off. */
export const LINE_TOO_LONG = Symbol('line too long');

const enum LineState {
  /** Keeping bytes: complete lines wait to be taken, and the last line grows. */
  Lines,
  /** A line grew past the limit: the lines before it can still be taken, later bytes are dropped. */
  TooLong,
}

/**
 * Splits a byte stream into '\n'-terminated lines ('\r\n' too). The bytes fed and not yet taken
 * stay as they came, so a caller may take lines one at a time, in order, and hand the rest of the
 * stream on untouched ({@link drain}). The length of the line being received is checked as its
 * bytes arrive: past `maxLineBytes` (the '\n' not counted) nothing more is kept.
 */
export class LineSplitter {
  #state = LineState.Lines;
  /** Bytes fed and not yet taken; `#taken` of them at the front are already handed out. */
  #buffer = Buffer.alloc(0);
  #taken = 0;
  /** Bytes of the last, unterminated line. */
  #partial = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly encoding: 'utf8' | 'latin1' = 'utf8',
  ) {}

  /** Bytes fed and not yet taken. */
  get buffered(): number {
    return this.#buffer.length - this.#taken;
  }

  /** Feed bytes; lines are taken with next(). */
  feed(input: Buffer): void {
    if (this.#state === LineState.TooLong) return;
    let start = 0;
    for (;;) {
      const end = input.indexOf(NEWLINE, start);
      const length = (end === -1 ? input.length : end) - start;
      if (this.#partial + length > this.maxLineBytes) {
        // Keep the complete lines before the long one, and none of the long one.
        this.#keep(input.subarray(0, start), this.#partial);
        this.#state = LineState.TooLong;
        return;
      }
      if (end === -1) break;
      this.#partial = 0;
      start = end + 1;
    }
    this.#keep(input, 0);
    this.#partial += input.length - start;
  }

  /** The next complete line (without its '\n' or '\r\n'), null when none is complete yet, or LINE_TOO_LONG. */
  next(): string | typeof LINE_TOO_LONG | null {
    const end = this.#buffer.indexOf(NEWLINE, this.#taken);
    if (end === -1) return this.#state === LineState.TooLong ? LINE_TOO_LONG : null;
    const line = this.#buffer.toString(this.encoding, this.#taken, end > this.#taken && this.#buffer[end - 1] === RETURN ? end - 1 : end);
    this.#taken = end + 1;
    return line;
  }

  /** Feed bytes and take every line they complete; `overflow` when a line passed the limit. */
  push(input: Buffer): { readonly lines: string[]; readonly overflow: boolean } {
    this.feed(input);
    const lines: string[] = [];
    for (let line = this.next(); line !== null; line = this.next()) {
      if (line === LINE_TOO_LONG) return { lines, overflow: true };
      lines.push(line);
    }
    return { lines, overflow: false };
  }

  /** Take the next bytes when they are `prefix`; false (taking nothing) when they are not or not yet all there. */
  skip(prefix: Buffer): boolean {
    if (this.buffered < prefix.length || !this.#buffer.subarray(this.#taken, this.#taken + prefix.length).equals(prefix)) return false;
    this.#taken += prefix.length;
    return true;
  }

  /** Take every byte not taken yet, as it came: the stream leaves line mode. */
  drain(): Buffer {
    const rest = this.#buffer.subarray(this.#taken);
    this.#buffer = Buffer.alloc(0);
    this.#taken = 0;
    this.#partial = 0;
    return rest;
  }

  /** Append `bytes`, dropping what was taken and the last `dropTail` bytes of the unterminated line. */
  #keep(bytes: Buffer, dropTail: number): void {
    const kept = this.#buffer.subarray(this.#taken, this.#buffer.length - dropTail);
    // Copy: the caller may reuse its buffer.
    this.#buffer = Buffer.concat([kept, bytes]);
    this.#taken = 0;
  }
}
