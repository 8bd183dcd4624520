// Builds the native addon with node-gyp during `npm install`. A failed build is not fatal:
// Powerplant falls back to its WebAssembly kernels and says so at run time.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The addon's C sources under `root`, as sorted paths relative to it. */
export function nativeSources(root) {
  const sourceDir = join(root, 'native', 'src');
  return readdirSync(sourceDir, { recursive: true })
    .map((file) => relative(root, join(sourceDir, String(file))))
    .filter((file) => file.endsWith('.c'))
    .sort();
}

/**
 * Whether node-gyp's makefiles under `root` were generated for exactly the sources there are now:
 * then make brings the build up to date, rebuilding only what changed. A source added or removed
 * since needs node-gyp to configure again.
 */
export function configuredForCurrentSources(root) {
  const targetMakefile = join(root, 'build', 'powerplant.target.mk');
  if (!existsSync(join(root, 'build', 'Makefile')) || !existsSync(targetMakefile)) return false;
  const objects = readFileSync(targetMakefile, 'utf8').match(/native\/src\/\S+\.o\b/g) ?? [];
  const configured = [...new Set(objects)].map((object) => object.replace(/\.o$/, '.c')).sort();
  return configured.join('\n') === nativeSources(root).join('\n');
}

function build() {
  if (process.env.POWERPLANT_SKIP_NATIVE === '1') {
    console.warn('powerplant: POWERPLANT_SKIP_NATIVE=1, not building the native addon');
    return;
  }
  // npm runs this script again whenever it reinstalls the checkout (e.g. for `npx powerplant`),
  // so an up-to-date build costs next to nothing.
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  const args = configuredForCurrentSources(root) ? ['build'] : ['rebuild'];
  // Build against the headers of the Node that runs us when they are installed beside it, so the
  // build needs no download (machines without network access to Node's header tarballs).
  const prefix = dirname(dirname(process.execPath));
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
    args.push(`--nodedir=${prefix}`);
  }
  const result = spawnSync('node-gyp', args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    console.warn('powerplant: the native addon did not build; the WebAssembly kernels will be used');
  }
}

// Run as a script (not imported by the tests); import.meta.url has its links resolved, so argv too.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) build();
