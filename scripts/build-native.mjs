// Builds the native addon with node-gyp during `npm install`. A failed build is not fatal:
// Powerplant falls back to its WebAssembly kernels and says so at run time.
import { spawnSync } from 'node:child_process';

if (process.env.POWERPLANT_SKIP_NATIVE === '1') {
  console.warn('powerplant: POWERPLANT_SKIP_NATIVE=1, not building the native addon');
  process.exit(0);
}
const result = spawnSync('node-gyp', ['rebuild'], { stdio: 'inherit', shell: process.platform === 'win32' });
if (result.status !== 0) {
  console.warn('powerplant: the native addon did not build; the WebAssembly kernels will be used');
}
