import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveGateSecret } from '../../src/gate/secret.js';
import { InputError } from '../../src/schemes/bits.js';

test('a configured secret is used as is, and no file is touched; a short one is refused', () => {
  const unused = join(tmpdir(), 'powerplant-never-created', 'gate-secret');
  assert.deepEqual(resolveGateSecret('sixteen chars ok', unused), Buffer.from('sixteen chars ok'));
  assert.throws(() => resolveGateSecret('short', unused), InputError);
  assert.equal(existsSync(unused), false);
});

test('without a configured secret one is generated once, kept with mode 0600, and reused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-secret-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'nested', 'gate-secret');
  const created: string[] = [];
  const first = resolveGateSecret('', file, (path) => created.push(path));
  assert.deepEqual(created, [file], 'the new file is announced once');
  assert.equal(first.length, 32);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.match(readFileSync(file, 'utf8'), /^[0-9a-f]{64}\n$/);
  assert.deepEqual(resolveGateSecret('', file, (path) => created.push(path)), first);
  assert.equal(created.length, 1, 'reading the kept secret announces nothing');
  chmodSync(file, 0o644);
  assert.throws(() => resolveGateSecret('', file), /readable by others/);
});
