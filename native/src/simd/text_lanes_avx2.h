/*
 * The decimal nonces of text_lanes.h as AVX2 message words: eight consecutive nonces, one per
 * 32-bit lane, from two decades at most (SHA-256 and SHA-1 read the same big-endian words).
 */
#ifndef PP_SIMD_TEXT_LANES_AVX2_H
#define PP_SIMD_TEXT_LANES_AVX2_H

#include "../scalar/common.h"
#include "lanes32_avx2.h"
#include "text_lanes.h"

/* Message words of varying block `block` for nonces n..n+7, n being the lanes' current nonce:
 * lanes past a decade boundary take the next decade's words, and every lane adds its last digit
 * to the byte that holds it. */
PP_AVX2_INLINE void lanes32_varying_words(const pp_decimal_lanes *lanes, unsigned block,
                                          __m256i w[16]) {
  const uint8_t *current = (const uint8_t *)pp_decimal_lanes_decade(lanes, 0) + PP_TEXT_BLOCK * block;
  const uint8_t *next = (const uint8_t *)pp_decimal_lanes_decade(lanes, 1) + PP_TEXT_BLOCK * block;
  const __m256i digit = lanes32_from(lanes->nonce_digit);
  const __m256i in_next = _mm256_cmpgt_epi32(digit, lanes32_set1(9));
  for (int i = 0; i < 16; i++)
    w[i] = _mm256_blendv_epi8(lanes32_set1(pp_load_be32(current + 4 * i)),
                              lanes32_set1(pp_load_be32(next + 4 * i)), in_next);
  const unsigned last_digit_at = lanes->layout.digits_at + lanes->layout.width - 1;
  if (last_digit_at / PP_TEXT_BLOCK == block) {
    const unsigned at = last_digit_at % PP_TEXT_BLOCK;
    const __m256i last_digit = _mm256_sub_epi32(digit, _mm256_and_si256(in_next, lanes32_set1(10)));
    const __m128i shift = _mm_cvtsi32_si128((int)(8 * (3 - at % 4)));
    w[at / 4] = _mm256_add_epi32(w[at / 4], _mm256_sll_epi32(last_digit, shift));
  }
}

#endif
