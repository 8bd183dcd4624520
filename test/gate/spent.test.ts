import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemorySpentStore, SpentStoreFullError } from '../../src/gate/spent.js';

test('a mark is set once, refused while alive, and settable again after it expires', async () => {
  let now = 1000;
  const store = new MemorySpentStore(10, () => now);
  assert.equal(await store.markSpent('a', 100), true);
  assert.equal(await store.markSpent('a', 100), false);
  now += 99;
  assert.equal(await store.markSpent('a', 100), false);
  now += 1;
  assert.equal(await store.markSpent('a', 100), true);
});

test('concurrent marks of one id: exactly one wins', async () => {
  const store = new MemorySpentStore();
  const results = await Promise.all(Array.from({ length: 50 }, () => store.markSpent('same', 1000)));
  assert.equal(results.filter(Boolean).length, 1);
});

test('a full store drops expired marks but never evicts a live one', async () => {
  let now = 0;
  const store = new MemorySpentStore(3, () => now);
  await store.markSpent('short', 10);
  await store.markSpent('long1', 1000);
  await store.markSpent('long2', 1000);
  await assert.rejects(store.markSpent('new', 1000), SpentStoreFullError);
  now = 10;
  assert.equal(await store.markSpent('new', 1000), true);
  await assert.rejects(store.markSpent('another', 1000), SpentStoreFullError);
  assert.equal(await store.markSpent('long1', 1000), false, 'live marks survive the refused writes');
  assert.equal(store.size, 3);
});

test('expired marks at the old end are swept by later writes', async () => {
  let now = 0;
  const store = new MemorySpentStore(100, () => now);
  for (let i = 0; i < 8; i++) await store.markSpent(`old${i}`, 5);
  now = 10;
  await store.markSpent('x', 100);
  await store.markSpent('y', 100);
  assert.equal(store.size, 2);
});
