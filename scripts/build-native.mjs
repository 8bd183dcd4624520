// Builds the native addon with node-gyp during `npm install`. A failed build is not fatal:
// Powerplant falls back to its WebAssembly kernels and says so at run time.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

if (process.env.POWERPLANT_SKIP_NATIVE === '1') {
  console.warn('powerplant: POWERPLANT_SKIP_NATIVE=1, not building the native addon');
  process.exit(0);
}

// An already configured build is brought up to date by make, which rebuilds only what changed
// (npm runs this script again whenever it reinstalls the checkout, e.g. for `npx powerplant`).
const args = existsSync(join('build', 'Makefile')) ? ['build'] : ['rebuild'];
// Build against the headers of the Node that runs us when they are installed beside it, so the
// build needs no download (machines without network access to Node's header tarballs).
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}
const result = spawnSync('node-gyp', args, { stdio: 'inherit', shell: process.platform === 'win32' });
if (result.status !== 0) {
  console.warn('powerplant: the native addon did not build; the WebAssembly kernels will be used');
}
