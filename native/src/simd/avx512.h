/* What every AVX-512 kernel shares: its target attribute (AVX512F per function, never per build),
 * the three-input bit functions (one vpternlog each, on lanes of any width) and, when the file is
 * built with PP_AVX512_EMULATED for the tests on a CPU without AVX-512, the same intrinsics from
 * SIMDe's portable implementation instead of the instructions. */
#ifndef PP_SIMD_AVX512_H
#define PP_SIMD_AVX512_H

#if defined(PP_AVX512_EMULATED)
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#define PP_AVX512_TARGET
#else
#include <immintrin.h>
#define PP_AVX512_TARGET __attribute__((target("avx512f")))
#endif

#define PP_AVX512_INLINE static inline PP_AVX512_TARGET __attribute__((always_inline))

/* vpternlog truth tables, indexed by (a << 2) | (b << 1) | c for inputs a, b, c. */
#define PP_TERNARY_XOR3 0x96
#define PP_TERNARY_CHOOSE 0xca   /* a ? b : c */
#define PP_TERNARY_MAJORITY 0xe8 /* at least two of a, b, c */

PP_AVX512_INLINE __m512i pp_avx512_xor3(__m512i a, __m512i b, __m512i c) {
  return _mm512_ternarylogic_epi64(a, b, c, PP_TERNARY_XOR3);
}
/* SHA-2's Ch and Maj. */
PP_AVX512_INLINE __m512i pp_avx512_choose(__m512i e, __m512i f, __m512i g) {
  return _mm512_ternarylogic_epi64(e, f, g, PP_TERNARY_CHOOSE);
}
PP_AVX512_INLINE __m512i pp_avx512_majority(__m512i a, __m512i b, __m512i c) {
  return _mm512_ternarylogic_epi64(a, b, c, PP_TERNARY_MAJORITY);
}

#endif
