/* The 64-bit lane vocabulary of the shared search loops (blake2b_nano_lanes.h, sha512d_lanes.h)
 * on AVX2: four lanes per __m256i. */
#ifndef PP_SIMD_LANES64_AVX2_H
#define PP_SIMD_LANES64_AVX2_H

#include <stdint.h>

#include "avx2.h"

#define PP_LANES 4
typedef __m256i pp_lanes;
#define PP_LANES_INLINE PP_AVX2_INLINE

PP_AVX2_INLINE __m256i lanes_add(__m256i a, __m256i b) { return _mm256_add_epi64(a, b); }
PP_AVX2_INLINE __m256i lanes_xor(__m256i a, __m256i b) { return _mm256_xor_si256(a, b); }
PP_AVX2_INLINE __m256i lanes_set1(uint64_t x) { return _mm256_set1_epi64x((long long)x); }
/* Rotate right by n bits, n a constant: one byte shuffle for a whole number of bytes, x + x for
 * the top bit, otherwise two shifts and an OR (AVX2 has no rotation). */
PP_AVX2_INLINE __m256i lanes_rotr(__m256i x, int n) {
  switch (n) {
    case 8:
      return _mm256_shuffle_epi8(x, _mm256_set_epi64x(0x080f0e0d0c0b0a09LL, 0x0007060504030201LL,
                                                      0x080f0e0d0c0b0a09LL, 0x0007060504030201LL));
    case 16:
      return _mm256_shuffle_epi8(x, _mm256_set_epi64x(0x09080f0e0d0c0b0aLL, 0x0100070605040302LL,
                                                      0x09080f0e0d0c0b0aLL, 0x0100070605040302LL));
    case 24:
      return _mm256_shuffle_epi8(x, _mm256_set_epi64x(0x0a09080f0e0d0c0bLL, 0x0201000706050403LL,
                                                      0x0a09080f0e0d0c0bLL, 0x0201000706050403LL));
    case 32:
      return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1));
    case 63:
      return _mm256_or_si256(_mm256_add_epi64(x, x), _mm256_srli_epi64(x, 63));
    default:
      return _mm256_or_si256(_mm256_srli_epi64(x, n), _mm256_slli_epi64(x, 64 - n));
  }
}
PP_AVX2_INLINE __m256i lanes_shr(__m256i x, int n) { return _mm256_srli_epi64(x, n); }
#define lanes_xor3 pp_avx2_xor3
#define lanes_choose pp_avx2_choose
#define lanes_majority pp_avx2_majority
/* n, n + 1, n + 2, n + 3. */
PP_AVX2_INLINE __m256i lanes_from(uint64_t n) {
  return _mm256_add_epi64(lanes_set1(n), _mm256_setr_epi64x(0, 1, 2, 3));
}
/* The lanes where a > b as unsigned numbers, one bit each: AVX2 compares only signed, so both
 * sides have their top bit flipped first. */
PP_AVX2_INLINE unsigned lanes_greater(__m256i a, __m256i b) {
  const __m256i top_bit = lanes_set1(1ULL << 63);
  const __m256i greater =
      _mm256_cmpgt_epi64(_mm256_xor_si256(a, top_bit), _mm256_xor_si256(b, top_bit));
  return (unsigned)_mm256_movemask_pd(_mm256_castsi256_pd(greater));
}
PP_AVX2_INLINE unsigned lanes_at_least(__m256i v, uint64_t bound) {
  return ~lanes_greater(lanes_set1(bound), v) & 0xf;
}
PP_AVX2_INLINE unsigned lanes_at_most(__m256i v, uint64_t bound) {
  return ~lanes_greater(v, lanes_set1(bound)) & 0xf;
}

#endif
