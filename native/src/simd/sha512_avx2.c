/* Bitmessage double SHA-512 with AVX2: four nonces per call of the shared loop in
 * sha512d_lanes.h; rotations are two shifts and an OR, except by 8 bits (one byte shuffle). */
#include "../kernels.h"

#if defined(__x86_64__)
#include "lanes64_avx2.h"

PP_AVX2_INLINE __m256i rotr(__m256i x, int n) {
  return _mm256_or_si256(_mm256_srli_epi64(x, n), _mm256_slli_epi64(x, 64 - n));
}
PP_AVX2_INLINE __m256i rotr8(__m256i x) {
  const __m256i by_one_byte = _mm256_set_epi64x(0x080f0e0d0c0b0a09LL, 0x0007060504030201LL,
                                                0x080f0e0d0c0b0a09LL, 0x0007060504030201LL);
  return _mm256_shuffle_epi8(x, by_one_byte);
}
PP_AVX2_INLINE __m256i lanes_big_sigma0(__m256i a) { return pp_avx2_xor3(rotr(a, 28), rotr(a, 34), rotr(a, 39)); }
PP_AVX2_INLINE __m256i lanes_big_sigma1(__m256i e) { return pp_avx2_xor3(rotr(e, 14), rotr(e, 18), rotr(e, 41)); }
PP_AVX2_INLINE __m256i lanes_small_sigma0(__m256i w) {
  return pp_avx2_xor3(rotr(w, 1), rotr8(w), _mm256_srli_epi64(w, 7));
}
PP_AVX2_INLINE __m256i lanes_small_sigma1(__m256i w) {
  return pp_avx2_xor3(rotr(w, 19), rotr(w, 61), _mm256_srli_epi64(w, 6));
}
PP_AVX2_INLINE __m256i lanes_majority(__m256i a, __m256i b, __m256i c) {
  return _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)));
}
PP_AVX2_INLINE __m256i lanes_choose(__m256i e, __m256i f, __m256i g) {
  return _mm256_xor_si256(_mm256_and_si256(e, f), _mm256_andnot_si256(e, g));
}
#include "sha512d_lanes.h"

__attribute__((target("avx2"))) void pp_sha512d_bitmessage_avx2(const uint8_t initial_hash[64],
                                                                uint64_t target, uint64_t start,
                                                                uint64_t count, pp_result *out) {
  sha512d_bitmessage_scan(initial_hash, target, start, count, out);
}

#endif
