/* The 32-bit lane vocabulary of the shared SHA-256 loops (sha256_lanes.h, sha256d_header_lanes.h)
 * on AVX-512: sixteen lanes per __m512i, with native rotations and three-input logic. */
#ifndef PP_SIMD_LANES32_AVX512_H
#define PP_SIMD_LANES32_AVX512_H

#include <stdint.h>

#include "avx512.h"

#define PP_LANES32 16
typedef __m512i pp_lanes32;
#define PP_LANES32_INLINE PP_AVX512_INLINE
#define PP_LANES32_TARGET PP_AVX512_TARGET

PP_AVX512_INLINE __m512i lanes32_add(__m512i a, __m512i b) { return _mm512_add_epi32(a, b); }
PP_AVX512_INLINE __m512i lanes32_set1(uint32_t x) { return _mm512_set1_epi32((int)x); }
PP_AVX512_INLINE __m512i lanes32_and(__m512i a, __m512i b) { return _mm512_and_si512(a, b); }
PP_AVX512_INLINE __m512i lanes32_or(__m512i a, __m512i b) { return _mm512_or_si512(a, b); }
PP_AVX512_INLINE __m512i lanes32_xor(__m512i a, __m512i b) { return _mm512_xor_si512(a, b); }
/* n, n + 1, .., n + 15, wrapping at 2^32. */
PP_AVX512_INLINE __m512i lanes32_from(uint32_t n) {
  return _mm512_add_epi32(lanes32_set1(n),
                          _mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0));
}
/* Macros, as the instructions take their counts as immediates. */
#define lanes32_rotr(x, n) _mm512_ror_epi32((x), (n))
#define lanes32_shr(x, n) _mm512_srli_epi32((x), (n))
#define lanes32_xor3 pp_avx512_xor3
#define lanes32_choose pp_avx512_choose
#define lanes32_majority pp_avx512_majority
/* Byte shuffles need AVX512BW; rotations of the even and the odd bytes need only AVX512F. */
PP_AVX512_INLINE __m512i lanes32_bswap(__m512i x) {
  const __m512i bytes_0_2 = _mm512_and_si512(x, lanes32_set1(0x00ff00ffu));
  const __m512i bytes_1_3 = _mm512_and_si512(x, lanes32_set1(0xff00ff00u));
  return _mm512_or_si512(_mm512_ror_epi32(bytes_0_2, 8), _mm512_rol_epi32(bytes_1_3, 8));
}
PP_AVX512_INLINE __m512i lanes32_load(const uint32_t in[PP_LANES32]) {
  return _mm512_loadu_si512((const void *)in);
}
/* Lane i from `set` where bit i of `mask` is set, else from `clear`. */
PP_AVX512_INLINE __m512i lanes32_blend(unsigned mask, __m512i clear, __m512i set) {
  return _mm512_mask_blend_epi32((uint16_t)mask, clear, set);
}
PP_AVX512_INLINE void lanes32_store(uint32_t out[PP_LANES32], __m512i x) {
  _mm512_storeu_si512((void *)out, x);
}
PP_AVX512_INLINE unsigned lanes32_equal(__m512i v, uint32_t x) {
  return _mm512_cmpeq_epi32_mask(v, lanes32_set1(x));
}
PP_AVX512_INLINE unsigned lanes32_at_most(__m512i v, uint32_t bound) {
  return _mm512_cmple_epu32_mask(v, lanes32_set1(bound));
}

#endif
