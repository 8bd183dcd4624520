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

#include "../scalar/blake2b.h"
#include "../scalar/common.h"

#define AVX2_INLINE static inline __attribute__((target("avx2"), always_inline))

AVX2_INLINE __m256i rotr32(__m256i x) { return _mm256_shuffle_epi32(x, _MM_SHUFFLE(2, 3, 0, 1)); }
AVX2_INLINE __m256i rotr24(__m256i x) {
  const __m256i by_three_bytes = _mm256_set_epi64x(0x0a09080f0e0d0c0bLL, 0x0201000706050403LL,
                                                   0x0a09080f0e0d0c0bLL, 0x0201000706050403LL);
  return _mm256_shuffle_epi8(x, by_three_bytes);
}
AVX2_INLINE __m256i rotr16(__m256i x) {
  const __m256i by_two_bytes = _mm256_set_epi64x(0x09080f0e0d0c0b0aLL, 0x0100070605040302LL,
                                                 0x09080f0e0d0c0b0aLL, 0x0100070605040302LL);
  return _mm256_shuffle_epi8(x, by_two_bytes);
}
AVX2_INLINE __m256i rotr63(__m256i x) {
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

#ifndef GROUPS
#define GROUPS 2
#endif
#define LANES (4 * GROUPS)

/* Message word i of group g: word 0 is the group's nonces, the others are the same everywhere. */
#define MSG(g, i) ((i) == 0 ? nonces[g] : m[i])

/* One G step on the same four words of every group, message words by index. */
#define G_GROUPS(a, b, c, d, x, y)                                                                 \
  do {                                                                                             \
    for (int g_ = 0; g_ < GROUPS; g_++)                                                            \
      G_LANES(v[g_][a], v[g_][b], v[g_][c], v[g_][d], MSG(g_, x), MSG(g_, y));                     \
  } while (0)

__attribute__((target("avx2"))) void pp_blake2b_nano_avx2(const uint8_t root[32],
                                                          uint64_t threshold, uint64_t start,
                                                          uint64_t count, pp_result *out) {
  uint64_t root_words[4];
  for (int i = 0; i < 4; i++) root_words[i] = pp_load_le64(root + 8 * i);
  const uint64_t h0 = PP_BLAKE2B_IV[0] ^ PP_BLAKE2B_NANO_PARAM;

  /* The working vector after round 0's columns 1..3, which mix only constant words. */
  uint64_t init[16];
  init[0] = h0;
  for (int i = 1; i < 8; i++) init[i] = PP_BLAKE2B_IV[i];
  for (int i = 0; i < 8; i++) init[8 + i] = PP_BLAKE2B_IV[i];
  init[12] ^= PP_BLAKE2B_NANO_MESSAGE_LEN;
  init[14] = ~init[14];
  PP_BLAKE2B_G(init[1], init[5], init[9], init[13], root_words[1], root_words[2]);
  PP_BLAKE2B_G(init[2], init[6], init[10], init[14], root_words[3], 0);
  PP_BLAKE2B_G(init[3], init[7], init[11], init[15], 0, 0);

  /* Words 1..4 are the root; 5..15 are zero, so their additions fold away once unrolled. */
  __m256i m[16];
  m[0] = _mm256_setzero_si256(); /* unused: MSG() reads the nonces instead */
  for (int i = 0; i < 4; i++) m[1 + i] = _mm256_set1_epi64x((long long)root_words[i]);
  for (int i = 5; i < 16; i++) m[i] = _mm256_setzero_si256();
  const __m256i h0_lanes = _mm256_set1_epi64x((long long)h0);
  const __m256i lane_offsets = _mm256_set_epi64x(3, 2, 1, 0);

  for (uint64_t done = 0; done < count; done += LANES) {
    const uint64_t n = start + done;
    __m256i nonces[GROUPS], v[GROUPS][16];
    for (int g = 0; g < GROUPS; g++) {
      nonces[g] = _mm256_add_epi64(_mm256_set1_epi64x((long long)(n + 4 * g)), lane_offsets);
      for (int i = 0; i < 16; i++) v[g][i] = _mm256_set1_epi64x((long long)init[i]);
    }
    /* Round 0: column 0 (the only one with the nonce), then the diagonals. */
    G_GROUPS(0, 4, 8, 12, 0, 1);
    G_GROUPS(0, 5, 10, 15, 8, 9);
    G_GROUPS(1, 6, 11, 12, 10, 11);
    G_GROUPS(2, 7, 8, 13, 12, 13);
    G_GROUPS(3, 4, 9, 14, 14, 15);
#pragma GCC unroll 11
    for (int r = 1; r < 12; r++) {
      const uint8_t *s = PP_BLAKE2B_SIGMA[r];
      G_GROUPS(0, 4, 8, 12, s[0], s[1]);
      G_GROUPS(1, 5, 9, 13, s[2], s[3]);
      G_GROUPS(2, 6, 10, 14, s[4], s[5]);
      G_GROUPS(3, 7, 11, 15, s[6], s[7]);
      G_GROUPS(0, 5, 10, 15, s[8], s[9]);
      G_GROUPS(1, 6, 11, 12, s[10], s[11]);
      G_GROUPS(2, 7, 8, 13, s[12], s[13]);
      G_GROUPS(3, 4, 9, 14, s[14], s[15]);
    }
    /* Only the first 8 output bytes count: h0 ^ v0 ^ v8 (the rest of the feed-forward is dead). */
    uint64_t value[LANES];
    for (int g = 0; g < GROUPS; g++)
      _mm256_storeu_si256((__m256i *)(value + 4 * g),
                          _mm256_xor_si256(h0_lanes, _mm256_xor_si256(v[g][0], v[g][8])));
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
