/* What every AVX2 kernel shares: its inlining attribute (AVX2 per function, never per build) and
 * the three-input bit functions, which work on lanes of any width. */
#ifndef PP_SIMD_AVX2_H
#define PP_SIMD_AVX2_H

#include <immintrin.h>

#define PP_AVX2_INLINE static inline __attribute__((target("avx2"), always_inline))

PP_AVX2_INLINE __m256i pp_avx2_xor3(__m256i a, __m256i b, __m256i c) {
  return _mm256_xor_si256(_mm256_xor_si256(a, b), c);
}
/* SHA-2's Ch: each bit from f where e has a one, else from g. */
PP_AVX2_INLINE __m256i pp_avx2_choose(__m256i e, __m256i f, __m256i g) {
  return _mm256_xor_si256(_mm256_and_si256(e, f), _mm256_andnot_si256(e, g));
}
/* SHA-2's Maj: each bit set in at least two of a, b, c. */
PP_AVX2_INLINE __m256i pp_avx2_majority(__m256i a, __m256i b, __m256i c) {
  return _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)));
}

#endif
