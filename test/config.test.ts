import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../src/config.js';

const dir = mkdtempSync(join(tmpdir(), 'powerplant-config-'));
function tomlFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const refuses = (message: string) => (error: unknown) => error instanceof ConfigError && error.message === message;

describe('config', () => {
  it('has the seed defaults from config/default.toml', () => {
    const config = loadConfig();
    assert.equal(config.server.host, '127.0.0.1');
    assert.equal(config.server.port, 8080);
    assert.equal(config.server.max_connections, 100);
    assert.equal(config.pow.default_difficulty, 10);
    assert.equal(config.pow.max_difficulty, 100);
    assert.deepEqual(config.nano.upstreams, []);
    assert.equal(config.nano.default_difficulty, 'fffffff800000000');
    assert.equal(config.metanoia.port, 7040);
    assert.equal(config.log.level, 'info');
  });

  it('gives the same values from the built-in defaults alone', () => {
    const { pow: builtInPow, ...builtIn } = loadConfig({ defaultsFile: null });
    const { pow: filePow, ...fromFile } = loadConfig();
    assert.deepEqual(builtIn, fromFile, 'config/default.toml and the schema defaults agree');
    assert.deepEqual({ ...builtInPow, threads: 0 }, { ...filePow, threads: 0 });
  });

  it('layers flags over env over the config file over the defaults', () => {
    const file = tomlFile('layers.toml', '[server]\nhost = "0.0.0.0"\nport = 9000\nmax_connections = 7\n');
    const fromFile = loadConfig({ file });
    assert.deepEqual([fromFile.server.host, fromFile.server.port, fromFile.server.max_connections], ['0.0.0.0', 9000, 7]);
    const fromEnv = loadConfig({ file, env: { HOST: '10.0.0.1', PORT: '9001' } });
    assert.deepEqual([fromEnv.server.host, fromEnv.server.port, fromEnv.server.max_connections], ['10.0.0.1', 9001, 7]);
    const fromFlags = loadConfig({ file, env: { HOST: '10.0.0.1', PORT: '9001' }, flags: { port: '9002' } });
    assert.deepEqual([fromFlags.server.host, fromFlags.server.port], ['10.0.0.1', 9002]);
  });

  it('reads upstreams from URLS separated by semicolons', () => {
    const config = loadConfig({ env: { URLS: 'http://a.example/ ; https://b.example/rpc;;' } });
    assert.deepEqual(config.nano.upstreams, ['http://a.example/', 'https://b.example/rpc']);
  });

  it('maps every serve flag to its key', () => {
    const config = loadConfig({
      flags: {
        host: '::1',
        port: '0',
        metanoiaPort: '0',
        stratumPort: '3334',
        gatePort: 0,
        shareDifficulty: '0.5',
        blockBits: '207fffff',
        threads: '1',
        engine: 'js',
        redis: 'redis://127.0.0.1:6379',
        logLevel: 'silent',
        nice: true,
        gpu: '0,2',
      },
    });
    assert.equal(config.server.host, '::1');
    assert.equal(config.server.port, 0);
    assert.equal(config.metanoia.port, 0);
    assert.equal(config.stratum.port, 3334);
    assert.equal(config.gate.tcp_port, 0);
    assert.equal(config.stratum.share_difficulty, 0.5);
    assert.equal(config.stratum.block_bits, '207fffff');
    assert.equal(config.pow.threads, 1);
    assert.equal(config.pow.backend, 'js');
    assert.equal(config.pow.nice, true);
    assert.equal(config.pow.gpu, '0,2');
    assert.equal(config.cluster.redis, 'redis://127.0.0.1:6379');
    assert.equal(config.log.level, 'silent');
  });

  it('names the key of an invalid value', () => {
    assert.throws(() => loadConfig({ flags: { port: '70000' } }), refuses('config: server.port must be an integer between 0 and 65535'));
    assert.throws(() => loadConfig({ env: { PORT: 'http' } }), refuses('config: server.port must be an integer between 0 and 65535'));
    assert.throws(() => loadConfig({ flags: { engine: 'gpu' } }), refuses('config: pow.backend must be one of auto, native, wasm, js'));
    const gpuChoices = 'must be "auto", "off" or OpenCL device numbers such as "0,2" (0 to 15)';
    assert.throws(() => loadConfig({ flags: { gpu: 'yes' } }), refuses(`config: pow.gpu ${gpuChoices}`));
    assert.throws(() => loadConfig({ env: { POWERPLANT_POW_GPU: '1,1' } }), refuses(`config: pow.gpu ${gpuChoices}`));
    assert.throws(() => loadConfig({ file: tomlFile('gpu.toml', '[pow]\ngpu = 0\n') }), refuses(`config: pow.gpu ${gpuChoices}`));
    assert.throws(() => loadConfig({ env: { URLS: 'ftp://x' } }), refuses('config: nano.upstreams.0 must be an http:// or https:// URL'));
    assert.throws(
      () => loadConfig({ file: tomlFile('difficulty.toml', '[nano]\ndefault_difficulty = "fff"\n') }),
      refuses('config: nano.default_difficulty must be 16 hex characters'),
    );
    assert.throws(
      () => loadConfig({ file: tomlFile('order.toml', '[pow]\ndefault_difficulty = 30\nmax_difficulty = 20\n') }),
      refuses('config: pow.default_difficulty must not be above pow.max_difficulty'),
    );
  });

  it('refuses unknown keys and sections', () => {
    assert.throws(() => loadConfig({ file: tomlFile('key.toml', '[server]\nprot = 1\n') }), refuses('config: unknown key server.prot'));
    assert.throws(() => loadConfig({ file: tomlFile('section.toml', '[sever]\nport = 1\n') }), refuses('config: unknown key sever'));
    assert.throws(() => loadConfig({ file: tomlFile('table.toml', 'server = 3\n') }), refuses('config: server must be a table'));
  });

  it('reports unreadable and unparsable files', () => {
    assert.throws(() => loadConfig({ file: join(dir, 'missing.toml') }), (error: unknown) => error instanceof ConfigError && /^config: cannot read .*missing\.toml/.test(error.message));
    assert.throws(() => loadConfig({ file: tomlFile('broken.toml', '[server\n') }), (error: unknown) => error instanceof ConfigError && /^config: cannot parse .*broken\.toml/.test(error.message));
  });

  it('freezes the result', () => {
    const config = loadConfig();
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.server) && Object.isFrozen(config.nano.upstreams));
    assert.throws(() => {
      (config.server as { port: number }).port = 1;
    }, TypeError);
  });
});
