/**
 * Where the package's own files are: the directory holding package.json, found by walking up
 * from this module (it runs from src/ under a loader, or from dist/src/ once compiled).
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
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
