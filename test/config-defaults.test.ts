/**
 * config/default.toml is written by hand for its comments; these tests keep it equal to the schema's
 * built-in defaults, key for key, so neither can drift from the other.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { DEFAULT_CONFIG_FILE, loadConfig } from '../src/config.js';

const builtIn = loadConfig({ defaultsFile: null }) as unknown as Record<string, Record<string, unknown>>;
const text = readFileSync(DEFAULT_CONFIG_FILE, 'utf8');
const file = parseToml(text) as Record<string, Record<string, unknown>>;
/** Keys left commented out in the file because their default depends on the machine (`# threads = 2`). */
const commentedOut = new Set([...text.matchAll(/^# (\w+) = /gm)].map((match) => match[1]));

test('config/default.toml has every section and key of the schema, with its default value', () => {
  assert.deepEqual(Object.keys(file).sort(), Object.keys(builtIn).sort(), 'sections');
  for (const [section, values] of Object.entries(builtIn)) {
    for (const [key, value] of Object.entries(values)) {
      if (!(key in file[section]!)) {
        assert.ok(commentedOut.has(key), `${section}.${key} is missing from config/default.toml`);
        continue;
      }
      assert.deepEqual(file[section]![key], value, `${section}.${key}: config/default.toml says ${JSON.stringify(file[section]![key])}, the schema ${JSON.stringify(value)}`);
    }
    for (const key of Object.keys(file[section]!)) assert.ok(key in values, `${section}.${key} is in config/default.toml but not in the schema`);
  }
});

test('every duration and size key names its unit', () => {
  for (const [section, values] of Object.entries(builtIn)) {
    for (const key of Object.keys(values)) {
      if (/timeout|interval|ttl|linger|poll|lease|backoff/.test(key)) assert.match(key, /_(ms|s)$/, `${section}.${key} must end in _ms or _s`);
      if (/bytes|buffer/.test(key)) assert.match(key, /_bytes$/, `${section}.${key} must end in _bytes`);
    }
  }
});

test("docs/api.md's limits table names real keys with their defaults, and every limit key is in it", () => {
  const doc = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
  const block = /<!-- limits -->\n([\s\S]*?)\n<!-- \/limits -->/.exec(doc)?.[1];
  assert.ok(block !== undefined, 'docs/api.md has a <!-- limits --> table');
  const listed = new Map([...block.matchAll(/^\| `(\w+)\.(\w+)` \| ([^|]+) \|/gm)].map((row) => [`${row[1]}.${row[2]}`, row[3]!.trim()]));
  for (const [key, shown] of listed) {
    const [section, name] = key.split('.') as [string, string];
    assert.ok(builtIn[section] !== undefined && name in builtIn[section], `docs/api.md lists ${key}, which the schema does not have`);
    assert.equal(shown, String(builtIn[section][name]), `${key}: docs/api.md says ${shown}`);
  }
  for (const [section, values] of Object.entries(builtIn)) {
    for (const key of Object.keys(values)) {
      if (/^max_|_limit$|timeout|per_minute|linger|ping/.test(key)) assert.ok(listed.has(`${section}.${key}`), `${section}.${key} is missing from docs/api.md's limits table`);
    }
  }
});
