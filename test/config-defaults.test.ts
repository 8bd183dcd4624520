/**
 * config/default.toml is written by hand for its comments; these tests keep it equal to the schema's
 * built-in defaults, key for key, so neither can drift from the other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../src/config.js';
import { configLeaves } from '../src/config-env.js';

const builtIn = loadConfig({ defaultsFile: null }) as unknown as Record<string, Record<string, unknown>>;
const text = readFileSync(DEFAULT_CONFIG_FILE, 'utf8');
const file = parseToml(text) as Record<string, Record<string, unknown>>;
/**
 * Keys left commented out in the file: those whose default depends on the machine (`# threads = 2`),
 * and lists of tables shown as a commented example (`# [[gate.http.rules]]`).
 */
const commentedOut = new Set([...text.matchAll(/^# (?:(\w+) = |\[\[[\w.]*?(\w+)\]\])/gm)].map((match) => match[1] ?? match[2]));

/** Every key as `section.key` (or `section.table.key`) with its value; tables inside sections opened. */
const dotted = (config: Record<string, Record<string, unknown>>): Map<string, unknown> =>
  new Map(Object.entries(config).flatMap(([section, keys]) => configLeaves(keys).map(([path, value]) => [[section, ...path].join('.'), value] as const)));
const builtInKeys = dotted(builtIn);

test('config/default.toml has every section and key of the schema, with its default value', () => {
  assert.deepEqual(Object.keys(file).sort(), Object.keys(builtIn).sort(), 'sections');
  const fileKeys = dotted(file);
  for (const [key, value] of builtInKeys) {
    if (!fileKeys.has(key)) {
      assert.ok(commentedOut.has(key.split('.').at(-1)!), `${key} is missing from config/default.toml`);
      continue;
    }
    assert.deepEqual(fileKeys.get(key), value, `${key}: config/default.toml says ${JSON.stringify(fileKeys.get(key))}, the schema ${JSON.stringify(value)}`);
  }
  for (const key of fileKeys.keys()) assert.ok(builtInKeys.has(key), `${key} is in config/default.toml but not in the schema`);
});

test('every duration and size key names its unit', () => {
  for (const key of builtInKeys.keys()) {
    if (/timeout|interval|ttl|linger|poll|lease|backoff/.test(key)) assert.match(key, /_(ms|s)$/, `${key} must end in _ms or _s`);
    if (/bytes|buffer/.test(key)) assert.match(key, /_bytes$/, `${key} must end in _bytes`);
  }
});

test("docs/api.md's limits table names real keys with their defaults, and every limit key is in it", () => {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const block = /<!-- limits -->\n([\s\S]*?)\n<!-- \/limits -->/.exec(doc)?.[1];
  assert.ok(block !== undefined, 'docs/api.md has a <!-- limits --> table');
  const listed = new Map([...block.matchAll(/^\| `(\w+(?:\.\w+)+)` \| ([^|]+) \|/gm)].map((row) => [row[1]!, row[2]!.trim()]));
  for (const [key, shown] of listed) {
    assert.ok(builtInKeys.has(key), `docs/api.md lists ${key}, which the schema does not have`);
    assert.equal(shown, String(builtInKeys.get(key)), `${key}: docs/api.md says ${shown}`);
  }
  for (const key of builtInKeys.keys()) {
    if (/^max_|_limit$|timeout|per_minute|linger|ping/.test(key.split('.').at(-1)!)) assert.ok(listed.has(key), `${key} is missing from docs/api.md's limits table`);
  }
});
