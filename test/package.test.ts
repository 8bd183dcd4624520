/**
 * The package as a user gets it: `npm pack`, installed into an empty project, then the command
 * line through npx and a typed import of the library, checked by tsc.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { packageRoot } from '../src/paths.js';

const root = packageRoot();
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string }; version: string };

test('every locked package runs on the oldest Node we declare (no EBADENGINE on install)', () => {
  const oldest = semver.minVersion(manifest.engines.node)!.version;
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string } }> };
  for (const [path, entry] of Object.entries(lock.packages)) {
    const wanted = entry.engines?.node;
    if (wanted !== undefined && path !== '') assert.ok(semver.satisfies(oldest, wanted), `${path} needs node ${wanted}, we declare ${manifest.engines.node}`);
  }
});

test('npm pack holds what a user needs; installed, npx powerplant solves and the library imports with types', { timeout: 240_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'powerplant-pack-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const npm = (args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
    execFileSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });

  // The build is already in dist/ (npm test compiles first): pack without running prepare again.
  const [packed] = JSON.parse(npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], root)) as [
    { filename: string; files: { path: string }[] },
  ];
  const files = packed.files.map((file) => file.path);
  for (const needed of ['LICENSE', 'README.md', 'package.json', 'dist/src/cli.js', 'dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/gate/middleware.d.ts',
    'config/default.toml', 'wasm/powerplant.wasm', 'web/widget.js', 'binding.gyp', 'native/src/addon.c', 'scripts/build-native.mjs', 'deploy/powerplant.service']) {
    assert.ok(files.includes(needed), `the tarball lacks ${needed}`);
  }
  const unwanted = files.filter((path) => /^dist\/test\/|^test\/|\.map$|tsbuildinfo|^\.ci\/|^build\//.test(path));
  assert.deepEqual(unwanted, []);

  const project = join(dir, 'project');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'uses-powerplant', private: true, type: 'module' }));
  // A missing compiler must not fail the install: one line says so, and the WebAssembly kernels run.
  const started = Date.now();
  const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--foreground-scripts', join(dir, packed.filename)], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, CC: '/nonexistent/cc', CXX: '/nonexistent/c++' },
  });
  assert.equal(install.status, 0, install.stderr);
  t.diagnostic(`npm install took ${Date.now() - started} ms`);
  const addonLines = `${install.stdout}${install.stderr}`.split('\n').filter((line) => /^powerplant: native addon/.test(line));
  assert.equal(addonLines.length, 1, install.stdout + install.stderr);
  // The reason is the compiler's (or, without Node's headers at hand, node-gyp's) first error.
  assert.match(addonLines[0]!, /^powerplant: native addon build failed, falling back to the WebAssembly kernels: .+ \(see build\/native-build\.log\)$/);

  const stamp = execFileSync('npx', ['--no-install', 'powerplant', 'solve', 'hashcash', '--resource', 'packed', '--bits', '12', '--threads', '1'], {
    cwd: project,
    encoding: 'utf8',
  }).trim();
  const verified = spawnSync('npx', ['--no-install', 'powerplant', 'verify', 'hashcash', '--resource', 'packed', '--bits', '12', '--stamp', stamp], { cwd: project, encoding: 'utf8' });
  assert.equal(verified.status, 0, verified.stdout + verified.stderr);
  assert.equal(execFileSync('npx', ['--no-install', 'powerplant', '--version'], { cwd: project, encoding: 'utf8' }).trim(), manifest.version);

  writeFileSync(
    join(project, 'use.ts'),
    `import { startServer, solve, verify, hashcash, loadConfig, type Config, type Verdict } from 'powerplant';
import { gateGuard, passChecker } from 'powerplant/gate';
import { newJob } from 'powerplant/schemes/hashcash';

const job = newJob('typed', 8);
const stamp: string = (await solve(hashcash, job, { threads: 1 })).stamp;
const verdict: Verdict = verify(hashcash, job, { stamp });
const config: Config = loadConfig({ flags: { port: 0 } });
const port: number = config.server.port;
export { startServer, gateGuard, passChecker, verdict, port };
`,
  );
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, types: ['node'], typeRoots: [join(root, 'node_modules', '@types')] },
      files: ['use.ts'],
    }),
  );
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], { encoding: 'utf8' });
  assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  // The typed import also runs.
  writeFileSync(
    join(project, 'run.mjs'),
    "import { solve, hashcash } from 'powerplant';\nimport { newJob } from 'powerplant/schemes/hashcash';\nconsole.log((await solve(hashcash, newJob('run', 8), { threads: 1 })).stamp);\n",
  );
  const run = spawnSync(process.execPath, ['run.mjs'], { cwd: project, encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^1:8:\d+:run::/);
});
