/**
 * docs/api.md's error tables are generated from the registry in src/errors.ts: each door's table
 * sits between `<!-- errors:WIRE -->` and `<!-- /errors:WIRE -->`. This test fails when they differ;
 * `UPDATE_DOCS=1 node --test dist/test/errors.test.js` rewrites them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { ERRORS, InputError, PowerplantError, clientMessage, reasonOf, wiresOf, type ErrorCode, type ErrorWires } from '../src/errors.js';

const API_DOC = new URL('../../docs/api.md', import.meta.url);
const codes = Object.keys(ERRORS) as ErrorCode[];

type Wire = 'websocket' | 'http' | 'metanoia' | 'stratum' | 'powtcp';

/** Each wire's column heading and how its cell reads. */
const COLUMNS: Record<Wire, { readonly heading: string; readonly cell: (value: NonNullable<ErrorWires[Wire]>) => string }> = {
  websocket: {
    heading: 'answer',
    cell: (value) => (value === 'answer' ? '`{"error","id"?}`, the connection stays open' : `connection closed with code ${value}`),
  },
  http: { heading: 'HTTP status', cell: String },
  metanoia: { heading: '`status`', cell: String },
  stratum: { heading: 'error code', cell: String },
  powtcp: {
    heading: 'then',
    cell: (value) => (value === 'answer' ? '`0:<message>`, the connection stays open' : '`0:<message>` is the last line; the connection closes'),
  },
};

function table(wire: Wire): string {
  const rows = codes.flatMap((code) => {
    const value = (ERRORS[code] as ErrorWires)[wire];
    return value === undefined ? [] : [`| \`${code}\` | ${COLUMNS[wire].cell(value as never)} | ${ERRORS[code].meaning} |`];
  });
  return [`| code | ${COLUMNS[wire].heading} | meaning |`, '|---|---|---|', ...rows].join('\n');
}

function render(doc: string): string {
  return doc.replace(
    /(<!-- errors:(\w+) -->\n)(?:[\s\S]*?\n)?(<!-- \/errors:\2 -->)/g,
    (_all, open: string, wire: string, close: string) => `${open}${table(wire as Wire)}\n${close}`,
  );
}

test("docs/api.md's error tables are the registry's", () => {
  const doc = readFileSync(API_DOC, 'utf8');
  const marked = [...doc.matchAll(/<!-- errors:(\w+) -->/g)].map((match) => match[1]);
  assert.deepEqual(marked.sort(), Object.keys(COLUMNS).sort(), 'one table per wire');
  const fresh = render(doc);
  if (process.env.UPDATE_DOCS === '1' && fresh !== doc) writeFileSync(API_DOC, fresh);
  else assert.equal(doc, fresh, 'docs/api.md is stale: run UPDATE_DOCS=1 node --test dist/test/errors.test.js');
});

test('every registry code is in the docs, and every code the docs name is in the registry', () => {
  const doc = readFileSync(API_DOC, 'utf8');
  const named = new Set(doc.match(/PP_ERR_[A-Z_]+/g));
  for (const code of codes) {
    assert.ok(Object.keys(COLUMNS).some((wire) => wire in ERRORS[code]), `${code} appears on no wire`);
    assert.ok(named.has(code), `${code} is not in docs/api.md`);
  }
  for (const code of named) assert.ok(code in ERRORS, `docs/api.md names ${code}, which the registry does not have`);
});

test('Metanoia status and HTTP status agree wherever both carry a code (they disagreed on cancelled and exhausted)', () => {
  for (const code of codes) {
    const wires: ErrorWires = ERRORS[code];
    if (wires.http !== undefined && wires.metanoia !== undefined) assert.equal(wires.metanoia, wires.http, code);
  }
});

test('an error carries its code to every wire; anything else is an internal error', () => {
  const busy = new PowerplantError('PP_ERR_BUSY', 'the server is busy: 4 jobs running and 0 waiting');
  assert.equal(wiresOf(busy).http, 503);
  assert.equal(clientMessage(busy), busy.message);
  const input = new InputError('hash must be 64 hex characters');
  assert.equal(input.code, 'PP_ERR_INVALID');
  assert.equal(wiresOf(input).stratum, 20);
  const unexpected = new TypeError('x is undefined');
  assert.equal(wiresOf(unexpected), ERRORS.PP_ERR_INTERNAL);
  assert.equal(clientMessage(unexpected), 'internal error', 'no internal detail reaches a client');
  assert.equal(reasonOf('PP_ERR_WRONG_PURPOSE'), 'wrong-purpose');
});
