/*
 * Shared by the AVX2 text kernels (SHA-256 and SHA-1 use the same big-endian words): eight
 * consecutive decimal nonces, one per 32-bit lane, built from text_lanes.h's two decades.
 */
#ifndef PP_SIMD_TEXT_LANES_AVX2_H
#define PP_SIMD_TEXT_LANES_AVX2_H

#include <immintrin.h>

#include "../scalar/common.h"
#include "avx2.h"
#include "text_lanes.h"

#define PP_AVX2_LANES 8

/* 0, 1, .., 7: each lane's offset from the group's first nonce. */
PP_AVX2_INLINE __m256i pp_avx2_lane_offsets(void) {
  return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
}

/* Message words of varying block `block` for nonces n..n+7, n being the lanes' current nonce:
 * lanes past a decade boundary take the next decade's words, and every lane adds its last digit
 * to the byte that holds it. */
PP_AVX2_INLINE void pp_avx2_varying_words(const pp_decimal_lanes *lanes, unsigned block,
                                           __m256i w[16]) {
  const uint8_t *current = (const uint8_t *)lanes->decade[lanes->current] + PP_TEXT_BLOCK * block;
  const uint8_t *next = (const uint8_t *)lanes->decade[lanes->current ^ 1] + PP_TEXT_BLOCK * block;
  const __m256i digit =
      _mm256_add_epi32(pp_avx2_lane_offsets(), _mm256_set1_epi32((int)lanes->nonce_digit));
  const __m256i in_next = _mm256_cmpgt_epi32(digit, _mm256_set1_epi32(9));
  for (int i = 0; i < 16; i++)
    w[i] = _mm256_blendv_epi8(_mm256_set1_epi32((int)pp_load_be32(current + 4 * i)),
                              _mm256_set1_epi32((int)pp_load_be32(next + 4 * i)), in_next);
  const unsigned last_digit_at = lanes->layout.digits_at + lanes->layout.width - 1;
  if (last_digit_at / PP_TEXT_BLOCK == block) {
    const unsigned at = last_digit_at % PP_TEXT_BLOCK;
    const __m256i last_digit =
        _mm256_sub_epi32(digit, _mm256_and_si256(in_next, _mm256_set1_epi32(10)));
    const __m128i shift = _mm_cvtsi32_si128((int)(8 * (3 - at % 4)));
    w[at / 4] = _mm256_add_epi32(w[at / 4], _mm256_sll_epi32(last_digit, shift));
  }
}

/* The leading-zero-bits mask of a digest's first words, one word per vector in every lane;
 * returns how many words it covers (the rest need not be looked at). */
PP_AVX2_INLINE unsigned pp_avx2_zero_bits_mask(__m256i *mask, unsigned digest_words,
                                               unsigned zero_bits) {
  uint32_t words[8] = {0};
  pp_zero_bits_mask(words, digest_words, zero_bits);
  const unsigned used = (zero_bits + 31) / 32;
  for (unsigned i = 0; i < used; i++) mask[i] = _mm256_set1_epi32((int)words[i]);
  return used;
}

/* The digest words under the mask, OR-ed: zero in exactly the lanes that reach the zero bits. */
PP_AVX2_INLINE __m256i pp_avx2_masked(const __m256i *digest, const __m256i *mask, unsigned used) {
  __m256i masked = _mm256_setzero_si256();
  for (unsigned i = 0; i < used; i++)
    masked = _mm256_or_si256(masked, _mm256_and_si256(digest[i], mask[i]));
  return masked;
}

/* Bit l set when lane l's value is zero. */
PP_AVX2_INLINE unsigned pp_avx2_zero_lanes(__m256i value) {
  return (unsigned)_mm256_movemask_ps(
      _mm256_castsi256_ps(_mm256_cmpeq_epi32(value, _mm256_setzero_si256())));
}

#endif
