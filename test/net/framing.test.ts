import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonObjectSplitter, LINE_TOO_LONG, LineSplitter } from '../../src/net/framing.js';
import { parseJson, stringifyJson } from '../../src/net/json.js';

const frames = (splitter: JsonObjectSplitter, ...inputs: string[]) => inputs.flatMap((input) => splitter.push(Buffer.from(input)));

test('objects are split whether newline-terminated, back to back or spread over reads', () => {
  const splitter = new JsonObjectSplitter(1024);
  assert.deepEqual(frames(splitter, '{"a":1}\n{"b":2}{"c":"}{\\"x"}  \r\n{"d"', ':{"e":[1,{}]}', '}'), [
    { kind: 'message', text: '{"a":1}' },
    { kind: 'message', text: '{"b":2}' },
    { kind: 'message', text: '{"c":"}{\\"x"}' },
    { kind: 'message', text: '{"d":{"e":[1,{}]}}' },
  ]);
});

test('an object cut by a line break is reported at that line, and the next line is read afresh', () => {
  const splitter = new JsonObjectSplitter(1024);
  assert.deepEqual(frames(splitter, '{"method":"do_pow","target":1\n{"method":"get_work"}\n', '{"a":"split\nstring"}{"b":1}'), [
    { kind: 'error', error: 'message not closed at the end of its line (a missing }?)' },
    { kind: 'message', text: '{"method":"get_work"}' },
    { kind: 'error', error: 'message not closed at the end of its line (a missing }?)' },
    { kind: 'error', error: 'bad JSON: expected an object starting with {' },
    { kind: 'message', text: '{"b":1}' },
  ]);
});

test('junk outside objects is reported once and skipped to the next newline or object', () => {
  const splitter = new JsonObjectSplitter(1024);
  assert.deepEqual(frames(splitter, 'hello world\n[1]{"ok":true}'), [
    { kind: 'error', error: 'bad JSON: expected an object starting with {' },
    { kind: 'error', error: 'bad JSON: expected an object starting with {' },
    { kind: 'message', text: '{"ok":true}' },
  ]);
});

test('an over-long object is reported and dropped up to its end, without being kept', () => {
  const splitter = new JsonObjectSplitter(16);
  const long = `{"pad":"${'x'.repeat(40)}","n":{"deep":"}"}}`;
  assert.deepEqual(frames(splitter, long.slice(0, 20), long.slice(20), '{"next":1}'), [
    { kind: 'error', error: 'message exceeds 16 bytes' },
    { kind: 'message', text: '{"next":1}' },
  ]);
  // An over-long object that never closes is dropped up to the next newline.
  assert.deepEqual(frames(splitter, `{"a":"${'y'.repeat(30)}\n{"b":2}`), [
    { kind: 'error', error: 'message exceeds 16 bytes' },
    { kind: 'message', text: '{"b":2}' },
  ]);
});

test('parseJson keeps integers exact as BigInt, past 2^53', () => {
  assert.deepEqual(parseJson('{"nonce":18446744073709551615,"f":1.5,"e":1e3,"neg":-7,"s":"\\u00e9","l":[true,false,null]}'), {
    nonce: 18446744073709551615n,
    f: 1.5,
    e: 1000,
    neg: -7n,
    s: 'é',
    l: [true, false, null],
  });
  const tricky = parseJson(' {"__proto__":1} ') as object;
  assert.equal(Object.getPrototypeOf(tricky), Object.prototype, 'a "__proto__" key is an own property, not a prototype');
  assert.deepEqual(Object.entries(tricky), [['__proto__', 1n]]);
});

test('parseJson refuses malformed text with a position', () => {
  for (const bad of ['{"a":}', '{"a":1,}', '{a:1}', '{"a":01}', '{"a":1} x', '"unterminated', '[1 2]', '{"a":"\u0001"}']) {
    assert.throws(() => parseJson(bad), /^JsonSyntaxError: bad JSON: .* at position \d+$/, bad);
  }
  assert.throws(() => parseJson('['.repeat(100) + ']'.repeat(100)), /nesting deeper than 32/);
});

test('stringifyJson writes BigInt as bare integers', () => {
  assert.equal(stringifyJson({ status: 200, nonce: 18446744073709551615n, list: [1n, 'a', null, 0.5] }),
    '{"status":200,"nonce":18446744073709551615,"list":[1,"a",null,0.5]}');
});

test('lines are split, and a line over the bound is an overflow', () => {
  const lines = new LineSplitter(8);
  assert.deepEqual(lines.push(Buffer.from('abc\r\nde')), { lines: ['abc'], overflow: false });
  assert.deepEqual(lines.push(Buffer.from('f\n')), { lines: ['def'], overflow: false });
  assert.deepEqual(lines.push(Buffer.from('123456789')), { lines: [], overflow: true });
});

test('a long line is refused as its bytes arrive, after the lines before it, and nothing of it is kept', () => {
  const lines = new LineSplitter(8);
  lines.feed(Buffer.from('ok\n1234'));
  lines.feed(Buffer.from('56789'));
  assert.equal(lines.buffered, 3, 'the complete line stays; the long one is dropped at once');
  assert.equal(lines.next(), 'ok');
  assert.equal(lines.next(), LINE_TOO_LONG);
  lines.feed(Buffer.from('more\n'));
  assert.equal(lines.buffered, 0, 'after a long line nothing more is kept');
  assert.equal(lines.next(), LINE_TOO_LONG);
});

test('lines are taken one at a time, and the rest of the stream comes back byte for byte', () => {
  const lines = new LineSplitter(16, 'latin1');
  lines.feed(Buffer.from('3:stamp\r\nHELLO\r\n\xff', 'latin1'));
  assert.equal(lines.next(), '3:stamp');
  assert.equal(lines.skip(Buffer.from('HEX')), false);
  assert.equal(lines.skip(Buffer.from('HE')), true);
  assert.deepEqual(lines.drain(), Buffer.from('LLO\r\n\xff', 'latin1'));
  assert.equal(lines.next(), null);
});
