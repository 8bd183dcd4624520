/*
 * Nano work (BLAKE2b-64 of nonce LE64 || root) with AVX2: four consecutive nonces, one per 64-bit
 * lane, one compression each. Message words 5..15 are zero and words 1..4 (the root) are the same
 * in every lane; after full unrolling the compiler drops the zero additions, and round 0's three
 * columns that never see the nonce are computed once per call.
 */
#if defined(__GNUC__) && !defined(__clang__)
/* GCC's pre-allocation scheduler, which is off by default on x86, keeps this long unrolled body
 * at about 8% more attempts per second on Zen 4 (it costs the SHA-NI kernels, so only here). */
#pragma GCC optimize("schedule-insns", "sched-pressure")
#endif

#include "../kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "avx2.h"

#include "../scalar/blake2b.h"
#include "../scalar/common.h"

#define LANES 4

PP_AVX2_INLINE __m256i rotr32(__m256i x) { return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)); }
PP_AVX2_INLINE __m256i rotr24(__m256i x) {
  const __m256i by_three_bytes = _mm256_set_epi64x(0x0a09080f0e0d0c0bLL, 0x0201000706050403LL,
                                                   0x0a09080f0e0d0c0bLL, 0x0201000706050403LL);
  return _mm256_shuffle_epi8(x, by_three_bytes);
}
PP_AVX2_INLINE __m256i rotr16(__m256i x) {
  const __m256i by_two_bytes = _mm256_set_epi64x(0x09080f0e0d0c0b0aLL, 0x0100070605040302LL,
                                                 0x09080f0e0d0c0b0aLL, 0x0100070605040302LL);
  return _mm256_shuffle_epi8(x, by_two_bytes);
}
PP_AVX2_INLINE __m256i rotr63(__m256i x) {
  return _mm256_or_si256(_mm256_add_epi64(x, x), _mm256_srli_epi64(x, 63));
}

#define G_LANES(a, b, c, d, x, y)                                                                  \
  do {                                                                                             \
    a = _mm256_add_epi64(_mm256_add_epi64(a, b), x);                                               \
    d = rotr32(_mm256_xor_si256(d, a));                                                            \
    c = _mm256_add_epi64(c, d);                                                                    \
    b = rotr24(_mm256_xor_si256(b, c));                                                            \
    a = _mm256_add_epi64(_mm256_add_epi64(a, b), y);                                               \
    d = rotr16(_mm256_xor_si256(d, a));                                                            \
    c = _mm256_add_epi64(c, d);                                                                    \
    b = rotr63(_mm256_xor_si256(b, c));                                                            \
  } while (0)

__attribute__((target("avx2"))) void pp_blake2b_nano_avx2(const uint8_t root[32],
                                                          uint64_t threshold, uint64_t start,
                                                          uint64_t count, pp_result *out) {
  uint64_t root_words[4];
  for (int i = 0; i < 4; i++) root_words[i] = pp_load_le64(root + 8 * i);
  const uint64_t h0 = PP_BLAKE2B_IV[0] ^ PP_BLAKE2B_NANO_PARAM;

  uint64_t init[16];
  pp_blake2b_nano_fold(root, init);

  __m256i m[16];
  for (int i = 0; i < 4; i++) m[1 + i] = _mm256_set1_epi64x((long long)root_words[i]);
  for (int i = 5; i < 16; i++) m[i] = _mm256_setzero_si256();
  const __m256i h0_lanes = _mm256_set1_epi64x((long long)h0);

  for (uint64_t done = 0; done < count; done += LANES) {
    const uint64_t n = start + done;
    m[0] = _mm256_set_epi64x((long long)(n + 3), (long long)(n + 2), (long long)(n + 1),
                             (long long)n);
    __m256i v[16];
    for (int i = 0; i < 16; i++) v[i] = _mm256_set1_epi64x((long long)init[i]);
    G_LANES(v[0], v[4], v[8], v[12], m[0], m[1]);
    G_LANES(v[0], v[5], v[10], v[15], m[8], m[9]);
    G_LANES(v[1], v[6], v[11], v[12], m[10], m[11]);
    G_LANES(v[2], v[7], v[8], v[13], m[12], m[13]);
    G_LANES(v[3], v[4], v[9], v[14], m[14], m[15]);
#pragma GCC unroll 11
    for (int r = 1; r < 12; r++) {
      const uint8_t *s = PP_BLAKE2B_SIGMA[r];
      G_LANES(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]]);
      G_LANES(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]]);
      G_LANES(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]]);
      G_LANES(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]]);
      G_LANES(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]]);
      G_LANES(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]]);
      G_LANES(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]]);
      G_LANES(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]]);
    }
    uint64_t value[LANES];
    _mm256_storeu_si256((__m256i *)value,
                        _mm256_xor_si256(h0_lanes, _mm256_xor_si256(v[0], v[8])));
    for (uint64_t l = 0; l < LANES && done + l < count; l++) {
      if (value[l] >= threshold) {
        pp_result_found(out, n + l, done + l + 1);
        return;
      }
    }
  }
  pp_result_none(out, count);
}

#endif
