import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pricedLoop, replayAssembly, type Instruction } from '../../bench/replay-asm.js';

/** The body lines of a replay, between its loop label and its counter. */
function body(loop: readonly Instruction[]): string[] {
  const lines = replayAssembly(loop).assembly.split('\n');
  return lines.slice(lines.indexOf('1:') + 1, lines.indexOf('\tdec %rsi')).map((line) => line.trim());
}
const at = (mnemonic: string, operands: string): Instruction => ({ address: 0, mnemonic, operands });

describe('kernel-loop replay', () => {
  it('prices the named function\'s loop, a small loop inside it included', () => {
    const listing = [
      '0000000000000000 <other>:',
      '   0:\tvpaddd %zmm1,%zmm2,%zmm3',
      '   6:\tjne    0 <other>',
      '',
      '0000000000000010 <kernel>:',
      '  10:\tvpaddd %zmm1,%zmm2,%zmm3',
      '  16:\tvprord $0x7,%zmm3,%zmm4',
      '  1d:\tjne    16 <kernel+0x6>',
      '  1f:\tjmp    10 <kernel>',
      '  21:\tret',
    ].join('\n');
    assert.deepEqual(
      pricedLoop(listing, 'kernel').map(({ address, mnemonic }) => [address, mnemonic]),
      [[0x10, 'vpaddd'], [0x16, 'vprord'], [0x1d, 'jne'], [0x1f, 'jmp']],
    );
    assert.throws(() => pricedLoop(listing, 'missing'), /missing not found/);
  });

  it('of loop copies inside an outer loop, prices the one with the least work', () => {
    // An outer loop (0x00..0x3ff) around two copies of an inner loop, one 150 and one 120
    // instructions long, and a 20-instruction loop too small to count.
    const copy = (start: number, length: number): string[] => [
      ...Array.from({ length: length - 1 }, (_, i) => `  ${(start + i).toString(16)}:\tvpaddd %zmm1,%zmm2,%zmm3`),
      `  ${(start + length - 1).toString(16)}:\tjne    ${start.toString(16)} <kernel+0x${start.toString(16)}>`,
    ];
    const listing = [
      '0000000000000000 <kernel>:',
      '   0:\tvpxord %zmm1,%zmm2,%zmm3',
      ...copy(0x10, 150),
      ...copy(0x100, 120),
      ...copy(0x200, 20),
      '  3ff:\tjmp    0 <kernel>',
    ].join('\n');
    const loop = pricedLoop(listing, 'kernel');
    assert.equal(loop.length, 120);
    assert.equal(loop[0].address, 0x100);
  });

  it('writes each destination to the next sink and reads sources from registers never written', () => {
    const lines = body(Array.from({ length: 14 }, () => at('vpaddd', '%zmm20,%zmm21,%zmm22')));
    const sinks = lines.map((line) => /%zmm(\d+)$/.exec(line)![1]);
    assert.deepEqual(sinks, ['3', '4', '5', '6', '7', '8', '9', '10', '11', '12', '13', '14', '15', '3']);
    for (const line of lines) assert.match(line, /^vpaddd %zmm0,%zmm1,%zmm\d+$/);
  });

  it('keeps read-modify-write forms reading their own sink, and idioms idioms', () => {
    const lines = body([
      at('vpternlogq', '$0x96,%zmm5,%zmm6,%zmm7'),
      at('vpsubd', '%zmm1,%zmm2,%zmm2{%k3}'),
      at('vpxord', '%zmm9,%zmm9,%zmm9'),
      at('vpxord', '%zmm4,%zmm4,%zmm8'),
      at('vpxord', '%zmm4,%zmm8,%zmm8'),
      at('pxor', '%xmm6,%xmm6'),
      at('paddd', '%xmm1,%xmm2'),
      at('sha256rnds2', '%xmm0,%xmm4,%xmm9'),
      at('pshufd', '$0x1b,%xmm3,%xmm4'),
    ]);
    assert.deepEqual(lines, [
      'vpternlogq $0x96,%zmm0,%zmm1,%zmm3',
      'vpsubd %zmm0,%zmm4,%zmm4{%k1}',
      'vpxord %zmm0,%zmm0,%zmm5',
      'vpxord %zmm0,%zmm0,%zmm6',
      'vpxord %zmm0,%zmm1,%zmm7',
      'pxor %xmm8,%xmm8',
      'paddd %xmm0,%xmm9',
      'sha256rnds2 %xmm0,%xmm1,%xmm10',
      'pshufd $0x1b,%xmm0,%xmm11',
    ]);
  });

  it('writes assembly the system assembler takes, objdump spellings and decorations included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'powerplant-replay-test-'));
    try {
      const source = join(dir, 'replay.s');
      writeFileSync(
        source,
        replayAssembly([
          at('vpternlogq', '$0x96,%zmm5,%zmm6,%zmm7'),
          at('vpcmpnltud', '0x40(%rsp),%zmm1,%k1'),
          at('vpbroadcastd', '%eax,%zmm2{%k3}'),
          at('vpaddd', '0x0(%rip){1to16},%zmm1,%zmm2'),
          at('sha256rnds2', '%xmm0,0x10(%rsp,%rax,1),%xmm3'),
          at('vpblendvb', '%ymm1,%ymm2,%ymm3,%ymm4'),
          at('vpextrd', '$0x1,%xmm5,%ecx'),
        ]).assembly,
      );
      execFileSync('cc', ['-c', source, '-o', join(dir, 'replay.o')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('points memory into 64-byte slots, renames masks and scratch registers, and drops scalar code', () => {
    const loop = [
      at('vmovdqa64', '%zmm3,0x40(%rsp)'),
      at('vpaddq', '0x40(%rsp),%zmm1,%zmm2'),
      at('vpshufb', '0x0(%rip),%ymm1,%ymm2        # 35b <kernel+0x35b>'),
      at('vpcmpeqd', '%zmm1,%zmm2,%k0{%k1}'),
      at('kmovw', '%k0,%eax'),
      at('vpbroadcastd', '%r8d,%zmm4{%k2}'),
      at('add', '$0x1,%rax'),
      at('cmp', '%rax,%rdx'),
      at('jne', '0 <kernel>'),
    ];
    const replay = replayAssembly(loop);
    assert.deepEqual(body(loop), [
      'vmovdqa64 %zmm0,0(%rdi)',
      'vpaddq 0(%rdi),%zmm0,%zmm3',
      'vpshufb 64(%rdi),%ymm0,%ymm4',
      'vpcmpeqd %zmm0,%zmm1,%k0{%k1}',
      'kmovw %k1,%r10d',
      'vpbroadcastd %r11d,%zmm5{%k1}',
    ]);
    assert.deepEqual([replay.kept, replay.mask, replay.dropped], [6, 3, 3]);
    assert.match(replay.assembly, /kxnorw %k1, %k1, %k1/);
  });
});
