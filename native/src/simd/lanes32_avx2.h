/* The 32-bit lane vocabulary of the shared SHA-256 loops (sha256_lanes.h, sha256d_header_lanes.h)
 * on AVX2: eight lanes per __m256i. */
#ifndef PP_SIMD_LANES32_AVX2_H
#define PP_SIMD_LANES32_AVX2_H

#include <stdint.h>

#include "avx2.h"

#define PP_LANES32 8
typedef __m256i pp_lanes32;
#define PP_LANES32_INLINE PP_AVX2_INLINE
#define PP_LANES32_TARGET __attribute__((target("avx2")))

PP_AVX2_INLINE __m256i lanes32_add(__m256i a, __m256i b) { return _mm256_add_epi32(a, b); }
PP_AVX2_INLINE __m256i lanes32_set1(uint32_t x) { return _mm256_set1_epi32((int)x); }
PP_AVX2_INLINE __m256i lanes32_and(__m256i a, __m256i b) { return _mm256_and_si256(a, b); }
PP_AVX2_INLINE __m256i lanes32_or(__m256i a, __m256i b) { return _mm256_or_si256(a, b); }
PP_AVX2_INLINE __m256i lanes32_xor(__m256i a, __m256i b) { return _mm256_xor_si256(a, b); }
/* n, n + 1, .., n + 7, wrapping at 2^32. */
PP_AVX2_INLINE __m256i lanes32_from(uint32_t n) {
  return _mm256_add_epi32(lanes32_set1(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
PP_AVX2_INLINE __m256i lanes32_rotr(__m256i x, int n) {
  return _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - n));
}
PP_AVX2_INLINE __m256i lanes32_shr(__m256i x, int n) { return _mm256_srli_epi32(x, n); }
#define lanes32_xor3 pp_avx2_xor3
#define lanes32_choose pp_avx2_choose
#define lanes32_majority pp_avx2_majority
PP_AVX2_INLINE __m256i lanes32_bswap(__m256i x) {
  const __m256i reversed = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12,
                                            3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
  return _mm256_shuffle_epi8(x, reversed);
}
PP_AVX2_INLINE __m256i lanes32_load(const uint32_t in[PP_LANES32]) {
  return _mm256_loadu_si256((const __m256i *)in);
}
/* Lane i from `set` where bit i of `mask` is set, else from `clear`. */
PP_AVX2_INLINE __m256i lanes32_blend(unsigned mask, __m256i clear, __m256i set) {
  const __m256i bits = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
  const __m256i chosen = _mm256_cmpeq_epi32(_mm256_and_si256(lanes32_set1(mask), bits), bits);
  return _mm256_blendv_epi8(clear, set, chosen);
}
PP_AVX2_INLINE void lanes32_store(uint32_t out[PP_LANES32], __m256i x) {
  _mm256_storeu_si256((__m256i *)out, x);
}
PP_AVX2_INLINE unsigned lanes32_equal(__m256i v, uint32_t x) {
  const __m256i equal = _mm256_cmpeq_epi32(v, lanes32_set1(x));
  return (unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(equal));
}
/* AVX2 compares only signed: both sides have their top bit flipped first. */
PP_AVX2_INLINE unsigned lanes32_at_most(__m256i v, uint32_t bound) {
  const __m256i top_bit = lanes32_set1(0x80000000u);
  const __m256i above = _mm256_cmpgt_epi32(_mm256_xor_si256(v, top_bit), lanes32_set1(bound ^ 0x80000000u));
  return ~(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(above)) & 0xffu;
}

#endif
