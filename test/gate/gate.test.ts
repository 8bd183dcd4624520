import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Gate } from '../../src/gate/gate.js';
import { PowerplantError } from '../../src/errors.js';
import { MemorySpentStore } from '../../src/gate/spent.js';
import { stampValue } from '../../src/schemes/hashcash.js';
import { mintStamp, weakStamp } from './stamps.js';

const SECRET = Buffer.from('a test secret of enough length');
const BITS = 10;

function testGate(now = () => Date.now(), extra: Partial<ConstructorParameters<typeof Gate>[0]> = {}): Gate {
  return new Gate({ secret: SECRET, purpose: 'test', bitsMin: BITS, bitsMax: BITS + 4, challengeTtlS: 120, tokenTtlS: 300, now, ...extra });
}

const refusedWith = (code: string, message?: RegExp) => (error: unknown) =>
  error instanceof PowerplantError && error.code === code && (message === undefined || message.test(error.message));

test('a SHA-1 stamp for the challenge passes once; the same stamp again is refused', async () => {
  const gate = testGate();
  const challenge = await gate.issue('10.0.0.1', 'sha1');
  assert.equal(challenge.bits, BITS);
  const stamp = mintStamp(challenge.text, BITS);
  assert.deepEqual(await gate.verify(challenge.text, stamp), challenge);
  await assert.rejects(gate.verify(challenge.text, stamp), refusedWith('PP_ERR_SPENT', /already used/));
  const other = mintStamp(challenge.text, BITS, { rand: 'b3RoZXI=' });
  await assert.rejects(gate.verify(challenge.text, other), refusedWith('PP_ERR_SPENT'), 'a different stamp for a spent challenge');
});

test('the same stamp submitted many times at once succeeds exactly once', async () => {
  const gate = testGate();
  const challenge = await gate.issue('10.0.0.1', 'sha256');
  const stamp = mintStamp(challenge.text, BITS, { algorithm: 'sha256' });
  const results = await Promise.allSettled(Array.from({ length: 20 }, () => gate.verify(challenge.text, stamp)));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'rejected') assert.ok(refusedWith('PP_ERR_SPENT')(r.reason));
});

test('an expired challenge is refused even with a good stamp', async () => {
  let now = 1_790_000_000_000;
  const gate = testGate(() => now);
  const challenge = await gate.issue('10.0.0.1', 'sha1');
  const stamp = mintStamp(challenge.text, BITS);
  now += 120_000;
  await assert.rejects(gate.verify(challenge.text, stamp), refusedWith('PP_ERR_EXPIRED'));
});

test('a stamp for another challenge is refused', async () => {
  const gate = testGate();
  const mine = await gate.issue('10.0.0.1', 'sha1');
  const theirs = await gate.issue('10.0.0.1', 'sha1');
  await assert.rejects(gate.verify(mine.text, mintStamp(theirs.text, BITS)), refusedWith('PP_ERR_WRONG_CHALLENGE'));
  const upper = mintStamp(mine.text.toUpperCase(), BITS);
  await assert.rejects(gate.verify(mine.text, upper), refusedWith('PP_ERR_WRONG_CHALLENGE'), 'the resource must match exactly');
});

test('a tampered challenge is refused even when the stamp is made for the tampered text', async () => {
  const gate = testGate();
  const { text } = await gate.issue('10.0.0.1', 'sha1');
  const easier = text.slice(0, 12) + '00' + text.slice(14);
  await assert.rejects(gate.verify(easier, mintStamp(easier, 0)), refusedWith('PP_ERR_FORGED'));
});

test('wrong bits: claiming fewer bits, or claiming enough with a hash that does not reach them', async () => {
  const gate = testGate();
  const challenge = await gate.issue('10.0.0.1', 'sha1');
  const underclaim = mintStamp(challenge.text, BITS, { claim: BITS - 1 });
  await assert.rejects(gate.verify(challenge.text, underclaim), refusedWith('PP_ERR_INSUFFICIENT', /claims 9 bits/));
  const weak = weakStamp(challenge.text, BITS);
  await assert.rejects(gate.verify(challenge.text, weak), refusedWith('PP_ERR_INSUFFICIENT', /leading zero bits/));
  // A high claim changes nothing either way: the recomputed hash decides.
  const overclaim = mintStamp(challenge.text, BITS, { claim: 40 });
  await gate.verify(challenge.text, overclaim);
});

test('a hash that is only right under the algorithm the client picked is refused', async () => {
  const gate = testGate();
  const challenge = await gate.issue('10.0.0.1', 'sha1');
  const sha256Stamp = mintStamp(challenge.text, BITS, { algorithm: 'sha256' });
  assert.ok(stampValue(sha256Stamp, 'sha1') < BITS, 'precondition: the SHA-1 hash of this stamp is weak');
  await assert.rejects(gate.verify(challenge.text, sha256Stamp), refusedWith('PP_ERR_INSUFFICIENT'));
});

test('malformed stamps are refused with a specific message and never throw anything else', async () => {
  const gate = testGate();
  const challenge = await gate.issue('10.0.0.1', 'sha1');
  const cases: unknown[] = ['', 'garbage', `1:10:261121:${challenge.text}::a`, `1:10:261121:${challenge.text}:::`, 42, null, 'x'.repeat(5000)];
  for (const stamp of cases) await assert.rejects(gate.verify(challenge.text, stamp), refusedWith('PP_ERR_INVALID'), String(stamp));
  await assert.rejects(gate.verify(12, 'stamp'), refusedWith('PP_ERR_INVALID'));
});

test('a full spent store refuses verification instead of evicting marks', async () => {
  const gate = testGate(undefined, { spent: new MemorySpentStore(1) });
  const first = await gate.issue('10.0.0.1', 'sha1');
  const second = await gate.issue('10.0.0.1', 'sha1');
  await gate.verify(first.text, mintStamp(first.text, BITS));
  await assert.rejects(gate.verify(second.text, mintStamp(second.text, BITS)), refusedWith('PP_ERR_BUSY'));
  await assert.rejects(gate.verify(first.text, mintStamp(first.text, BITS)), refusedWith('PP_ERR_SPENT'));
});

test('bits rise with a source rate; past the limit a source gets no challenge', async () => {
  const gate = testGate(undefined, { policy: { sourceFree: 2, sourceLimit: 8, globalFree: 1000 } });
  const bits: number[] = [];
  for (let i = 0; i < 8; i++) bits.push((await gate.issue('10.0.0.9', 'sha1')).bits);
  assert.deepEqual(bits, [10, 10, 10, 11, 11, 11, 11, 12]);
  await assert.rejects(gate.issue('10.0.0.9', 'sha1'), refusedWith('PP_ERR_RATE_LIMITED'));
  assert.equal((await gate.issue('10.0.0.10', 'sha1')).bits, 10, 'another source is unaffected');
});

test('a pass token checks out for this gate only', async () => {
  const gate = testGate();
  const challenge = await gate.issue('10.0.0.1', 'sha1');
  const pass = gate.passFor(await gate.verify(challenge.text, mintStamp(challenge.text, BITS)));
  assert.deepEqual(gate.checkPass(pass.token), pass);
  assert.throws(() => testGate(undefined, { purpose: 'other' }).checkPass(pass.token), refusedWith('PP_ERR_WRONG_PURPOSE'));
  assert.throws(() => gate.checkPass(challenge.text), refusedWith('PP_ERR_INVALID'), 'a challenge is not a token');
});

test('unverified requests write no spent marks, so they cannot crowd out or evict real ones', async () => {
  const spent = new MemorySpentStore(2);
  const gate = testGate(undefined, { spent });
  const redeemed = await gate.issue('10.0.0.1', 'sha1');
  const stamp = mintStamp(redeemed.text, BITS);
  await gate.verify(redeemed.text, stamp);
  for (let i = 0; i < 50; i++) {
    const fresh = await gate.issue(`10.0.1.${i}`, 'sha1');
    await assert.rejects(gate.verify(fresh.text, weakStamp(fresh.text, BITS)));
    await assert.rejects(gate.verify(fresh.text, mintStamp(redeemed.text, BITS)));
  }
  assert.equal(spent.size, 1);
  await assert.rejects(gate.verify(redeemed.text, stamp), refusedWith('PP_ERR_SPENT'));
});
