/*
 * Instruction throughputs of this CPU, read by bench/ceilings.ts. Each figure runs twelve
 * independent chains of one instruction (or of a mix) for long enough that only throughput counts,
 * and divides by the clock (clock.h). A figure that reads 1.00 means the instruction's unit takes
 * one per cycle. The 512-bit figures (suffix -zmm) are measured only where the CPU has AVX-512F.
 * Prints one JSON object: {"ghz": clock, "<instruction>": per cycle, ..}. x86-64 with AVX2 and
 * SHA-NI only.
 */
#include <stdio.h>
#include "clock.h"

#define ROUNDS 20000000L

/* An instruction on register r reading and writing r only; on r with %ymm15 / %xmm15 as a second
 * source; the SHA-256 round pair on r with %xmm15 and the implicit %xmm0. */
#define ALONE(op, r) op " %%" r ", %%" r ", %%" r "\n\t"
#define SHIFTED(op, r) op " $3, %%" r ", %%" r "\n\t"
#define WITH_YMM15(op, r) op " %%ymm15, %%" r ", %%" r "\n\t"
#define WITH_XMM15(op, r) op " %%xmm15, %%" r "\n\t"
#define WITH_XMM15_IMM0(op, r) op " $0, %%xmm15, %%" r "\n\t"
#define WITH_ZMM15(op, r) op " %%zmm15, %%" r ", %%" r "\n\t"
#define TERNARY_ZMM15(op, r) op " $0x96, %%zmm15, %%" r ", %%" r "\n\t"
#define ROUND_PAIR(op, r) op " %%xmm0, %%xmm15, %%" r "\n\t"

/* Twelve chains of one instruction on registers 1..12 of a kind ("xmm", "ymm", "zmm"). */
#define ONE_TO_12(form, op, kind)                                                                  \
  form(op, kind "1") form(op, kind "2") form(op, kind "3") form(op, kind "4") form(op, kind "5")  \
      form(op, kind "6") form(op, kind "7") form(op, kind "8") form(op, kind "9")                 \
          form(op, kind "10") form(op, kind "11") form(op, kind "12")
/* Six chains of each of two instructions, interleaved. */
#define MIX(form_a, op_a, form_b, op_b, kind)                                                      \
  form_a(op_a, kind "1") form_b(op_b, kind "2") form_a(op_a, kind "3") form_b(op_b, kind "4")     \
      form_a(op_a, kind "5") form_b(op_b, kind "6") form_a(op_a, kind "7")                        \
          form_b(op_b, kind "8") form_a(op_a, kind "9") form_b(op_b, kind "10")                   \
              form_a(op_a, kind "11") form_b(op_b, kind "12")

#define CLOBBERS                                                                                   \
  "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",        \
      "xmm11", "xmm12", "xmm15"

/* Giga-instructions per second of a twelve-instruction block run ROUNDS times, the best of three
 * (other processes only ever slow a run down). */
#define RATE(block)                                                                                \
  ({                                                                                               \
    double best = 0;                                                                               \
    for (int run = 0; run < 3; run++) {                                                            \
      const double started = seconds();                                                            \
      for (long i = 0; i < ROUNDS; i++) __asm__ volatile(block ::: CLOBBERS);                      \
      const double rate = 12.0 * ROUNDS / (seconds() - started) / 1e9;                             \
      if (rate > best) best = rate;                                                                \
    }                                                                                              \
    best;                                                                                          \
  })

typedef struct {
  const char *name;
  double rate;
} figure;

/* The 512-bit figures; returns how many it wrote. */
__attribute__((target("avx512f"))) static unsigned measure_zmm(figure *out) {
  const figure zmm[] = {
      {"vpaddd-zmm", RATE(ONE_TO_12(ALONE, "vpaddd", "zmm"))},
      {"vprord-zmm", RATE(ONE_TO_12(SHIFTED, "vprord", "zmm"))},
      {"vpternlogd-zmm", RATE(ONE_TO_12(TERNARY_ZMM15, "vpternlogd", "zmm"))},
      {"vprord+vpaddd-zmm", RATE(MIX(SHIFTED, "vprord", ALONE, "vpaddd", "zmm"))},
      {"vpshufb-zmm", RATE(ONE_TO_12(WITH_ZMM15, "vpshufb", "zmm"))},
  };
  for (unsigned i = 0; i < sizeof zmm / sizeof zmm[0]; i++) out[i] = zmm[i];
  return sizeof zmm / sizeof zmm[0];
}

__attribute__((target("avx2,sha"))) int main(void) {
  const double ghz = clock_ghz(ROUNDS);

  figure rates[32] = {
      {"vpaddq", RATE(ONE_TO_12(ALONE, "vpaddq", "ymm"))},
      {"vpsrlq", RATE(ONE_TO_12(SHIFTED, "vpsrlq", "ymm"))},
      {"vpshufb", RATE(ONE_TO_12(WITH_YMM15, "vpshufb", "ymm"))},
      {"vpsrlq+vpshufb", RATE(MIX(SHIFTED, "vpsrlq", WITH_YMM15, "vpshufb", "ymm"))},
      {"vpsrlq+vpaddq", RATE(MIX(SHIFTED, "vpsrlq", ALONE, "vpaddq", "ymm"))},
      {"sha256rnds2", RATE(ONE_TO_12(ROUND_PAIR, "sha256rnds2", "xmm"))},
      {"sha256msg1", RATE(ONE_TO_12(WITH_XMM15, "sha256msg1", "xmm"))},
      {"sha256msg2", RATE(ONE_TO_12(WITH_XMM15, "sha256msg2", "xmm"))},
      {"sha256rnds2+sha256msg1", RATE(MIX(ROUND_PAIR, "sha256rnds2", WITH_XMM15, "sha256msg1", "xmm"))},
      {"sha256rnds2+sha256msg2", RATE(MIX(ROUND_PAIR, "sha256rnds2", WITH_XMM15, "sha256msg2", "xmm"))},
      {"sha256msg1+sha256msg2", RATE(MIX(WITH_XMM15, "sha256msg1", WITH_XMM15, "sha256msg2", "xmm"))},
      {"sha1rnds4", RATE(ONE_TO_12(WITH_XMM15_IMM0, "sha1rnds4", "xmm"))},
  };
  unsigned count = 0;
  while (rates[count].name != NULL) count++;
  if (__builtin_cpu_supports("avx512f")) count += measure_zmm(rates + count);
  printf("{\"ghz\": %.3f", ghz);
  for (unsigned i = 0; i < count; i++)
    printf(", \"%s\": %.3f", rates[i].name, rates[i].rate / ghz);
  printf("}\n");
  return 0;
}
