// Makes `npx powerplant` in this checkout run the compiled CLI at once. npm links the bins of
// dependencies into node_modules/.bin but not the project's own, and without that link `npx`
// would install the checkout into its cache first (rebuilding the native addon on the way).
import { chmodSync, existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';

const cli = 'dist/src/cli.js';
if (existsSync(cli)) {
  chmodSync(cli, 0o755);
  mkdirSync('node_modules/.bin', { recursive: true });
  rmSync('node_modules/.bin/powerplant', { force: true });
  symlinkSync(`../../${cli}`, 'node_modules/.bin/powerplant');
}
