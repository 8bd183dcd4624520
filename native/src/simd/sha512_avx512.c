/* Bitmessage double SHA-512 with AVX-512: eight nonces per call of the shared loop in
 * sha512d_lanes.h, with native rotations (vprorq) and each three-input function one vpternlogq. */
#include "../kernels.h"

#if defined(__x86_64__)
#include "lanes64_avx512.h"

PP_AVX512_INLINE __m512i xor3(__m512i a, __m512i b, __m512i c) {
  return _mm512_ternarylogic_epi64(a, b, c, PP_TERNARY_XOR3);
}
PP_AVX512_INLINE __m512i lanes_big_sigma0(__m512i a) {
  return xor3(_mm512_ror_epi64(a, 28), _mm512_ror_epi64(a, 34), _mm512_ror_epi64(a, 39));
}
PP_AVX512_INLINE __m512i lanes_big_sigma1(__m512i e) {
  return xor3(_mm512_ror_epi64(e, 14), _mm512_ror_epi64(e, 18), _mm512_ror_epi64(e, 41));
}
PP_AVX512_INLINE __m512i lanes_small_sigma0(__m512i w) {
  return xor3(_mm512_ror_epi64(w, 1), _mm512_ror_epi64(w, 8), _mm512_srli_epi64(w, 7));
}
PP_AVX512_INLINE __m512i lanes_small_sigma1(__m512i w) {
  return xor3(_mm512_ror_epi64(w, 19), _mm512_ror_epi64(w, 61), _mm512_srli_epi64(w, 6));
}
PP_AVX512_INLINE __m512i lanes_majority(__m512i a, __m512i b, __m512i c) {
  return _mm512_ternarylogic_epi64(a, b, c, PP_TERNARY_MAJORITY);
}
PP_AVX512_INLINE __m512i lanes_choose(__m512i e, __m512i f, __m512i g) {
  return _mm512_ternarylogic_epi64(e, f, g, PP_TERNARY_CHOOSE);
}

#include "sha512d_lanes.h"

PP_AVX512_TARGET void pp_sha512d_bitmessage_avx512(const uint8_t initial_hash[64], uint64_t target,
                                                   uint64_t start, uint64_t count,
                                                   pp_result *out) {
  sha512d_bitmessage_scan(initial_hash, target, start, count, out);
}

#endif
