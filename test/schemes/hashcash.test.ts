import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStamp, hashcash, newJob, parseStamp, stampDate, stampValue } from '../../src/schemes/hashcash.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { InputError } from '../../src/schemes/bits.js';

test('minted v1 stamps verify, and their hash reaches the bits', async () => {
  const engine = createInlineEngine(referenceBackend);
  for (const algorithm of ['sha1', 'sha256'] as const) {
    const job = newJob('alice@example.org', 10, algorithm, new Date('2026-11-21T00:00:00Z'));
    const { nonce } = await engine.search(hashcash.task(job));
    const { stamp } = hashcash.solution(job, nonce);
    assert.match(stamp, /^1:10:261121:alice@example\.org::[A-Za-z0-9+/]{16}:\d+$/);
    assert.ok(stampValue(stamp, algorithm) >= 10);
    assert.equal(hashcash.verify(job, { stamp }).valid, true);
    const check = checkStamp(stamp, { resource: 'alice@example.org', bits: 10, algorithm });
    assert.equal(check.valid, true);
  }
});

test('checks refuse a wrong resource, too few claimed bits and an unreached claim', () => {
  // A 0-bit claim always holds: every hash has at least 0 leading zero bits.
  const stamp = '1:0:261121:bob::c2FsdA==:1';
  assert.equal(checkStamp(stamp).valid, true);
  assert.match(String((checkStamp(stamp, { resource: 'carol' }) as { reason: string }).reason), /resource 'bob', not 'carol'/);
  assert.match(String((checkStamp(stamp, { bits: 20 }) as { reason: string }).reason), /claims 0 bits, 20 required/);
  let counter = 0;
  while (stampValue(`1:40:261121:bob::c2FsdA==:${counter}`) >= 40) counter++;
  const bogus = checkStamp(`1:40:261121:bob::c2FsdA==:${counter}`);
  assert.equal(bogus.valid, false);
  assert.match((bogus as { reason: string }).reason, /it claims 40/);
});

test("resources compare without case, as stock hashcash does (hashcash -m lower-cases them)", () => {
  // What `hashcash -mq -b 0 Bob@Example.org` writes; `hashcash -c -r Bob@Example.org` accepts it.
  const stock = '1:0:261121:bob@example.org::c2FsdA==:1';
  assert.equal(checkStamp(stock, { resource: 'Bob@Example.org' }).valid, true);
  assert.equal(checkStamp('1:0:261121:Bob@Example.org::c2FsdA==:1', { resource: 'bob@example.org' }).valid, true);
});

test('malformed stamps are refused with specific messages', () => {
  const cases: [string, RegExp][] = [
    ['1:20:261121:bob', /7 ':'-separated fields, got 4/],
    ['0:20:261121:bob::rand:1', /version must be 1/],
    ['1:x:261121:bob::rand:1', /bits must be a decimal number/],
    ['1:20:2611:bob::rand:1', /date must be YYMMDD/],
    ['1:20:261121:::rand:1', /resource is empty/],
    ['1:20:261121:bob::r!nd:1', /rand must be base64/],
  ];
  for (const [stamp, message] of cases) {
    assert.throws(() => parseStamp(stamp), (e: unknown) => e instanceof InputError && message.test(e.message), stamp);
  }
});

test('dates are YYMMDD in UTC', () => {
  assert.equal(stampDate(new Date('2026-01-02T23:59:59Z')), '260102');
});
