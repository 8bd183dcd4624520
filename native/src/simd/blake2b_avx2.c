/* Nano work with AVX2: four nonces per call of the shared loop in blake2b_nano_lanes.h. */
#if defined(__GNUC__) && !defined(__clang__)
/* GCC's pre-allocation scheduler, which is off by default on x86, keeps this long unrolled body
 * at about 8% more attempts per second on Zen 4 (it costs the SHA-NI kernels, so only here). */
#pragma GCC optimize("schedule-insns", "sched-pressure")
#endif

#include "../kernels.h"

#if defined(__x86_64__)
#include "lanes64_avx2.h"

PP_AVX2_INLINE __m256i lanes_rotr32(__m256i x) { return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)); }
PP_AVX2_INLINE __m256i lanes_rotr24(__m256i x) {
  const __m256i by_three_bytes = _mm256_set_epi64x(0x0a09080f0e0d0c0bLL, 0x0201000706050403LL,
                                                   0x0a09080f0e0d0c0bLL, 0x0201000706050403LL);
  return _mm256_shuffle_epi8(x, by_three_bytes);
}
PP_AVX2_INLINE __m256i lanes_rotr16(__m256i x) {
  const __m256i by_two_bytes = _mm256_set_epi64x(0x09080f0e0d0c0b0aLL, 0x0100070605040302LL,
                                                 0x09080f0e0d0c0b0aLL, 0x0100070605040302LL);
  return _mm256_shuffle_epi8(x, by_two_bytes);
}
PP_AVX2_INLINE __m256i lanes_rotr63(__m256i x) {
  return _mm256_or_si256(_mm256_add_epi64(x, x), _mm256_srli_epi64(x, 63));
}

#include "blake2b_nano_lanes.h"

__attribute__((target("avx2"))) void pp_blake2b_nano_avx2(const uint8_t root[32],
                                                          uint64_t threshold, uint64_t start,
                                                          uint64_t count, pp_result *out) {
  blake2b_nano_scan(root, threshold, start, count, out);
}

#endif
