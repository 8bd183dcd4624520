/*
 * The decimal nonces of text_lanes.h as AVX-512 message words: sixteen consecutive nonces, one
 * per 32-bit lane, from three decades at most (SHA-256 and SHA-1 read the same big-endian words).
 */
#ifndef PP_SIMD_TEXT_LANES_AVX512_H
#define PP_SIMD_TEXT_LANES_AVX512_H

#include "../scalar/common.h"
#include "lanes32_avx512.h"
#include "text_lanes.h"

/* Message words of varying block `block` for nonces n..n+15, n being the lanes' current nonce:
 * lanes past one or two decade boundaries take those decades' words, and every lane adds its last
 * digit to the byte that holds it. */
PP_AVX512_INLINE void lanes32_varying_words(const pp_decimal_lanes *lanes, unsigned block,
                                            __m512i w[16]) {
  const uint8_t *decade[PP_DECADES];
  for (unsigned k = 0; k < PP_DECADES; k++)
    decade[k] = (const uint8_t *)pp_decimal_lanes_decade(lanes, k) + PP_TEXT_BLOCK * block;
  const __m512i digit = lanes32_from(lanes->nonce_digit);
  /* Lane masks (__mmask16, a uint16_t) of the lanes in the next decade or further, and in the one
   * after that. */
  const uint16_t in_next = _mm512_cmpge_epu32_mask(digit, lanes32_set1(10));
  const uint16_t in_after = _mm512_cmpge_epu32_mask(digit, lanes32_set1(20));
  for (int i = 0; i < 16; i++) {
    const __m512i first = _mm512_mask_blend_epi32(in_next, lanes32_set1(pp_load_be32(decade[0] + 4 * i)),
                                                  lanes32_set1(pp_load_be32(decade[1] + 4 * i)));
    w[i] = _mm512_mask_blend_epi32(in_after, first, lanes32_set1(pp_load_be32(decade[2] + 4 * i)));
  }
  const unsigned last_digit_at = lanes->layout.digits_at + lanes->layout.width - 1;
  if (last_digit_at / PP_TEXT_BLOCK == block) {
    const unsigned at = last_digit_at % PP_TEXT_BLOCK;
    const __m512i ten = lanes32_set1(10);
    const __m512i less_one = _mm512_mask_sub_epi32(digit, in_next, digit, ten);
    const __m512i last_digit = _mm512_mask_sub_epi32(less_one, in_after, less_one, ten);
    const __m128i shift = _mm_cvtsi32_si128((int)(8 * (3 - at % 4)));
    w[at / 4] = _mm512_add_epi32(w[at / 4], _mm512_sll_epi32(last_digit, shift));
  }
}

#endif
