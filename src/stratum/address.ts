/**
 * Payout addresses as Bitcoin Core writes them, turned into the output script the coinbase pays:
 * base58check P2PKH / P2SH and bech32 (witness v0) / bech32m (v1+, BIP350) segwit addresses, for
 * mainnet, testnet / signet and regtest (`bcrt1…`, and testnet's `m…`/`n…`/`2…` base58 forms).
 * @module
 */
import { InputError } from '../schemes/bits.js';
import { sha256d } from '../schemes/bitcoin.js';

/** The address families: Core's `-chain` names that share address forms. */
export type AddressNetwork = 'main' | 'test' | 'regtest';

export interface PayoutAddress {
  readonly address: string;
  readonly script: Buffer;
  /** The chains whose nodes use this address form. */
  readonly networks: readonly AddressNetwork[];
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BECH32_CONST = 1;
const BECH32M_CONST = 0x2bc830a3;
const MAX_BECH32_LENGTH = 90;
const MAX_BASE58_LENGTH = 64;

const BASE58_VERSIONS: Record<number, { kind: 'p2pkh' | 'p2sh'; networks: AddressNetwork[] }> = {
  0: { kind: 'p2pkh', networks: ['main'] },
  5: { kind: 'p2sh', networks: ['main'] },
  111: { kind: 'p2pkh', networks: ['test', 'regtest'] },
  196: { kind: 'p2sh', networks: ['test', 'regtest'] },
};
const BECH32_PREFIXES: Record<string, AddressNetwork> = { bc: 'main', tb: 'test', bcrt: 'regtest' };

/** The address family of a node's `getblockchaininfo.chain` (Core: main, test, testnet4, signet, regtest; bcoin: testnet). */
export function networkOfChain(chain: string): AddressNetwork | undefined {
  if (chain === 'main') return 'main';
  if (chain === 'regtest') return 'regtest';
  if (['test', 'testnet', 'testnet4', 'signet'].includes(chain)) return 'test';
  return undefined;
}

function base58Decode(text: string): Buffer {
  let value = 0n;
  for (const char of text) {
    const digit = BASE58.indexOf(char);
    if (digit < 0) throw new InputError(`payout address: "${char}" is not a base58 character`);
    value = value * 58n + BigInt(digit);
  }
  const hex = value === 0n ? '' : value.toString(16);
  const body = Buffer.from(hex.length % 2 === 0 ? hex : '0' + hex, 'hex');
  const zeros = text.length - text.replace(/^1+/, '').length;
  return Buffer.concat([Buffer.alloc(zeros), body]);
}

function decodeBase58(address: string): PayoutAddress {
  const raw = base58Decode(address);
  if (raw.length !== 25) throw new InputError('payout address: a base58 address holds 25 bytes');
  const payload = raw.subarray(0, 21);
  if (!sha256d(payload).subarray(0, 4).equals(raw.subarray(21))) throw new InputError('payout address: bad base58 checksum');
  const version = BASE58_VERSIONS[payload[0]];
  if (version === undefined) throw new InputError(`payout address: unknown base58 version ${payload[0]}`);
  const hash = payload.subarray(1);
  const script =
    version.kind === 'p2pkh'
      ? Buffer.concat([Buffer.from('76a914', 'hex'), hash, Buffer.from('88ac', 'hex')])
      : Buffer.concat([Buffer.from('a914', 'hex'), hash, Buffer.from('87', 'hex')]);
  return { address, script, networks: version.networks };
}

function polymod(values: readonly number[]): number {
  const generators = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let check = 1;
  for (const value of values) {
    const top = check >>> 25;
    check = (((check & 0x1ffffff) << 5) ^ value) >>> 0;
    for (let i = 0; i < 5; i++) if ((top >>> i) & 1) check = (check ^ generators[i]) >>> 0;
  }
  return check;
}

const expandPrefix = (prefix: string): number[] => [
  ...[...prefix].map((char) => char.charCodeAt(0) >>> 5),
  0,
  ...[...prefix].map((char) => char.charCodeAt(0) & 31),
];

/** Regroup bits (5-bit groups to bytes), refusing padding that is not zero or too long. */
function fromFiveBits(groups: readonly number[]): Buffer {
  let accumulator = 0;
  let bits = 0;
  const bytes: number[] = [];
  for (const group of groups) {
    accumulator = (accumulator << 5) | group;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((accumulator >>> bits) & 0xff);
    }
  }
  if (bits >= 5 || ((accumulator << (8 - bits)) & 0xff) !== 0) throw new InputError('payout address: bad bech32 padding');
  return Buffer.from(bytes);
}

function decodeBech32(address: string): PayoutAddress {
  if (address.length > MAX_BECH32_LENGTH) throw new InputError('payout address: too long');
  if (address !== address.toLowerCase() && address !== address.toUpperCase()) throw new InputError('payout address: mixed case');
  const text = address.toLowerCase();
  const separator = text.lastIndexOf('1');
  const prefix = text.slice(0, separator);
  const network = BECH32_PREFIXES[prefix];
  if (network === undefined) throw new InputError(`payout address: unknown prefix "${prefix}"`);
  const data = [...text.slice(separator + 1)].map((char) => BECH32.indexOf(char));
  if (data.length < 7 || data.some((value) => value < 0)) throw new InputError('payout address: bad bech32 characters');
  const check = polymod([...expandPrefix(prefix), ...data]);
  const [version, ...groups] = data.slice(0, -6);
  if (version > 16) throw new InputError('payout address: witness version above 16');
  const expected = version === 0 ? BECH32_CONST : BECH32M_CONST;
  if (check !== expected) throw new InputError(`payout address: bad ${version === 0 ? 'bech32' : 'bech32m'} checksum`);
  const program = fromFiveBits(groups);
  if (program.length < 2 || program.length > 40) throw new InputError('payout address: a witness program holds 2 to 40 bytes');
  if (version === 0 && program.length !== 20 && program.length !== 32) throw new InputError('payout address: a v0 witness program holds 20 or 32 bytes');
  const script = Buffer.concat([Buffer.from([version === 0 ? 0x00 : 0x50 + version, program.length]), program]);
  return { address, script, networks: [network] };
}

/** Parse a payout address; throws InputError saying what is wrong with it. */
export function parsePayoutAddress(address: string): PayoutAddress {
  const trimmed = address.trim();
  if (trimmed === '') throw new InputError('payout address: empty');
  if (/^(bc|tb|bcrt)1/i.test(trimmed)) return decodeBech32(trimmed);
  if (trimmed.length > MAX_BASE58_LENGTH) throw new InputError('payout address: too long');
  return decodeBase58(trimmed);
}
