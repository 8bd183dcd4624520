/**
 * The loop of a kernel that runs, read from an `objdump -d --no-show-raw-insn` listing, and its
 * replay: the loop's vector instructions with their data dependencies removed, as an assembly
 * function for bench/replay.c to time. bench/ceilings.ts prices each kernel against its replay.
 *
 * The replay keeps every vector and mask-register instruction of the loop in order: the same
 * mnemonic, the same operand kinds (register, immediate, memory) and the same widths. Only the
 * registers and addresses change:
 * - each written vector register is the next of 13 "sinks" (registers 3-15, round robin), so a
 *   chain through an instruction that reads its own destination (vpternlog, merge masking, the
 *   two-operand SSE and SHA forms) takes one step per 13 writes: 6.5 per cycle at 2 cycles'
 *   latency, above any vector pipe count. Registers 16-31 would need EVEX, which SSE, SHA and some
 *   VEX forms lack, so AVX2, SSE and AVX-512 code all get the same 13;
 * - every other vector source is one of registers 0-2, never written (distinct registers of one
 *   instruction stay distinct, so zeroing idioms stay idioms and non-idioms do not become ones;
 *   sha256rnds2's implicit %xmm0 stays %xmm0); a source that is the destination of a
 *   read-modify-write form is its sink;
 * - mask registers written are k0 and k2-k7 in turn, mask registers read (sources, write masks)
 *   are k1, set to all ones and never written;
 * - general-purpose operands of vector instructions (vmovd, vpbroadcastd, kmovw, vpextrd) read
 *   %r11 (zero) and write %r10, at the original width;
 * - each distinct address is a 64-byte slot of the buffer %rdi points to (64 slots, then they
 *   wrap), so loads stay loads and stores stay stores, all in L1.
 * Scalar instructions (address arithmetic, compares, branches, calls) are dropped: they run on
 * the integer pipes, which the vector loops leave idle. The loop-closing branch becomes the
 * replay's own counter (%rsi passes).
 */

/** One instruction of a listing. */
export interface Instruction {
  readonly address: number;
  readonly mnemonic: string;
  readonly operands: string;
}

/** Loops of fewer instructions than this (a lane loop over tied hashes, say) do not count as nested. */
const NESTED_MIN = 100;

/**
 * The loop of one function in an objdump listing that prices its kernel. A loop is a backward
 * branch and what it jumps over; a leaf loop holds no other loop of NESTED_MIN instructions or
 * more (a smaller loop inside one is part of it, not a candidate). The priced loop is the smallest
 * leaf loop of at least half the instructions of the largest one: the loop itself where a kernel has one, and where a kernel keeps copies of its loop that
 * differ in what they hoist out (the text kernels keep one per message word their last digits
 * share), the copy with the least work per pass, so the ceiling stays an upper bound.
 */
export function pricedLoop(listing: string, symbol: string): Instruction[] {
  const body: Instruction[] = [];
  let inside = false;
  for (const line of listing.split('\n')) {
    const label = /^[0-9a-f]+ <(.+)>:$/.exec(line);
    if (label !== null) inside = label[1] === symbol;
    const instruction = /^\s+([0-9a-f]+):\s+([a-z0-9]+)\s*(.*)$/.exec(line);
    if (inside && instruction !== null) {
      body.push({ address: parseInt(instruction[1], 16), mnemonic: instruction[2], operands: instruction[3].trim() });
    }
  }
  if (body.length === 0) throw new Error(`${symbol} not found in the listing`);
  const loops: Instruction[][] = [];
  for (const [index, { address, mnemonic, operands }] of body.entries()) {
    const target = /^([0-9a-f]+) </.exec(operands);
    if (!mnemonic.startsWith('j') || target === null || parseInt(target[1], 16) >= address) continue;
    const from = parseInt(target[1], 16);
    loops.push(body.slice(0, index + 1).filter((entry) => entry.address >= from));
  }
  const contains = (outer: Instruction[], inner: Instruction[]): boolean =>
    inner !== outer && inner[0].address >= outer[0].address && inner.at(-1)!.address <= outer.at(-1)!.address;
  const leaves = loops.filter((loop) => !loops.some((inner) => inner.length >= NESTED_MIN && contains(loop, inner)));
  const outermost = leaves.filter((loop) => !leaves.some((outer) => contains(outer, loop)));
  const largest = Math.max(0, ...outermost.map((loop) => loop.length));
  return outermost
    .filter((loop) => 2 * loop.length >= largest)
    .reduce<Instruction[]>((smallest, loop) => (smallest.length === 0 || loop.length < smallest.length ? loop : smallest), []);
}

/** A replay function (`replay_passes(buffer, passes)`) and what it kept of the loop. */
export interface Replay {
  readonly assembly: string;
  /** Vector and mask instructions per pass, the replay's whole work. */
  readonly kept: number;
  /** Of those, the ones on mask registers. */
  readonly mask: number;
  /** Scalar instructions of the loop left out. */
  readonly dropped: number;
}

/** Slots of 64 bytes the buffer holds (bench/replay.c BUFFER_BYTES). */
export const REPLAY_SLOTS = 64;
const SINKS = Array.from({ length: 13 }, (_, index) => index + 3);
const SOURCES = [0, 1, 2];
const MASK_SINKS = [0, 2, 3, 4, 5, 6, 7];
const MASK_SOURCE = 1;

const VECTOR_REGISTER = /^%([xyz])mm(\d+)$/;
const MASK_REGISTER = /^%k([0-7])$/;
/** Instructions that write none of their operands (only flags). */
const NO_DESTINATION = /^v?(ptest|u?comis[sd])$/;
/** VEX/EVEX forms whose destination is also a source. */
const VEX_READS_DESTINATION = /^(vpternlog|vpermt2|vpermi2|vpdp|vfn?m(add|sub)|vpmadd52|vpshldv|vpshrdv)/;
/** Legacy SSE forms whose destination is not a source (every other two-operand form reads it). */
const SSE_WRITES_ONLY = /^(mov|pshuf(d|hw|lw)$|pextr|pmovmsk|pmov[sz]x|pabs|pcmp[ei]str|aesimc|aeskeygenassist|cvt)/;

/** Splits at top-level commas: "(%rax,%rcx,1)" stays one operand. */
function splitOperands(operands: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of operands) {
    if (character === '(' || character === '{') depth++;
    if (character === ')' || character === '}') depth--;
    if (character === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += character;
  }
  if (current !== '') parts.push(current);
  return parts.map((part) => part.trim());
}

const GPR_64 = /^%r([a-d]x|si|di|sp|bp|\d+)$/;
const GPR_32 = /^%(e([a-d]x|si|di|sp|bp)|r\d+d)$/;
const GPR_16 = /^%(([a-d]x|si|di|sp|bp)|r\d+w)$/;
/** The scratch register of a general-purpose operand's width: %r10 written, %r11 read. */
function scratch(register: string, written: boolean): string {
  const base = written ? 'r10' : 'r11';
  if (GPR_64.test(register)) return `%${base}`;
  if (GPR_32.test(register)) return `%${base}d`;
  if (GPR_16.test(register)) return `%${base}w`;
  return `%${base}b`;
}

/** The replay of a loop's instructions (see the top of this file). */
export function replayAssembly(loop: readonly Instruction[]): Replay {
  const lines: string[] = [];
  const slots = new Map<string, number>();
  let sink = 0;
  let maskSink = 0;
  let mask = 0;
  let dropped = 0;
  for (const { mnemonic, operands: text } of loop) {
    const operands = splitOperands(text.replace(/\s+#.*$/, ''));
    const parsed = operands.map((operand) => {
      const decorated = /^(.*?)((?:\{[^}]*\})*)$/.exec(operand)!;
      return { core: decorated[1], decoration: decorated[2] };
    });
    const touchesMask = parsed.some(({ core, decoration }) => MASK_REGISTER.test(core) || /\{%k/.test(decoration));
    const vector = touchesMask || parsed.some(({ core }) => VECTOR_REGISTER.test(core)) || /^vzero/.test(mnemonic);
    if (!vector) {
      dropped++;
      continue;
    }
    if (touchesMask) mask++;
    const last = parsed.length - 1;
    const destination = last >= 0 && !NO_DESTINATION.test(mnemonic) && !parsed[last].core.includes('(') ? last : -1;
    const destinationRegister = destination >= 0 ? VECTOR_REGISTER.exec(parsed[destination].core) : null;
    const mergeMasked = destinationRegister !== null && /\{%k[1-7]\}/.test(parsed[destination].decoration) && !parsed[destination].decoration.includes('{z}');
    const readsDestination =
      destinationRegister !== null &&
      (mergeMasked || VEX_READS_DESTINATION.test(mnemonic) || (!mnemonic.startsWith('v') && !SSE_WRITES_ONLY.test(mnemonic) && parsed.length >= 2));
    const destinationSink = destinationRegister === null ? -1 : SINKS[sink++ % SINKS.length];
    const sources = new Map<string, number>();
    const rewritten = parsed.map(({ core, decoration }, index) => {
      const maskDecoration = decoration.replace(/\{%k[0-7]\}/, `{%k${MASK_SOURCE}}`);
      const register = VECTOR_REGISTER.exec(core);
      if (register !== null) {
        if (index === destination || (readsDestination && register[2] === destinationRegister![2])) {
          return `%${register[1]}mm${destinationSink}${maskDecoration}`;
        }
        if (!sources.has(register[2])) sources.set(register[2], SOURCES[sources.size]);
        const source = sources.get(register[2]);
        if (source === undefined) throw new Error(`${mnemonic} ${text}: more distinct vector sources than ${SOURCES.length}`);
        return `%${register[1]}mm${source}${maskDecoration}`;
      }
      if (MASK_REGISTER.test(core)) {
        return index === destination ? `%k${MASK_SINKS[maskSink++ % MASK_SINKS.length]}${maskDecoration}` : `%k${MASK_SOURCE}${maskDecoration}`;
      }
      if (core.startsWith('$')) return core + decoration;
      if (core.includes('(') || /^-?0x[0-9a-f]+$/.test(core)) {
        if (!slots.has(core)) slots.set(core, slots.size % REPLAY_SLOTS);
        return `${64 * slots.get(core)!}(%rdi)${decoration}`;
      }
      return scratch(core, index === destination) + decoration;
    });
    const line = `${mnemonic} ${rewritten.join(',')}`.trim();
    if (mnemonic === 'sha256rnds2' && !line.startsWith('sha256rnds2 %xmm0,')) throw new Error(`sha256rnds2 lost its implicit %xmm0: ${text}`);
    lines.push(line);
  }
  const assembly = [
    '\t.text',
    '\t.globl replay_passes',
    '\t.type replay_passes, @function',
    '\t.p2align 6',
    'replay_passes:',
    '\txor %r11d, %r11d',
    ...(mask > 0 ? [`\tkxnorw %k${MASK_SOURCE}, %k${MASK_SOURCE}, %k${MASK_SOURCE}`] : []),
    '\t.p2align 6',
    '1:',
    ...lines.map((line) => `\t${line}`),
    '\tdec %rsi',
    '\tjnz 1b',
    '\tvzeroupper',
    '\tret',
    '\t.size replay_passes, .-replay_passes',
    '\t.section .note.GNU-stack,"",@progbits',
    '',
  ].join('\n');
  return { assembly, kept: lines.length, mask, dropped };
}
