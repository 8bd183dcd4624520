// Builds the native addon with node-gyp during `npm install`, and says in one line whether it
// built or why not (the compiler's output goes to build/native-build.log). A failed build is not
// fatal: Powerplant falls back to its WebAssembly kernels.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
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

const LOG = join('build', 'native-build.log');

/**
 * Why a node-gyp run failed, in one line: the first compiler or make error, else node-gyp's own
 * error, else its exit status.
 */
export function failureReason(output, status) {
  const lines = output.split('\n').map((line) => line.trim());
  const compiler = lines.find((line) => !line.startsWith('gyp') && /\berror\b|No such file|not found/i.test(line));
  const gyp = lines.find((line) => line.startsWith('gyp ERR! stack Error:')) ?? lines.find((line) => line.startsWith('gyp ERR!'));
  return (compiler ?? gyp?.replace(/^gyp ERR! (stack )?(Error: )?/, '') ?? `node-gyp exited with status ${status}`).slice(0, 200);
}

/** node-gyp as npm runs it (npm_config_node_gyp), else the copy bundled with npm, else from PATH. */
function nodeGyp() {
  const bundled = join(dirname(dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  const script = process.env.npm_config_node_gyp || (existsSync(bundled) ? bundled : undefined);
  return script === undefined ? ['node-gyp', []] : [process.execPath, [script]];
}

function build() {
  if (process.env.POWERPLANT_SKIP_NATIVE === '1') {
    console.warn('powerplant: POWERPLANT_SKIP_NATIVE=1, not building the native addon; the WebAssembly kernels will be used');
    return;
  }
  // npm runs this script again whenever it reinstalls the checkout (e.g. for `npx powerplant`),
  // so an up-to-date build costs next to nothing.
  const root = dirname(dirname(fileURLToPath(import.meta.url)));
  // One compiler per core: the text kernels' files take most of a minute each.
  const args = [...(configuredForCurrentSources(root) ? ['build'] : ['rebuild']), '--jobs', 'max'];
  // Build against the headers of the Node that runs us when they are installed beside it, so the
  // build needs no download (machines without network access to Node's header tarballs).
  const prefix = dirname(dirname(process.execPath));
  if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
    args.push(`--nodedir=${prefix}`);
  }
  console.warn(`powerplant: building the native addon (log: ${LOG})`);
  const [command, prefixArgs] = nodeGyp();
  const result = spawnSync(command, [...prefixArgs, ...args], { cwd: root, encoding: 'utf8', shell: process.platform === 'win32', maxBuffer: 64 * 1024 * 1024 });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? `${result.error.message}\n` : ''}`;
  mkdirSync(join(root, 'build'), { recursive: true });
  writeFileSync(join(root, LOG), output);
  if (result.status === 0) {
    console.warn('powerplant: native addon built (build/Release/powerplant.node)');
  } else {
    const reason = result.error?.code === 'ENOENT' ? 'node-gyp is not installed' : failureReason(output, result.status);
    console.warn(`powerplant: native addon build failed, falling back to the WebAssembly kernels: ${reason} (see ${LOG})`);
  }
}

// Run as a script (not imported by the tests); import.meta.url has its links resolved, so argv too.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) build();
