import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, type ConfigFlags } from '../../src/config.js';
import { GatePolicy, policyPath } from '../../src/gate/policy.js';

const dir = mkdtempSync(join(tmpdir(), 'gate-policy-'));
let files = 0;
function configWith(toml: string, flags: ConfigFlags = {}) {
  const file = join(dir, `policy-${++files}.toml`);
  writeFileSync(file, toml);
  return loadConfig({ file, flags });
}

const facts = (path: string, extra: Partial<{ method: string; userAgent: string; ip: string }> = {}) => ({
  path: policyPath(path),
  method: 'GET',
  userAgent: 'Mozilla/5.0',
  ip: '198.51.100.7',
  ...extra,
});

test('rules from the config: first match wins, every condition given must hold, no match is a challenge', () => {
  const config = configWith(`
[[gate.http.rules]]
action = "allow"
path = "/.well-known/"
[[gate.http.rules]]
action = "deny"
user_agent = "bad.?bot"
[[gate.http.rules]]
action = "challenge"
path = "/login"
methods = ["post"]
bits = 20
[[gate.http.rules]]
action = "allow"
networks = ["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"]
`);
  const policy = new GatePolicy(config.gate.http.rules);
  assert.deepEqual(policy.verdict(facts('/.well-known/acme-challenge/x', { userAgent: 'BadBot' })), { action: 'allow' });
  assert.deepEqual(policy.verdict(facts('/', { userAgent: 'a BAD-BOT here' })), { action: 'deny' });
  assert.deepEqual(policy.verdict(facts('/login', { method: 'POST' })), { action: 'challenge', bits: 20 });
  assert.deepEqual(policy.verdict(facts('/login')), { action: 'challenge', bits: 0 }, 'GET /login matches no rule');
  assert.deepEqual(policy.verdict(facts('/x', { ip: '10.200.1.1' })), { action: 'allow' });
  assert.deepEqual(policy.verdict(facts('/x', { ip: '::ffff:10.0.0.9' })), { action: 'allow' }, 'IPv4-mapped addresses count as IPv4');
  assert.deepEqual(policy.verdict(facts('/x', { ip: '2001:db8:ffff::1' })), { action: 'allow' });
  assert.deepEqual(policy.verdict(facts('/x', { ip: '192.0.2.1' })), { action: 'allow' });
  assert.deepEqual(policy.verdict(facts('/x', { ip: '192.0.2.2' })), { action: 'challenge', bits: 0 });
  assert.deepEqual(policy.verdict(facts('/.well-known/..%2Flogin', { method: 'POST' })), { action: 'challenge', bits: 20 }, 'an escaped way out of an allowed prefix');
});

test('the path rules see: dot segments, escapes and backslashes resolved', () => {
  assert.equal(policyPath('/robots.txt?x=1#y'), '/robots.txt');
  assert.equal(policyPath('/.well-known/%2e%2e/admin'), '/admin');
  assert.equal(policyPath('/.well-known%2F..%2Fadmin'), '/admin');
  assert.equal(policyPath('/a\\..\\b'), '/b');
  assert.equal(policyPath('/%41BC'), '/ABC');
  assert.equal(policyPath('/bad%zzescape'), '/bad%zzescape');
});

test('bad rules and trust_proxy entries are refused by key; gate.http flags keep the file\'s rules', () => {
  const refused = (toml: string, message: string) => assert.throws(() => configWith(toml), (e: unknown) => e instanceof ConfigError && e.message === message);
  refused('[[gate.http.rules]]\naction = "maybe"\n', 'config: gate.http.rules.0.action must be allow, deny or challenge');
  refused('[[gate.http.rules]]\naction = "allow"\npath = "admin"\n', 'config: gate.http.rules.0.path must start with /');
  refused('[[gate.http.rules]]\naction = "deny"\nuser_agent = "("\n', 'config: gate.http.rules.0.user_agent must be a valid regular expression');
  refused('[[gate.http.rules]]\naction = "allow"\nnetworks = ["10.0.0.0/33"]\n', 'config: gate.http.rules.0.networks.0 must be an IP address or CIDR network');
  refused('[[gate.http.rules]]\naction = "allow"\ncolour = "red"\n', 'config: unknown key gate.http.rules.0.colour');
  refused('[[gate.http.rules]]\naction = "allow"\nbits = 20\n', 'config: gate.http.rules.0.bits is only for challenge rules');
  refused('[server]\ntrust_proxy = ["proxy.example"]\n', 'config: server.trust_proxy.0 must be an IP address or CIDR network');
  refused('[gate.http]\nupstream = "ftp://x"\n', 'config: gate.http.upstream must be empty or an http:// or https:// URL');

  const config = configWith('[server]\ntrust_proxy = ["10.1.0.0/16", "::1"]\n[gate.http]\nhost = "site.internal"\n[[gate.http.rules]]\naction = "allow"\npath = "/ok"\n', {
    gateUpstream: 'http://127.0.0.1:3000',
    gateHttpPort: '9000',
  });
  assert.deepEqual(config.server.trust_proxy, ['10.1.0.0/16', '::1']);
  assert.equal(config.gate.http.upstream, 'http://127.0.0.1:3000');
  assert.equal(config.gate.http.port, 9000);
  assert.equal(config.gate.http.host, 'site.internal');
  assert.equal(config.gate.http.rules.length, 1);
  assert.equal(loadConfig().gate.http.upstream, '', 'no proxy unless an upstream is given');
});
