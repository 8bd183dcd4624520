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
