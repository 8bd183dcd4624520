import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getEventHash } from 'nostr-tools/pure';
import { getPow } from 'nostr-tools/nip13';
import { validateWork } from 'nanocurrency';
import { requireTool, runCli } from './helpers/cli.js';
import { GENESIS_HEADER, NIP13_EXAMPLE } from './helpers/vectors.js';

const dir = mkdtempSync(join(tmpdir(), 'powerplant-cli-'));
const file = (name: string, content: string): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const hashcashMissing = requireTool(spawnSync('hashcash', ['-V']).error === undefined, 'hashcash');

const NIP13_JSON = JSON.stringify(NIP13_EXAMPLE);
const ROOT = '718CC2121C3E641059BC1C2CFC45666C99E8AE922F7A807B7D07B62C995D79E2';
const SEED_HASH = 'vSJ95SFzpQ7NVIk/cd5SUR9isX+s8s5mcKJIn4G3Owqk7/yBuTX2KPxTg8RpkO1yJJ0bz7/8/5KMU5BEcjxehw==';
const GENESIS = GENESIS_HEADER;

test('solve nostr from stdin: nostr-tools recomputes the id and the pow', async () => {
  const event = { pubkey: 'a'.repeat(64), created_at: 1700000000, kind: 1, tags: [['p', 'b'.repeat(64)]], content: 'mined by the CLI' };
  const result = await runCli(['solve', 'nostr', '--event', '-', '--difficulty', '14', '--json'], { input: JSON.stringify(event) });
  assert.equal(result.code, 0, result.stderr);
  const mined = JSON.parse(result.stdout) as { id: string; pubkey: string; kind: number; content: string; tags: string[][]; created_at: number };
  assert.equal(getEventHash(mined), mined.id);
  assert.ok(getPow(mined.id) >= 14);
  assert.equal(mined.created_at, 1700000000);
  assert.deepEqual(mined.tags.at(-1)?.[2], '14');
  const verified = await runCli(['verify', 'nostr', '--event', file('mined.json', result.stdout), '--difficulty', '14']);
  assert.equal(verified.code, 0, verified.stdout);
});

test('solve nostr --update-created-at moves created_at to now', async () => {
  const event = { pubkey: 'a'.repeat(64), created_at: 1, kind: 1, tags: [], content: '' };
  const before = Math.floor(Date.now() / 1000);
  const result = await runCli(['solve', 'nostr', '--event', file('old.json', JSON.stringify(event)), '--difficulty', '4', '--update-created-at', '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.ok((JSON.parse(result.stdout) as { created_at: number }).created_at >= before);
});

test('verify nostr: the NIP-13 example passes its committed target and fails 22 bits', async () => {
  const path = file('nip13.json', NIP13_JSON);
  const ok = await runCli(['verify', 'nostr', '--event', path]);
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /valid \(pow 21\)/);
  const harder = await runCli(['verify', 'nostr', '--event', path, '--difficulty', '22']);
  assert.equal(harder.code, 1);
  assert.match(harder.stdout, /id has 21 leading zero bits, 22 required/);
  const tampered = await runCli(['verify', 'nostr', '--event', file('bad-id.json', NIP13_JSON.replace('my own', 'your own'))]);
  assert.equal(tampered.code, 1);
  assert.match(tampered.stdout, /id does not match the event/);
});

test('solve nano: work that nanocurrency validates, in the node shapes', async () => {
  const result = await runCli(['solve', 'nano', '--hash', ROOT, '--difficulty', 'fff0000000000000', '--json']);
  assert.equal(result.code, 0, result.stderr);
  const answer = JSON.parse(result.stdout) as Record<string, string>;
  assert.deepEqual(Object.keys(answer).sort(), ['difficulty', 'hash', 'multiplier', 'work']);
  assert.equal(answer.hash, ROOT);
  assert.match(answer.work!, /^[0-9a-f]{16}$/);
  assert.ok(validateWork({ blockHash: ROOT, work: answer.work!, threshold: 'fff0000000000000' }));
  assert.ok(BigInt('0x' + answer.difficulty) >= 0xfff0000000000000n);
});

test('verify nano: the reference vectors, send and receive thresholds', async () => {
  assert.equal((await runCli(['verify', 'nano', '--hash', ROOT, '--work', '2b3d689bbcb21dca'])).code, 0);
  const receiveOnly = await runCli(['verify', 'nano', '--hash', ROOT, '--work', '2bf29ef00786a6bc', '--json']);
  assert.equal(receiveOnly.code, 1);
  assert.equal((JSON.parse(receiveOnly.stdout) as { difficulty: string }).difficulty, 'ffffffd21c3933f4');
  assert.equal((await runCli(['verify', 'nano', '--hash', ROOT, '--work', '2bf29ef00786a6bc', '--difficulty', 'fffffe0000000000'])).code, 0);
  const banano = ['verify', 'nano', '--hash', 'E2D8BD730E1512568378EC61A2367431F8AC35E66C46508CD0F9F3BCD94DE29B', '--work', '0000000000000000'];
  assert.equal((await runCli([...banano, '--difficulty', 'fffffe0000000000'])).code, 0);
});

test('solve bitmessage: the seed vector, first nonce from the bottom of the range', async () => {
  const result = await runCli(['solve', 'bitmessage', '--initial-hash', SEED_HASH, '--target', '3979158916983', '--threads', '1', '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout), { nonce: '1302572', trialValue: '799892720325' });
});

test('verify bitmessage: right and wrong nonces', async () => {
  const args = ['verify', 'bitmessage', '--initial-hash', SEED_HASH, '--target', '3979158916983'];
  const ok = await runCli([...args, '--nonce', '1302572']);
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /trialValue 799892720325/);
  assert.equal((await runCli([...args, '--nonce', '1302571'])).code, 1);
});

test('solve bitcoin with an easy target, then verify it', async () => {
  const target = '0000ffff' + 'f'.repeat(56);
  const result = await runCli(['solve', 'bitcoin', '--header', GENESIS, '--target', target, '--json']);
  assert.equal(result.code, 0, result.stderr);
  const solution = JSON.parse(result.stdout) as { header: string; hash: string; nonce: number };
  assert.match(solution.hash, /^0000/);
  assert.equal(solution.header.slice(0, 152), GENESIS.slice(0, 152));
  assert.equal((await runCli(['verify', 'bitcoin', '--header', solution.header, '--target', target])).code, 0);
});

test('verify bitcoin: the reference headers pass their nBits; a changed one fails', async () => {
  const ok = await runCli(['verify', 'bitcoin', '--header', GENESIS]);
  assert.equal(ok.code, 0);
  assert.match(ok.stdout, /000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f/);
  const block100k =
    '0100000050120119172a610421a6c3011dd330d9df07b63616c2cc1f1cd00200000000006657a9252aacd5c0b2940996ecff952228c3067cc38d4885efb5a4ac4247e9f337221b4d4c86041b0f2b5710';
  assert.equal((await runCli(['verify', 'bitcoin', '--header', block100k])).code, 0);
  assert.equal((await runCli(['verify', 'bitcoin', '--header', GENESIS.replace(/7c$/, '7d')])).code, 1);
});

test('hashcash: our stamps pass `hashcash -c`, and stock stamps pass ours', { skip: hashcashMissing }, async () => {
  const minted = await runCli(['solve', 'hashcash', '--resource', 'alice@example.org', '--bits', '14']);
  assert.equal(minted.code, 0, minted.stderr);
  const stamp = minted.stdout.trim();
  const database = join(dir, 'spent.db');
  const theirCheck = spawnSync('hashcash', ['-c', '-d', '-f', database, '-b', '14', '-r', 'alice@example.org', stamp]);
  assert.equal(theirCheck.status, 0, theirCheck.stderr.toString());

  const stock = spawnSync('hashcash', ['-mq', '-b', '14', 'bob@example.org']).stdout.toString().trim();
  const ours = await runCli(['verify', 'hashcash', '--stamp', stock, '--resource', 'bob@example.org', '--bits', '14']);
  assert.equal(ours.code, 0, ours.stdout);
  const wrongResource = await runCli(['verify', 'hashcash', '--stamp', stock, '--resource', 'carol@example.org']);
  assert.equal(wrongResource.code, 1);
  const tooFew = await runCli(['verify', 'hashcash', '--stamp', stock, '--bits', '20']);
  assert.equal(tooFew.code, 1);
  assert.match(tooFew.stdout, /claims 14 bits, 20 required/);
});

test('bad input: a clear message on stderr and exit 2, no stack trace', async () => {
  const cases: [string[], RegExp, string?][] = [
    [['solve', 'nano', '--hash', 'abc'], /hash must be 64 hex characters/],
    [['solve', 'nano', '--hash', ROOT, '--difficulty', 'xyz'], /difficulty must be 16 hex characters/],
    [['solve', 'nano', '--hash', ROOT, '--multiplier', '-1'], /multiplier must be a positive decimal number/],
    [['solve', 'nano', '--hash', ROOT, '--receive', '--difficulty', 'fff0000000000000'], /at most one of/],
    [['verify', 'nano', '--hash', ROOT, '--work', '123'], /--work must be 16 hex characters|work must be 16 hex characters/],
    [['solve', 'nostr', '--event', '-', '--difficulty', '300'], /difficulty must be between 0 and 256/, JSON.stringify({ pubkey: 'a'.repeat(64), created_at: 1, kind: 1, tags: [], content: '' })],
    [['solve', 'nostr', '--event', '-', '--difficulty', '8'], /event is not valid JSON/, '{"pubkey":'],
    [['solve', 'nostr', '--event', '-', '--difficulty', '8'], /event\.content must be a string/, JSON.stringify({ pubkey: 'a'.repeat(64), created_at: 1, kind: 1, tags: [] })],
    [['solve', 'nostr', '--event', '-', '--difficulty', '8'], /pubkey must be 64 lowercase hex characters/, JSON.stringify({ pubkey: 'zz', created_at: 1, kind: 1, tags: [], content: '' })],
    [['solve', 'nostr', '--event', join(dir, 'missing.json'), '--difficulty', '8'], /cannot read event file/],
    [['solve', 'bitmessage', '--initial-hash', 'abcd', '--target', '5'], /--initial-hash must be 64 bytes/],
    [['solve', 'bitmessage', '--initial-hash', SEED_HASH, '--target', '0'], /--target must be between 1 and/],
    [['solve', 'bitcoin', '--header', GENESIS.slice(2)], /--header must be 160 hex characters/],
    [['solve', 'bitcoin', '--header', GENESIS, '--target', '12'], /--target must be 64 hex characters/],
    [['solve', 'hashcash', '--resource', 'a:b', '--bits', '8'], /--resource must not contain ':'/],
    [['solve', 'hashcash', '--resource', 'a', '--bits', '161'], /--bits must be between 0 and 160/],
    [['verify', 'hashcash', '--stamp', '1:20:bad'], /stamp must have 7 ':'-separated fields/],
    [['solve', 'nano'], /required option '--hash <hex>' not specified/],
    [['solve', 'nano', '--hash', ROOT, '--threads', '0'], /--threads must be an integer between 1 and 256/],
    [['solve', 'nano', '--hash', ROOT, '--gpu', 'all'], /--gpu has "all": it must be "auto", "off" or OpenCL device numbers/],
    [['solve', 'nano', '--hash', ROOT, '--gpu', '15'], /no OpenCL device 15/],
    [['bench', '--gpu', '0,0'], /--gpu names a device twice/],
    [['serve', '--gpu', 'maybe'], /config: pow\.gpu must be "auto", "off" or OpenCL device numbers/],
  ];
  for (const [args, message, input] of cases) {
    const result = await runCli(args, { input });
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('every command has --help', async () => {
  for (const args of [[], ['solve'], ['solve', 'nostr'], ['solve', 'nano'], ['verify', 'hashcash']]) {
    const result = await runCli([...args, '--help']);
    assert.equal(result.code, 0, args.join(' '));
    assert.match(result.stdout, /Usage: powerplant/);
  }
});
