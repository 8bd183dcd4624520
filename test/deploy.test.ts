import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../src/paths.js';
import { requireTool } from './helpers/cli.js';

const unit = readFileSync(packagePath('deploy', 'powerplant.service'), 'utf8');
const analyzer = spawnSync('systemd-analyze', ['--version']).error === undefined;

test('the systemd unit is hardened and keeps its state in the state directory', () => {
  for (const setting of ['DynamicUser=yes', 'StateDirectory=powerplant', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes', 'CapabilityBoundingSet=']) {
    assert.match(unit, new RegExp(`^${setting}$`, 'm'), setting);
  }
  assert.match(unit, /^Environment=POWERPLANT_SERVER_STATE_DIR=%S\/powerplant$/m);
  assert.match(unit, /^RestartPreventExitStatus=2$/m, 'a bad configuration is not restarted in a loop');
});

test('systemd-analyze verify accepts the unit without a warning', { skip: requireTool(analyzer, 'systemd-analyze') }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'powerplant-unit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // The unit names Debian's /usr/bin/node; verify checks that the program exists, so point it at this Node.
  const file = join(dir, 'powerplant.service');
  writeFileSync(file, unit.replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `));
  const result = spawnSync('systemd-analyze', ['verify', file], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr.trim(), '', 'no unknown keys or other warnings');
});
