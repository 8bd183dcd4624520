import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../../src/schemes/bits.js';
import { networkOfChain, parsePayoutAddress } from '../../src/stratum/address.js';
import { bcoinOrSkip } from '../helpers/bcoin.js';
import { generator } from '../helpers/random.js';

test('BIP173 and BIP350 vectors give their output scripts', () => {
  const vectors: [string, string, string][] = [
    ['BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4', '0014751e76e8199196d454941c45d1b3a323f1433bd6', 'main'],
    ['tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7', '00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262', 'test'],
    [
      'bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7kt5nd6y',
      '5128751e76e8199196d454941c45d1b3a323f1433bd6751e76e8199196d454941c45d1b3a323f1433bd6',
      'main',
    ],
    ['bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0', '512079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798', 'main'],
    // Core's regtest form of the first vector's program.
    ['bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', '0014751e76e8199196d454941c45d1b3a323f1433bd6', 'regtest'],
  ];
  for (const [address, script, network] of vectors) {
    const parsed = parsePayoutAddress(address);
    assert.equal(parsed.script.toString('hex'), script, address);
    assert.deepEqual(parsed.networks, [network]);
  }
});

test('bad addresses are refused with what is wrong', () => {
  const refused: [string, RegExp][] = [
    ['', /empty/],
    ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5', /bad bech32 checksum/],
    // BIP350: a v1 program with a bech32 (not bech32m) checksum, and v0 with bech32m.
    ['bc1pw508d6qejxtdg4y5r3zarvary0c5xw7kw508d6qejxtdg4y5r3zarvary0c5xw7k7grplx', /bad bech32m checksum/],
    ['bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh', /bad bech32 checksum/],
    ['bc1Qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', /mixed case/],
    ['rb1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', /base58|checksum|version/],
    ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3', /bad base58 checksum/],
    ['1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN0', /not a base58 character/],
  ];
  for (const [address, reason] of refused) assert.throws(() => parsePayoutAddress(address), (error: unknown) => error instanceof InputError && reason.test(error.message), address);
});

test('base58 and bech32 addresses match bcoin for mainnet and testnet; testnet base58 also serves regtest', (t) => {
  const bcoin = bcoinOrSkip(t);
  if (bcoin === undefined) return;
  const random = generator(18);
  for (let i = 0; i < 20; i++) {
    const hash = Buffer.from(random.bytes(20));
    const program32 = Buffer.from(random.bytes(32));
    for (const [bcoinNetwork, ours] of [
      ['main', 'main'],
      ['testnet', 'test'],
    ] as const) {
      for (const address of [
        bcoin.Address.fromPubkeyhash(hash),
        bcoin.Address.fromScripthash(hash),
        bcoin.Address.fromWitnessPubkeyhash(hash),
        bcoin.Address.fromWitnessScripthash(program32),
      ]) {
        const text = address.toString(bcoinNetwork) as string;
        const parsed = parsePayoutAddress(text);
        assert.deepEqual(parsed.script, Buffer.from(bcoin.Script.fromAddress(address).toRaw()), text);
        assert.ok(parsed.networks.includes(ours), text);
        if (ours === 'test' && !text.startsWith('tb1')) assert.ok(parsed.networks.includes('regtest'), `${text} is Core's regtest form too`);
      }
    }
  }
});

test('node chain names map to address families', () => {
  assert.equal(networkOfChain('main'), 'main');
  for (const chain of ['test', 'testnet', 'testnet4', 'signet']) assert.equal(networkOfChain(chain), 'test');
  assert.equal(networkOfChain('regtest'), 'regtest');
  assert.equal(networkOfChain('simnet'), undefined);
});
