import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventHash } from 'nostr-tools/pure';
import { getPow } from 'nostr-tools/nip13';
import { eventId, idDifficulty, nostr, parseEvent, verifyEvent, type NostrJob } from '../../src/schemes/nostr.js';
import { createInlineEngine } from '../../src/engine/inline.js';
import { referenceBackend } from '../../src/engine/reference.js';
import { InputError } from '../../src/schemes/bits.js';
import { NIP13_EXAMPLE, NOSTRIL_EXAMPLE } from '../helpers/vectors.js';

test('NIP-13 example: id and 21 bits, committed target 20', () => {
  const event = parseEvent(NIP13_EXAMPLE);
  assert.equal(eventId(event), NIP13_EXAMPLE.id);
  const verdict = verifyEvent(NIP13_EXAMPLE);
  assert.deepEqual(verdict, { valid: true, pow: 21 });
  assert.equal(verifyEvent(NIP13_EXAMPLE, 22).valid, false);
});

test('nostril vector: content with a newline, nonce tag without target', () => {
  const id = eventId(NOSTRIL_EXAMPLE);
  assert.equal(id, '00000000000c1271675dc86e3e1dd1336827bccabb90dc4c9d3b4465efefe00e');
  assert.equal(idDifficulty(id), 44);
});

test('third vector: 26 bits', () => {
  const event = {
    pubkey: '489ac583fc30cfbee0095dd736ec46468faa8b187e311fda6269c4e18284ed0c',
    kind: 1,
    created_at: 1680947398,
    content: 'Hello, world!',
    tags: [['nonce', '2963377', '25']],
  };
  assert.equal(eventId(event), '0000003af010369da0aaacb0180401fd6d88f5dd0510ebbdfe0da754ecc08e31');
  assert.equal(verifyEvent(event).pow, 26);
});

test('bit counts of known ids', () => {
  const cases: [string, number][] = [
    ['00003479309ecdb46b1c04ce129d2709378518588bed6776e60474ebde3159ae', 18],
    ['01a76167d41add96be4959d9e618b7a35f26551d62c43c11e5e64094c6b53c83', 7],
    ['ac4f44bae06a45ebe88cfbd3c66358750159650a26c0d79e8ccaa92457fca4f6', 0],
    ['0000000000000000006cfbd3c66358750159650a26c0d79e8ccaa92457fca4f6', 73],
    ['0'.repeat(64), 256],
  ];
  for (const [id, bits] of cases) {
    assert.equal(idDifficulty(id), bits, id);
    assert.equal(getPow(id), bits, `nostr-tools agrees on ${id}`);
  }
});

test('reference search mines an event that nostr-tools accepts', async () => {
  const engine = createInlineEngine(referenceBackend);
  const job: NostrJob = {
    event: {
      pubkey: 'a48380f4cfcc1ad5378294fcac36439770f9c878dd880ffa94bb74ea54a6f243',
      created_at: 1700000000,
      kind: 1,
      tags: [['t', 'pow'], ['nonce', 'old', '99']],
      content: 'quote " backslash \\ newline \n tab \t unicode é 🙂',
    },
    difficulty: 10,
  };
  const found = await engine.search(nostr.task(job));
  const solution = nostr.solution(job, found.nonce);
  assert.equal(nostr.verify(job, solution).valid, true);
  assert.equal(getEventHash(solution.event), solution.event.id);
  assert.ok(getPow(solution.event.id) >= 10);
  const nonceTags = solution.event.tags.filter((tag) => tag[0] === 'nonce');
  assert.equal(nonceTags.length, 1, 'the old nonce tag is replaced, not kept');
  assert.equal(nonceTags[0]![2], '10');
  assert.deepEqual(solution.event.tags[0], ['t', 'pow']);
});

test('verify refuses an event that was changed after mining', async () => {
  const job: NostrJob = {
    event: { pubkey: 'a'.repeat(64), created_at: 1, kind: 1, tags: [], content: 'x' },
    difficulty: 4,
  };
  const found = await createInlineEngine(referenceBackend).search(nostr.task(job));
  const solution = nostr.solution(job, found.nonce);
  const tampered = { ...solution, event: { ...solution.event, content: 'y' } };
  assert.equal(nostr.verify(job, tampered).valid, false);
  const lying = { ...solution, pow: solution.pow + 1 };
  assert.equal(nostr.verify(job, lying).valid, false);
  // A solution from elsewhere (a worker, the shared cache) must carry the id it claims, and the right one.
  const { id: _id, ...withoutId } = solution.event;
  assert.deepEqual(nostr.verify(job, { ...solution, event: withoutId as typeof solution.event }), { valid: false, reason: 'event.id is missing' });
});

test('bad events get specific messages', () => {
  const good = { pubkey: 'a'.repeat(64), created_at: 1, kind: 1, tags: [], content: '' };
  const cases: [unknown, RegExp][] = [
    ['nope', /event must be a JSON object/],
    [{ ...good, pubkey: 'xyz' }, /pubkey must be 64 lowercase hex characters/],
    [{ ...good, created_at: 'soon' }, /created_at must be a number/],
    [{ ...good, created_at: 2 ** 53 }, /created_at is too large/],
    [{ ...good, created_at: 1e300 }, /created_at is too large/],
    [{ ...good, created_at: 1.5 }, /created_at must be an integer/],
    [{ ...good, kind: 1.5 }, /kind must be an integer/],
    [{ ...good, tags: [[1]] }, /tags must be an array of arrays of strings/],
    [{ ...good, content: undefined }, /content must be a string/],
  ];
  for (const [raw, message] of cases) {
    assert.throws(() => parseEvent(raw), (error: unknown) => error instanceof InputError && message.test(error.message));
  }
});
