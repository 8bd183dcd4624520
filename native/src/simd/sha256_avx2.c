/*
 * SHA-256 kernels with AVX2, for x86-64 CPUs without the SHA extensions (Intel cores before Ice
 * Lake): eight consecutive nonces, one per 32-bit lane. Lanes are checked in order, so the first
 * passing nonce is the one returned, as in the scalar kernels.
 */
#include "../kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "../scalar/common.h"
#include "../scalar/sha256.h"
#include "../scalar/text_layout.h"
#include "sha256_target.h"
#include "text_lanes.h"
#include "text_lanes_avx2.h"


PP_AVX2_INLINE __m256i add(__m256i a, __m256i b) { return _mm256_add_epi32(a, b); }
PP_AVX2_INLINE __m256i rotr(__m256i x, int n) {
  return _mm256_or_si256(_mm256_srli_epi32(x, n), _mm256_slli_epi32(x, 32 - n));
}
PP_AVX2_INLINE __m256i big_sigma0(__m256i a) { return pp_avx2_xor3(rotr(a, 2), rotr(a, 13), rotr(a, 22)); }
PP_AVX2_INLINE __m256i big_sigma1(__m256i e) { return pp_avx2_xor3(rotr(e, 6), rotr(e, 11), rotr(e, 25)); }
PP_AVX2_INLINE __m256i small_sigma0(__m256i w) {
  return pp_avx2_xor3(rotr(w, 7), rotr(w, 18), _mm256_srli_epi32(w, 3));
}
PP_AVX2_INLINE __m256i small_sigma1(__m256i w) {
  return pp_avx2_xor3(rotr(w, 17), rotr(w, 19), _mm256_srli_epi32(w, 10));
}
PP_AVX2_INLINE __m256i choose(__m256i e, __m256i f, __m256i g) {
  return _mm256_xor_si256(_mm256_and_si256(e, f), _mm256_andnot_si256(e, g));
}
PP_AVX2_INLINE __m256i majority(__m256i a, __m256i b, __m256i c) {
  return _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)));
}

#define SHA256_ROUND(a, b, c, d, e, f, g, h, t)                                                    \
  do {                                                                                             \
    if ((t) >= 16)                                                                                 \
      w[(t) & 15] = add(add(small_sigma1(w[((t) - 2) & 15]), w[((t) - 7) & 15]),                   \
                        add(small_sigma0(w[((t) - 15) & 15]), w[(t) & 15]));                       \
    const __m256i t1 = add(add(h, big_sigma1(e)), add(choose(e, f, g), add(w[(t) & 15], k[t])));   \
    d = add(d, t1);                                                                                \
    h = add(t1, add(big_sigma0(a), majority(a, b, c)));                                            \
  } while (0)

/* One compression of eight lanes, feed-forward included; w is the message and the schedule
 * ring; k holds the round constants broadcast to every lane. */
PP_AVX2_INLINE void sha256x8_compress(__m256i s[8], __m256i w[16], const __m256i k[64]) {
  __m256i a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
#pragma GCC unroll 8
  for (int t = 0; t < 64; t += 8) {
    SHA256_ROUND(a, b, c, d, e, f, g, h, t);
    SHA256_ROUND(h, a, b, c, d, e, f, g, t + 1);
    SHA256_ROUND(g, h, a, b, c, d, e, f, t + 2);
    SHA256_ROUND(f, g, h, a, b, c, d, e, t + 3);
    SHA256_ROUND(e, f, g, h, a, b, c, d, t + 4);
    SHA256_ROUND(d, e, f, g, h, a, b, c, t + 5);
    SHA256_ROUND(c, d, e, f, g, h, a, b, t + 6);
    SHA256_ROUND(b, c, d, e, f, g, h, a, t + 7);
  }
  s[0] = add(s[0], a);
  s[1] = add(s[1], b);
  s[2] = add(s[2], c);
  s[3] = add(s[3], d);
  s[4] = add(s[4], e);
  s[5] = add(s[5], f);
  s[6] = add(s[6], g);
  s[7] = add(s[7], h);
}

PP_AVX2_INLINE void broadcast_constants(__m256i k[64]) {
  for (int t = 0; t < 64; t++) k[t] = _mm256_set1_epi32((int)PP_SHA256_K[t]);
}

/* Compress the same 64-byte block (shared by all lanes) into every lane. */
PP_AVX2_INLINE void compress_shared(__m256i s[8], const uint8_t *block, const __m256i k[64]) {
  __m256i w[16];
  for (int i = 0; i < 16; i++) w[i] = _mm256_set1_epi32((int)pp_load_be32(block + 4 * i));
  sha256x8_compress(s, w, k);
}

__attribute__((target("avx2"))) void pp_sha256_text_avx2(
    const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix, size_t suffix_len,
    unsigned width, unsigned zero_bits, uint64_t start, uint64_t count, pp_result *out) {
  pp_decimal_lanes lanes;
  pp_decimal_lanes_init(&lanes, prefix, prefix_len, suffix, suffix_len, width, start);
  const pp_text_layout *layout = &lanes.layout;
  __m256i k[64];
  broadcast_constants(k);

  uint32_t midstate_words[8];
  for (int i = 0; i < 8; i++) midstate_words[i] = PP_SHA256_IV[i];
  for (size_t b = 0; b < layout->prefix_blocks; b++)
    pp_sha256_compress(midstate_words, prefix + PP_TEXT_BLOCK * b);
  __m256i mask[8];
  const unsigned mask_count = pp_avx2_zero_bits_mask(mask, 8, zero_bits);

  for (uint64_t done = 0; done < count; done += PP_AVX2_LANES) {
    __m256i s[8], w[16];
    for (int i = 0; i < 8; i++) s[i] = _mm256_set1_epi32((int)midstate_words[i]);
    for (unsigned b = 0; b < layout->varying_blocks; b++) {
      pp_avx2_varying_words(&lanes, b, w);
      sha256x8_compress(s, w, k);
    }
    for (size_t b = 0; b < layout->direct_blocks; b++)
      compress_shared(s, layout->direct + PP_TEXT_BLOCK * b, k);
    for (unsigned b = 0; b < layout->final_blocks; b++)
      compress_shared(s, layout->final + PP_TEXT_BLOCK * b, k);
    pp_decimal_lanes_advance(&lanes, PP_AVX2_LANES);

    const __m256i masked = pp_avx2_masked(s, mask, mask_count);
    if (pp_avx2_first_lane(pp_avx2_zero_lanes(masked), start, done, count, out)) return;
  }
  pp_result_none(out, count);
}

__attribute__((target("avx2"))) void pp_sha256d_header_avx2(const uint8_t header[80],
                                                           const uint8_t target_le[32],
                                                           uint64_t start, uint64_t count,
                                                           pp_result *out) {
  __m256i k[64];
  broadcast_constants(k);
  uint32_t midstate_words[8];
  for (int i = 0; i < 8; i++) midstate_words[i] = PP_SHA256_IV[i];
  pp_sha256_compress(midstate_words, header);
  const __m256i bswap32 = _mm256_setr_epi8(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12,
                                           3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
  /* Unsigned compare of the hash's top 32 bits (byte-swapped H7) as signed, both offset by 2^31. */
  const __m256i sign = _mm256_set1_epi32((int)0x80000000u);
  const uint32_t target_top = pp_load_le32(target_le + 28);
  const __m256i target_top_signed = _mm256_set1_epi32((int)(target_top ^ 0x80000000u));

  for (uint64_t done = 0; done < count; done += PP_AVX2_LANES) {
    const __m256i nonces =
        add(_mm256_set1_epi32((int)(uint32_t)(start + done)), pp_avx2_lane_offsets());
    __m256i s[8], w[16];
    for (int i = 0; i < 8; i++) s[i] = _mm256_set1_epi32((int)midstate_words[i]);
    for (int i = 0; i < 3; i++) w[i] = _mm256_set1_epi32((int)pp_load_be32(header + 64 + 4 * i));
    w[3] = _mm256_shuffle_epi8(nonces, bswap32);
    w[4] = sign; /* the 0x80 pad byte */
    for (int i = 5; i < 15; i++) w[i] = _mm256_setzero_si256();
    w[15] = _mm256_set1_epi32(640);
    sha256x8_compress(s, w, k);
    for (int i = 0; i < 8; i++) {
      w[i] = s[i];
      s[i] = _mm256_set1_epi32((int)PP_SHA256_IV[i]);
    }
    w[8] = sign;
    for (int i = 9; i < 15; i++) w[i] = _mm256_setzero_si256();
    w[15] = _mm256_set1_epi32(256);
    sha256x8_compress(s, w, k);

    const __m256i top = _mm256_shuffle_epi8(s[7], bswap32);
    const __m256i above = _mm256_cmpgt_epi32(_mm256_xor_si256(top, sign), target_top_signed);
    unsigned candidates = ~(unsigned)_mm256_movemask_ps(_mm256_castsi256_ps(above)) & 0xffu;
    const unsigned tied =
        pp_avx2_zero_lanes(_mm256_xor_si256(top, _mm256_set1_epi32((int)target_top)));
    if ((candidates & tied) != 0) {
      /* The top words tie: compare the whole hash of those lanes. */
      uint32_t words[8][PP_AVX2_LANES];
      for (int i = 0; i < 8; i++) _mm256_storeu_si256((__m256i *)words[i], s[i]);
      for (unsigned l = 0; l < PP_AVX2_LANES; l++) {
        if (!(candidates & tied & (1u << l))) continue;
        uint32_t hash[8];
        for (int i = 0; i < 8; i++) hash[i] = words[i][l];
        if (!pp_hash_le_at_most(hash, target_le)) candidates &= ~(1u << l);
      }
    }
    if (pp_avx2_first_lane(candidates, start, done, count, out)) return;
  }
  pp_result_none(out, count);
}

#endif
