import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveGateSecret } from '../../src/gate/secret.js';
import { InputError } from '../../src/schemes/bits.js';

test('a configured secret is used as is; a short one is refused', () => {
  assert.deepEqual(resolveGateSecret('sixteen chars ok'), Buffer.from('sixteen chars ok'));
  assert.throws(() => resolveGateSecret('short'), InputError);
});

test('without a configured secret one is generated once, kept with mode 0600, and reused', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gate-secret-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'nested', 'gate-secret');
  const first = resolveGateSecret('', file);
  assert.equal(first.length, 32);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.match(readFileSync(file, 'utf8'), /^[0-9a-f]{64}\n$/);
  assert.deepEqual(resolveGateSecret('', file), first);
  chmodSync(file, 0o644);
  assert.throws(() => resolveGateSecret('', file), /readable by others/);
});
