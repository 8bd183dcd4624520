/*
 * Instruction throughputs of this CPU, read by bench/ceilings.ts. Each figure runs twelve
 * independent chains of one instruction (or of a mix) for long enough that only throughput counts,
 * and divides by the clock, estimated from a chain of dependent 64-bit multiplies (latency 3 cycles
 * on every x86-64 core of the last fifteen years). Dependent adds of an immediate would not do:
 * Intel's Golden Cove folds them at rename and such a chain reads 6-20 GHz. A figure that reads
 * 1.00 means the instruction's unit takes one per cycle. The 512-bit figures (suffix -zmm) are
 * measured only where the CPU has AVX-512F.
 * Prints one JSON object: {"ghz": clock, "<instruction>": per cycle, ..}. x86-64 with AVX2 and
 * SHA-NI only.
 */
#include <stdio.h>
#include <time.h>

#define ROUNDS 20000000L

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

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

#define YMM_1_TO_12(form, op)                                                                      \
  form(op, "ymm1") form(op, "ymm2") form(op, "ymm3") form(op, "ymm4") form(op, "ymm5")            \
      form(op, "ymm6") form(op, "ymm7") form(op, "ymm8") form(op, "ymm9") form(op, "ymm10")       \
          form(op, "ymm11") form(op, "ymm12")
#define ZMM_1_TO_12(form, op)                                                                      \
  form(op, "zmm1") form(op, "zmm2") form(op, "zmm3") form(op, "zmm4") form(op, "zmm5")            \
      form(op, "zmm6") form(op, "zmm7") form(op, "zmm8") form(op, "zmm9") form(op, "zmm10")       \
          form(op, "zmm11") form(op, "zmm12")
#define ZMM_MIX(form_a, op_a, form_b, op_b)                                                        \
  form_a(op_a, "zmm1") form_b(op_b, "zmm2") form_a(op_a, "zmm3") form_b(op_b, "zmm4")             \
      form_a(op_a, "zmm5") form_b(op_b, "zmm6") form_a(op_a, "zmm7") form_b(op_b, "zmm8")         \
          form_a(op_a, "zmm9") form_b(op_b, "zmm10") form_a(op_a, "zmm11") form_b(op_b, "zmm12")
#define XMM_1_TO_12(form, op)                                                                      \
  form(op, "xmm1") form(op, "xmm2") form(op, "xmm3") form(op, "xmm4") form(op, "xmm5")            \
      form(op, "xmm6") form(op, "xmm7") form(op, "xmm8") form(op, "xmm9") form(op, "xmm10")       \
          form(op, "xmm11") form(op, "xmm12")
/* Six chains of each of two instructions, interleaved. */
#define XMM_MIX(form_a, op_a, form_b, op_b)                                                        \
  form_a(op_a, "xmm1") form_b(op_b, "xmm2") form_a(op_a, "xmm3") form_b(op_b, "xmm4")             \
      form_a(op_a, "xmm5") form_b(op_b, "xmm6") form_a(op_a, "xmm7") form_b(op_b, "xmm8")         \
          form_a(op_a, "xmm9") form_b(op_b, "xmm10") form_a(op_a, "xmm11") form_b(op_b, "xmm12")
#define YMM_MIX(form_a, op_a, form_b, op_b)                                                        \
  form_a(op_a, "ymm1") form_b(op_b, "ymm2") form_a(op_a, "ymm3") form_b(op_b, "ymm4")             \
      form_a(op_a, "ymm5") form_b(op_b, "ymm6") form_a(op_a, "ymm7") form_b(op_b, "ymm8")         \
          form_a(op_a, "ymm9") form_b(op_b, "ymm10") form_a(op_a, "ymm11") form_b(op_b, "ymm12")

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
      {"vpaddd-zmm", RATE(ZMM_1_TO_12(ALONE, "vpaddd"))},
      {"vprord-zmm", RATE(ZMM_1_TO_12(SHIFTED, "vprord"))},
      {"vpternlogd-zmm", RATE(ZMM_1_TO_12(TERNARY_ZMM15, "vpternlogd"))},
      {"vprord+vpaddd-zmm", RATE(ZMM_MIX(SHIFTED, "vprord", ALONE, "vpaddd"))},
      {"vpshufb-zmm", RATE(ZMM_1_TO_12(WITH_ZMM15, "vpshufb"))},
  };
  for (unsigned i = 0; i < sizeof zmm / sizeof zmm[0]; i++) out[i] = zmm[i];
  return sizeof zmm / sizeof zmm[0];
}

__attribute__((target("avx2,sha"))) int main(void) {
  /* The clock: eight dependent multiplies per iteration, three cycles each (x stays 1). */
  double ghz = 0;
  for (int run = 0; run < 3; run++) {
    const double started = seconds();
    unsigned long x = 1;
    for (long i = 0; i < ROUNDS; i++)
      __asm__ volatile("imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0\n\t"
                       "imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0"
                       : "+r"(x));
    const double rate = 3 * 8.0 * ROUNDS / (seconds() - started) / 1e9;
    if (rate > ghz) ghz = rate;
  }

  figure rates[32] = {
      {"vpaddq", RATE(YMM_1_TO_12(ALONE, "vpaddq"))},
      {"vpsrlq", RATE(YMM_1_TO_12(SHIFTED, "vpsrlq"))},
      {"vpshufb", RATE(YMM_1_TO_12(WITH_YMM15, "vpshufb"))},
      {"vpsrlq+vpshufb", RATE(YMM_MIX(SHIFTED, "vpsrlq", WITH_YMM15, "vpshufb"))},
      {"vpsrlq+vpaddq", RATE(YMM_MIX(SHIFTED, "vpsrlq", ALONE, "vpaddq"))},
      {"sha256rnds2", RATE(XMM_1_TO_12(ROUND_PAIR, "sha256rnds2"))},
      {"sha256msg1", RATE(XMM_1_TO_12(WITH_XMM15, "sha256msg1"))},
      {"sha256msg2", RATE(XMM_1_TO_12(WITH_XMM15, "sha256msg2"))},
      {"sha256rnds2+sha256msg1", RATE(XMM_MIX(ROUND_PAIR, "sha256rnds2", WITH_XMM15, "sha256msg1"))},
      {"sha256rnds2+sha256msg2", RATE(XMM_MIX(ROUND_PAIR, "sha256rnds2", WITH_XMM15, "sha256msg2"))},
      {"sha256msg1+sha256msg2", RATE(XMM_MIX(WITH_XMM15, "sha256msg1", WITH_XMM15, "sha256msg2"))},
      {"sha1rnds4", RATE(XMM_1_TO_12(WITH_XMM15_IMM0, "sha1rnds4"))},
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
