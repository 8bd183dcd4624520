import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PowerplantError } from '../../src/errors.js';
import { TOKEN_LENGTH, TokenCodec } from '../../src/gate/token.js';

const NOW = 1_790_000_000_000;
const ID = '0123456789abcdef0123456789abcdef';
const codec = new TokenCodec(Buffer.from('a test secret of enough length'), 'test');
const refusedWith = (code: string) => (error: unknown) => error instanceof PowerplantError && error.code === code;

test('a token carries its expiry and challenge id and checks out until it expires', () => {
  const pass = codec.issue(ID, 300, NOW, 18);
  assert.equal(pass.token.length, TOKEN_LENGTH);
  assert.equal(pass.bits, 18);
  assert.equal(pass.expires, NOW / 1000 + 300);
  assert.deepEqual(codec.check(pass.token, NOW + 299_999), pass);
  assert.throws(() => codec.check(pass.token, NOW + 300_000), refusedWith('PP_ERR_EXPIRED'));
});

test('tampered, foreign and malformed tokens are refused', () => {
  const { token } = codec.issue(ID, 300, NOW);
  for (let i = 2; i < token.length; i++) {
    const flipped = token.slice(0, i) + (token[i] === 'a' ? 'b' : 'a') + token.slice(i + 1);
    assert.throws(() => codec.check(flipped, NOW), refusedWith('PP_ERR_FORGED'), `position ${i}`);
  }
  assert.throws(() => new TokenCodec(Buffer.from('a test secret of enough length'), 'other').check(token, NOW), refusedWith('PP_ERR_WRONG_PURPOSE'));
  for (const bad of [undefined, 5, '', 'Bearer x', token.slice(0, -1), token.toUpperCase()]) {
    assert.throws(() => codec.check(bad, NOW), refusedWith('PP_ERR_INVALID'));
  }
});
