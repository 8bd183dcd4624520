import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { nativeKernelVariants } from '../../src/engine/native.js';
import { packagePath, packageRoot } from '../../src/paths.js';

type BuildScript = {
  configuredForCurrentSources(root: string): boolean;
  nativeSources(root: string): string[];
  failureReason(output: string, status: number | null): string;
};
const script = (await import(pathToFileURL(packagePath('scripts', 'build-native.mjs')).href)) as BuildScript;

/** A package tree with these C sources and, when given, node-gyp makefiles built from `configured`. */
function tree(sources: string[], configured?: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'powerplant-build-'));
  for (const source of sources) {
    mkdirSync(join(root, source, '..'), { recursive: true });
    writeFileSync(join(root, source), '');
  }
  if (configured !== undefined) {
    mkdirSync(join(root, 'build'));
    writeFileSync(join(root, 'build', 'Makefile'), '');
    const objects = configured.map((source) => `\t$(obj).target/$(TARGET)/${source.replace(/\.c$/, '.o')} \\`);
    writeFileSync(join(root, 'build', 'powerplant.target.mk'), `OBJS := \\\n${objects.join('\n')}\n\n`);
  }
  return root;
}

describe('build-native script', () => {
  const sources = ['native/src/addon.c', 'native/src/simd/blake2b_avx2.c', 'native/src/scalar/sha1.c'];

  it('lists the addon sources, nested folders included', () => {
    const root = tree([...sources, 'native/src/simd/avx2.h']);
    try {
      assert.deepEqual(script.nativeSources(root), [...sources].sort());
    } finally {
      rmSync(root, { recursive: true });
    }
  });

  it('runs make only while the makefiles know exactly the sources there are', () => {
    const cases: [string, string[], string[] | undefined, boolean][] = [
      ['never configured', sources, undefined, false],
      ['configured for these sources', sources, sources, true],
      ['a source added since', [...sources, 'native/src/simd/blake2b_avx512.c'], sources, false],
      ['a source removed since', sources.slice(1), sources, false],
    ];
    for (const [label, present, configured, expected] of cases) {
      const root = tree(present, configured);
      try {
        assert.equal(script.configuredForCurrentSources(root), expected, label);
      } finally {
        rmSync(root, { recursive: true });
      }
    }
  });

  const built = nativeKernelVariants() !== null || process.env.CI === 'true';
  it('finds this checkout configured for its own sources once npm install has built it', { skip: !built && 'native addon not built' }, () => {
    assert.equal(script.configuredForCurrentSources(packageRoot()), true);
  });

  it('sums up a failed build in one line: the compiler error first, else node-gyp\'s', () => {
    const compiler = [
      'gyp info spawn make',
      '  CC(target) Release/obj.target/powerplant/native/src/addon.c',
      "../native/src/addon.c:3:10: fatal error: node_api.h: No such file or directory",
      'gyp ERR! build error',
      'gyp ERR! stack Error: `make` failed with exit code: 2',
    ].join('\n');
    assert.equal(script.failureReason(compiler, 1), '../native/src/addon.c:3:10: fatal error: node_api.h: No such file or directory');
    const python = ['gyp info it worked if it ends with ok', 'gyp ERR! find Python', 'gyp ERR! stack Error: Could not find any Python installation to use'].join('\n');
    assert.equal(script.failureReason(python, 1), 'Could not find any Python installation to use');
    assert.equal(script.failureReason('', 7), 'node-gyp exited with status 7');
  });
});
