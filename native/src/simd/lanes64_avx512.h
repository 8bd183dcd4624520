/* The 64-bit lane vocabulary of the shared search loops (blake2b_nano_lanes.h, sha512d_lanes.h)
 * on AVX-512: eight lanes per __m512i, with native rotations and three-input logic. */
#ifndef PP_SIMD_LANES64_AVX512_H
#define PP_SIMD_LANES64_AVX512_H

#include <stdint.h>

#include "avx512.h"

#define PP_LANES 8
typedef __m512i pp_lanes;
#define PP_LANES_INLINE PP_AVX512_INLINE

PP_AVX512_INLINE __m512i lanes_add(__m512i a, __m512i b) { return _mm512_add_epi64(a, b); }
PP_AVX512_INLINE __m512i lanes_xor(__m512i a, __m512i b) { return _mm512_xor_si512(a, b); }
PP_AVX512_INLINE __m512i lanes_set1(uint64_t x) { return _mm512_set1_epi64((long long)x); }
/* Macros, as the instructions take their counts as immediates. */
#define lanes_rotr(x, n) _mm512_ror_epi64((x), (n))
#define lanes_shr(x, n) _mm512_srli_epi64((x), (n))
#define lanes_xor3 pp_avx512_xor3
#define lanes_choose pp_avx512_choose
#define lanes_majority pp_avx512_majority
/* n, n + 1, .., n + 7. */
PP_AVX512_INLINE __m512i lanes_from(uint64_t n) {
  return _mm512_add_epi64(lanes_set1(n), _mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0));
}
PP_AVX512_INLINE unsigned lanes_at_least(__m512i v, uint64_t bound) {
  return _mm512_cmpge_epu64_mask(v, lanes_set1(bound));
}
PP_AVX512_INLINE unsigned lanes_at_most(__m512i v, uint64_t bound) {
  return _mm512_cmple_epu64_mask(v, lanes_set1(bound));
}

#endif
