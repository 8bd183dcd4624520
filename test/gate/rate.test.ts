import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adaptiveBits, MemoryRateCounter, OVERFLOW_KEY } from '../../src/gate/rate.js';
import { sourceKey } from '../../src/net/connections.js';

const policy = { bitsMin: 16, bitsMax: 24, sourceFree: 10, sourceLimit: 600, globalFree: 1000 };

test('bits rise by one per doubling of a source rate and of the global rate, within the bounds', () => {
  assert.equal(adaptiveBits(policy, 1, 1), 16);
  assert.equal(adaptiveBits(policy, 10, 1000), 16);
  assert.equal(adaptiveBits(policy, 20, 1000), 17);
  assert.equal(adaptiveBits(policy, 39, 1000), 17);
  assert.equal(adaptiveBits(policy, 40, 1000), 18);
  assert.equal(adaptiveBits(policy, 10, 4000), 18);
  assert.equal(adaptiveBits(policy, 80, 4000), 21);
  assert.equal(adaptiveBits(policy, 1e9, 1e9), 24);
});

test('the counter counts per key and slides: the previous window fades out', async () => {
  let now = 0;
  const counter = new MemoryRateCounter(1000, 100, () => now);
  for (let i = 0; i < 9; i++) await counter.hit('a');
  assert.equal(await counter.hit('a'), 10);
  assert.equal(await counter.hit('b'), 1);
  now = 1500; // half of the previous window still overlaps
  assert.equal(await counter.hit('a'), 1 + 10 * 0.5);
  now = 5000;
  assert.equal(await counter.hit('a'), 1);
});

test('new keys past the key limit share one bucket, so their rate only goes up', async () => {
  const counter = new MemoryRateCounter(60_000, 2, () => 0);
  await counter.hit('a');
  await counter.hit('b');
  assert.equal(await counter.hit('c'), 1);
  assert.equal(await counter.hit('d'), 2);
  assert.equal(await counter.hit(OVERFLOW_KEY), 3);
  assert.equal(await counter.hit('a'), 2);
});

test('sources are counted by IPv4 address and by IPv6 /64', () => {
  assert.equal(sourceKey('203.0.113.7'), '203.0.113.7');
  assert.equal(sourceKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(sourceKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(sourceKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(sourceKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(sourceKey('::1'), '0:0:0:0::/64');
  assert.equal(sourceKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  // NAT64's well-known prefix: each IPv4 host behind the translator is its own source.
  assert.equal(sourceKey('64:ff9b::cb00:7107'), '203.0.113.7');
  assert.equal(sourceKey('64:ff9b::203.0.113.8'), '203.0.113.8');
  assert.equal(sourceKey('64:ff9b:1::cb00:7107'), '64:ff9b:1:0::/64', 'a local-use NAT64 prefix is an ordinary /64');
  assert.equal(sourceKey('::ffff:203.0.113.7'), sourceKey('64:ff9b::cb00:7107'));
});
