import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config.js';
import { configFromEnv, configLeaves, describeEnv, envName } from '../src/config-env.js';
import { InputError } from '../src/schemes/bits.js';

const defaults = loadConfig({ defaultsFile: null });
const load = (env: Record<string, string>) => loadConfig({ env });

test('every config key can be set as POWERPLANT_<SECTION>_<KEY>', () => {
  const config = load({
    POWERPLANT_SERVER_PORT: '9090',
    POWERPLANT_GATE_BITS_MIN: '12',
    POWERPLANT_STRATUM_SHARE_DIFFICULTY: '0.5',
    POWERPLANT_NANO_UPSTREAMS: 'http://a.example:7076, http://b.example:7076;http://c.example:7076',
    POWERPLANT_LOG_LEVEL: 'warn',
    POWERPLANT_SERVER_STATE_DIR: '/var/lib/powerplant',
    POWERPLANT_DASHBOARD_ENABLED: 'false',
  });
  assert.equal(config.server.port, 9090);
  assert.equal(config.gate.bits_min, 12);
  assert.equal(config.stratum.share_difficulty, 0.5);
  assert.deepEqual(config.nano.upstreams, ['http://a.example:7076', 'http://b.example:7076', 'http://c.example:7076']);
  assert.equal(config.log.level, 'warn');
  assert.equal(config.server.state_dir, '/var/lib/powerplant');
  assert.equal(config.dashboard.enabled, false);
  assert.throws(() => load({ POWERPLANT_DASHBOARD_ENABLED: 'maybe' }), /dashboard\.enabled must be true or false/);
  // Each key of each section reaches its place, whatever its type.
  for (const [section, keys] of Object.entries(defaults)) {
    for (const [path, value] of configLeaves(keys as Record<string, unknown>)) {
      const text = Array.isArray(value) ? value.join(',') : String(value);
      const name = envName(section, path.join('_'));
      const layer = configFromEnv(defaults, { [name]: text });
      const placed = path.reduce<unknown>((table, key) => (table as Record<string, unknown> | undefined)?.[key], layer[section]);
      assert.deepEqual(placed, value, `${name}=${text}`);
    }
  }
});

test('keys of a table inside a section join their names; a list of tables comes as a JSON array', () => {
  const rules = [
    { action: 'allow', path: '/.well-known/' },
    { action: 'challenge', path: '/admin/', bits: 20 },
  ];
  const config = load({
    POWERPLANT_GATE_HTTP_UPSTREAM: 'http://127.0.0.1:3000',
    POWERPLANT_GATE_HTTP_PORT: '9042',
    POWERPLANT_GATE_HTTP_RULES: JSON.stringify(rules),
    POWERPLANT_SERVER_TRUST_PROXY: '["10.0.0.0/8", "192.0.2.1"]',
  });
  assert.equal(config.gate.http.upstream, 'http://127.0.0.1:3000');
  assert.equal(config.gate.http.port, 9042);
  assert.equal(config.gate.http.request_timeout_ms, defaults.gate.http.request_timeout_ms, 'the other keys of the table keep their values');
  assert.deepEqual(config.gate.http.rules, rules);
  assert.deepEqual(config.server.trust_proxy, ['10.0.0.0/8', '192.0.2.1']);
  assert.throws(() => load({ POWERPLANT_GATE_HTTP_RULES: '[{"action":' }), (error) => error instanceof InputError && /POWERPLANT_GATE_HTTP_RULES is not a JSON array/.test(error.message));
  assert.throws(() => load({ POWERPLANT_GATE_HTTP_RULES: '[{"action":"maybe"}]' }), /gate\.http\.rules\.0\.action must be allow, deny or challenge/);
  assert.throws(() => load({ POWERPLANT_GATE_HTTP: 'x' }), (error) => error instanceof InputError && /unknown environment variable POWERPLANT_GATE_HTTP /.test(error.message));
});

test('POWERPLANT_ names win over the short ones, flags over both; bad values name the key', () => {
  assert.equal(load({ PORT: '1000', POWERPLANT_SERVER_PORT: '2000' }).server.port, 2000);
  assert.equal(load({ PORT: '1000' }).server.port, 1000);
  assert.equal(loadConfig({ env: { POWERPLANT_SERVER_PORT: '2000' }, flags: { port: '3000' } }).server.port, 3000);
  assert.deepEqual(load({ URLS: 'http://a.example;http://b.example' }).nano.upstreams, ['http://a.example', 'http://b.example']);
  assert.throws(() => load({ POWERPLANT_SERVER_PORT: 'eighty' }), /server\.port must be an integer/);
  assert.equal(load({ POWERPLANT_POW_NICE: 'yes' }).pow.nice, true);
  assert.equal(load({ POWERPLANT_POW_NICE: '0' }).pow.nice, false);
  assert.throws(() => load({ POWERPLANT_POW_NICE: 'sometimes' }), /pow\.nice/);
});

test('a misspelt key is refused; POWERPLANT_ variables that are not config are left alone', () => {
  assert.throws(() => load({ POWERPLANT_SERVER_PROT: '1' }), (error) => error instanceof InputError && /POWERPLANT_SERVER_PROT/.test(error.message));
  assert.doesNotThrow(() => load({ POWERPLANT_NO_NATIVE: '1', POWERPLANT_KERNEL: 'scalar', POWERPLANT_SKIP_NATIVE: '1' }));
});

test('the help lists every variable', () => {
  const help = describeEnv(defaults);
  for (const [section, keys] of Object.entries(defaults)) {
    const entries = help.split(/\n(?=  \S)/);
    const entry = entries.find((text) => text.trim().startsWith(`${envName(section, '')}{`));
    assert.ok(entry !== undefined, section);
    const listed = entry.slice(entry.indexOf('{') + 1, entry.indexOf('}')).split(/,\s*/);
    assert.deepEqual(listed, configLeaves(keys as Record<string, unknown>).map(([path]) => path.join('_').toUpperCase()));
  }
});
