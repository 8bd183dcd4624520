/*
 * Shared by the multi-lane text kernels (SHA-256 and SHA-1): consecutive decimal nonces without
 * touching bytes per attempt, and the mask of digest bits a passing hash must have zero.
 *
 * Decimal lanes: the varying blocks (those holding the digits) are kept as raw 16-byte quads for
 * three "decades", the one holding the current nonce with its last digit '0' and the two after it
 * (sixteen lanes from a nonce ending in 9 reach two decades further). A lane's block is its
 * decade's quads plus the last digit added to one byte, so an attempt costs a few register adds and
 * the byte odometer runs once per ten nonces. (Writing digit bytes and then
 * loading the block as vectors for every attempt would stall on store-to-load forwarding.)
 *
 * The quads are stored in the byte order the kernel asks for (SHA-256 and SHA-1 place words
 * differently), so no attempt shuffles them: the shuffle runs once per decade, when a decade is
 * loaded. That is exact because adding a digit never carries out of its byte ('0' + 9 = '9'), so
 * a byte's value does not depend on where the shuffle puts it.
 */
#ifndef PP_SIMD_TEXT_LANES_H
#define PP_SIMD_TEXT_LANES_H

#if defined(PP_AVX512_EMULATED)
/* The emulated AVX-512 test build takes every intrinsic from SIMDe (see avx512.h). */
#include "avx512.h"
#define PP_TEXT_LANES_FN static inline
#else
#include <tmmintrin.h>
/* Inlined into SSE4.1, AVX2 and AVX-512 kernels alike, which all include SSSE3's byte shuffle. */
#define PP_TEXT_LANES_FN static inline __attribute__((target("ssse3")))
#endif

#include "../scalar/text_layout.h"

#define PP_VARYING_QUADS (sizeof(((pp_text_layout *)0)->varying) / 16)

/* Decades held at once: a group of lanes may start at a nonce ending in 9 and span 19 more. */
#define PP_DECADES 3

typedef struct {
  pp_text_layout layout;                        /* its digits hold the last decade loaded */
  __m128i order;                                /* byte shuffle applied to every stored quad */
  __m128i decade[PP_DECADES][PP_VARYING_QUADS]; /* varying quads of three consecutive decades */
  uint8_t ahead[PP_DECADES];                    /* decade[ahead[k]] is k decades after the current */
  /* Per last digit d, what to add to each quad: d at the last digit's byte, zero elsewhere. One
   * vector per quad (not one index) keeps the kernels' message arrays free of run-time indices,
   * which would force them out of registers into memory. */
  __m128i digit_add[10][PP_VARYING_QUADS];
  unsigned quads;                      /* quads in the varying blocks */
  unsigned nonce_digit;                /* last digit of the current nonce */
} pp_decimal_lanes;

/* Add 10 to the digits of the layout; past the largest nonce the digits wrap, and no lane that
 * holds such a nonce is ever checked. */
static inline void pp_decimal_lanes_next_decade(pp_text_layout *layout) {
  uint8_t *first = layout->varying + layout->digits_at;
  for (uint8_t *digit = first + layout->width - 1; digit-- > first;) {
    if (*digit != '9') {
      ++*digit;
      return;
    }
    *digit = '0';
  }
}

PP_TEXT_LANES_FN void pp_decimal_lanes_load(const pp_decimal_lanes *lanes, __m128i *quads) {
  for (unsigned q = 0; q < lanes->quads; q++)
    quads[q] = _mm_shuffle_epi8(
        _mm_loadu_si128((const __m128i *)(lanes->layout.varying + 16 * q)), lanes->order);
}

/* Lay out prefix || digits || suffix with `start` as the current nonce, the quads' bytes placed
 * by `order` (quad byte i = raw byte order[i]). */
PP_TEXT_LANES_FN void pp_decimal_lanes_init_ordered(pp_decimal_lanes *lanes, const uint8_t *prefix,
                                                    size_t prefix_len, const uint8_t *suffix,
                                                    size_t suffix_len, unsigned width,
                                                    uint64_t start, __m128i order) {
  lanes->order = order;
  pp_text_layout_init(&lanes->layout, prefix, prefix_len, suffix, suffix_len, width,
                      start - start % 10);
  lanes->quads = lanes->layout.varying_blocks * PP_TEXT_BLOCK / 16;
  lanes->nonce_digit = (unsigned)(start % 10);
  const unsigned last_digit_at = lanes->layout.digits_at + width - 1;
  for (int d = 0; d < 10; d++) {
    uint8_t bytes[PP_VARYING_QUADS * 16] = {0};
    bytes[last_digit_at] = (uint8_t)d;
    for (unsigned q = 0; q < PP_VARYING_QUADS; q++)
      lanes->digit_add[d][q] =
          _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(bytes + 16 * q)), order);
  }
  for (int k = 0; k < PP_DECADES; k++) {
    if (k > 0) pp_decimal_lanes_next_decade(&lanes->layout);
    lanes->ahead[k] = (uint8_t)k;
    pp_decimal_lanes_load(lanes, lanes->decade[k]);
  }
}

/* The varying quads of the decade `ahead` (< PP_DECADES) after the current one. */
static inline const __m128i *pp_decimal_lanes_decade(const pp_decimal_lanes *lanes, unsigned ahead) {
  return lanes->decade[lanes->ahead[ahead]];
}

/* The same with the quads as raw bytes, for kernels that read them as bytes. */
PP_TEXT_LANES_FN void pp_decimal_lanes_init(pp_decimal_lanes *lanes, const uint8_t *prefix,
                                            size_t prefix_len, const uint8_t *suffix,
                                            size_t suffix_len, unsigned width, uint64_t start) {
  const __m128i identity = _mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  pp_decimal_lanes_init_ordered(lanes, prefix, prefix_len, suffix, suffix_len, width, start,
                                identity);
}

/* Quads of varying block `block` for the current nonce + offset (offset < 10). */
PP_TEXT_LANES_FN void pp_decimal_lanes_block(const pp_decimal_lanes *lanes, unsigned offset,
                                             unsigned block, __m128i quads[4]) {
  unsigned digit = lanes->nonce_digit + offset;
  const __m128i *decade = pp_decimal_lanes_decade(lanes, digit >= 10) + 4 * block;
  if (digit >= 10) digit -= 10;
  const __m128i *add = lanes->digit_add[digit] + 4 * block;
  for (unsigned q = 0; q < 4; q++) quads[q] = _mm_add_epi8(decade[q], add[q]);
}

/* Move the current nonce forward by step (< 20): each decade left is reloaded as the one after
 * the last. */
PP_TEXT_LANES_FN void pp_decimal_lanes_advance(pp_decimal_lanes *lanes, unsigned step) {
  lanes->nonce_digit += step;
  while (lanes->nonce_digit >= 10) {
    lanes->nonce_digit -= 10;
    const uint8_t left = lanes->ahead[0];
    pp_decimal_lanes_next_decade(&lanes->layout);
    pp_decimal_lanes_load(lanes, lanes->decade[left]);
    for (int k = 0; k + 1 < PP_DECADES; k++) lanes->ahead[k] = lanes->ahead[k + 1];
    lanes->ahead[PP_DECADES - 1] = left;
  }
}

/* The digest words' bits that must be zero for `zero_bits` leading zero bits (big-endian). */
static inline void pp_zero_bits_mask(uint32_t *mask, unsigned words, unsigned zero_bits) {
  for (unsigned i = 0; i < words; i++) {
    const unsigned bits = zero_bits > 32 * i ? zero_bits - 32 * i : 0;
    mask[i] = bits >= 32 ? 0xffffffffu : bits == 0 ? 0 : ~(0xffffffffu >> bits);
  }
}

#endif
