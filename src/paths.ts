/**
 * Where the package's own files are: the directory holding package.json, found by walking up
 * from this module (it runs from src/ under a loader, or from dist/src/ once compiled).
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

export function packageRoot(): string {
  if (root !== undefined) return root;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return (root = dir);
    if (dirname(dir) === dir) throw new Error('cannot find the powerplant package root');
  }
}

/** A path inside the package, e.g. packagePath('wasm', 'powerplant.wasm'). */
export const packagePath = (...parts: string[]): string => join(packageRoot(), ...parts);

/**
 * The directory the server keeps its files in: the configured one, else $XDG_STATE_HOME/powerplant
 * (when that is an absolute path, as the XDG spec asks), else ~/.local/state/powerplant.
 */
export function stateDirectory(configured: string, env: NodeJS.ProcessEnv = process.env): string {
  if (configured !== '') return resolve(configured);
  const xdg = env.XDG_STATE_HOME;
  return join(xdg !== undefined && isAbsolute(xdg) ? xdg : join(homedir(), '.local', 'state'), 'powerplant');
}

/** The version in package.json, for what the server reports about itself. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string }).version;
}
