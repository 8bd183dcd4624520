/*
 * Hashcash v1 (SHA-1 text) with AVX2, for x86-64 CPUs without the SHA extensions: eight
 * consecutive nonces, one per 32-bit lane, checked in order so the first passing nonce wins.
 */
#include "../kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "../scalar/common.h"
#include "../scalar/sha1.h"
#include "../scalar/text_layout.h"
#include "text_lanes.h"
#include "text_lanes_avx2.h"


PP_AVX2_INLINE __m256i add(__m256i a, __m256i b) { return _mm256_add_epi32(a, b); }
PP_AVX2_INLINE __m256i rotl(__m256i x, int n) {
  return _mm256_or_si256(_mm256_slli_epi32(x, n), _mm256_srli_epi32(x, 32 - n));
}
/* The round function of rounds 20q..20q+19. */
PP_AVX2_INLINE __m256i round_function(int q, __m256i b, __m256i c, __m256i d) {
  if (q == 0) return pp_avx2_choose(b, c, d);
  if (q == 2) return pp_avx2_majority(b, c, d);
  return pp_avx2_xor3(b, c, d);
}

/* One round in place: e takes the new a, b is rotated; the caller rotates the names. */
#define SHA1_ROUND(a, b, c, d, e, t)                                                               \
  do {                                                                                             \
    if ((t) >= 16)                                                                                 \
      w[(t) & 15] = rotl(_mm256_xor_si256(pp_avx2_xor3(w[((t) - 3) & 15], w[((t) - 8) & 15],  \
                                                       w[((t) - 14) & 15]),                        \
                                          w[(t) & 15]),                                            \
                         1);                                                                       \
    e = add(add(e, rotl(a, 5)),                                                                    \
            add(round_function((t) / 20, b, c, d), add(w[(t) & 15], k[(t) / 20])));                \
    b = rotl(b, 30);                                                                               \
  } while (0)

/* One compression of eight lanes, feed-forward included; w is the message and schedule ring. */
PP_AVX2_INLINE void sha1x8_compress(__m256i s[5], __m256i w[16]) {
  __m256i k[4];
  for (int i = 0; i < 4; i++) k[i] = _mm256_set1_epi32((int)PP_SHA1_K[i]);
  __m256i a = s[0], b = s[1], c = s[2], d = s[3], e = s[4];
#pragma GCC unroll 16
  for (int t = 0; t < 80; t += 5) {
    SHA1_ROUND(a, b, c, d, e, t);
    SHA1_ROUND(e, a, b, c, d, t + 1);
    SHA1_ROUND(d, e, a, b, c, t + 2);
    SHA1_ROUND(c, d, e, a, b, t + 3);
    SHA1_ROUND(b, c, d, e, a, t + 4);
  }
  s[0] = add(s[0], a);
  s[1] = add(s[1], b);
  s[2] = add(s[2], c);
  s[3] = add(s[3], d);
  s[4] = add(s[4], e);
}

/* Compress the same 64-byte block (shared by all lanes) into every lane. */
PP_AVX2_INLINE void compress_shared(__m256i s[5], const uint8_t *block) {
  __m256i w[16];
  for (int i = 0; i < 16; i++) w[i] = _mm256_set1_epi32((int)pp_load_be32(block + 4 * i));
  sha1x8_compress(s, w);
}

__attribute__((target("avx2"))) void pp_sha1_text_avx2(const uint8_t *prefix, size_t prefix_len,
                                                       const uint8_t *suffix, size_t suffix_len,
                                                       unsigned width, unsigned zero_bits,
                                                       uint64_t start, uint64_t count,
                                                       pp_result *out) {
  pp_decimal_lanes lanes;
  pp_decimal_lanes_init(&lanes, prefix, prefix_len, suffix, suffix_len, width, start);
  const pp_text_layout *layout = &lanes.layout;

  uint32_t midstate_words[5];
  for (int i = 0; i < 5; i++) midstate_words[i] = PP_SHA1_IV[i];
  for (size_t b = 0; b < layout->prefix_blocks; b++)
    pp_sha1_compress(midstate_words, prefix + PP_TEXT_BLOCK * b);
  __m256i mask[5];
  const unsigned mask_count = pp_avx2_zero_bits_mask(mask, 5, zero_bits);

  for (uint64_t done = 0; done < count; done += PP_AVX2_LANES) {
    __m256i s[5], w[16];
    for (int i = 0; i < 5; i++) s[i] = _mm256_set1_epi32((int)midstate_words[i]);
    for (unsigned b = 0; b < layout->varying_blocks; b++) {
      pp_avx2_varying_words(&lanes, b, w);
      sha1x8_compress(s, w);
    }
    for (size_t b = 0; b < layout->direct_blocks; b++)
      compress_shared(s, layout->direct + PP_TEXT_BLOCK * b);
    for (unsigned b = 0; b < layout->final_blocks; b++)
      compress_shared(s, layout->final + PP_TEXT_BLOCK * b);
    pp_decimal_lanes_advance(&lanes, PP_AVX2_LANES);

    const __m256i masked = pp_avx2_masked(s, mask, mask_count);
    if (pp_result_first_lane(pp_avx2_zero_lanes(masked), start + done, done, count, out)) return;
  }
  pp_result_none(out, count);
}

#endif
