/* What every AVX2 kernel shares: its inlining attribute (AVX2 per function, never per build) and
 * the lane-width-free three-way XOR. */
#ifndef PP_SIMD_AVX2_H
#define PP_SIMD_AVX2_H

#include <immintrin.h>

#define PP_AVX2_INLINE static inline __attribute__((target("avx2"), always_inline))

PP_AVX2_INLINE __m256i pp_avx2_xor3(__m256i a, __m256i b, __m256i c) {
  return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
}

#endif
