/*
 * Shared by the multi-lane text kernels (SHA-256 and SHA-1): consecutive decimal nonces without
 * touching bytes per attempt, and the mask of digest bits a passing hash must have zero.
 *
 * Decimal lanes: the varying blocks (those holding the digits) are kept as raw 16-byte quads for
 * two "decades", the one holding the current nonce with its last digit '0' and the next one. A
 * lane's block is its decade's quads plus the last digit added to one byte, so an attempt costs a
 * few register adds and the byte odometer runs once per ten nonces. (Writing digit bytes and then
 * loading the block as vectors for every attempt would stall on store-to-load forwarding.)
 *
 * The kernel applies its own byte order (SHA-256 and SHA-1 place words differently) to the quads.
 */
#ifndef PP_SIMD_TEXT_LANES_H
#define PP_SIMD_TEXT_LANES_H

#include <emmintrin.h>

#include "../scalar/text_layout.h"

#define PP_VARYING_QUADS (sizeof(((pp_text_layout *)0)->varying) / 16)

typedef struct {
  pp_text_layout layout;               /* its digits hold the next decade */
  __m128i decade[2][PP_VARYING_QUADS]; /* raw varying quads of two decades: current and next */
  unsigned current;                    /* which of the two is the current decade */
  __m128i last_digit[10];              /* d at the last digit's byte, zero elsewhere */
  unsigned last_digit_quad;            /* the quad holding the last digit */
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

static inline void pp_decimal_lanes_load(const pp_decimal_lanes *lanes, __m128i *quads) {
  for (unsigned q = 0; q < lanes->quads; q++)
    quads[q] = _mm_loadu_si128((const __m128i *)(lanes->layout.varying + 16 * q));
}

/* Lay out prefix || digits || suffix with `start` as the current nonce. */
static inline void pp_decimal_lanes_init(pp_decimal_lanes *lanes, const uint8_t *prefix,
                                         size_t prefix_len, const uint8_t *suffix,
                                         size_t suffix_len, unsigned width, uint64_t start) {
  pp_text_layout_init(&lanes->layout, prefix, prefix_len, suffix, suffix_len, width,
                      start - start % 10);
  lanes->quads = lanes->layout.varying_blocks * PP_TEXT_BLOCK / 16;
  lanes->nonce_digit = (unsigned)(start % 10);
  const unsigned last_digit_at = lanes->layout.digits_at + width - 1;
  lanes->last_digit_quad = last_digit_at / 16;
  for (int d = 0; d < 10; d++) {
    uint8_t bytes[16] = {0};
    bytes[last_digit_at % 16] = (uint8_t)d;
    lanes->last_digit[d] = _mm_loadu_si128((const __m128i *)bytes);
  }
  lanes->current = 0;
  pp_decimal_lanes_load(lanes, lanes->decade[0]);
  pp_decimal_lanes_next_decade(&lanes->layout);
  pp_decimal_lanes_load(lanes, lanes->decade[1]);
}

/* Raw quads of varying block `block` for the current nonce + offset (offset < 10). */
static inline void pp_decimal_lanes_block(const pp_decimal_lanes *lanes, unsigned offset,
                                          unsigned block, __m128i quads[4]) {
  unsigned digit = lanes->nonce_digit + offset;
  const __m128i *decade = lanes->decade[lanes->current ^ (digit >= 10)] + 4 * block;
  if (digit >= 10) digit -= 10;
  for (unsigned q = 0; q < 4; q++) quads[q] = decade[q];
  if (lanes->last_digit_quad / 4 == block)
    quads[lanes->last_digit_quad % 4] =
        _mm_add_epi8(quads[lanes->last_digit_quad % 4], lanes->last_digit[digit]);
}

/* Move the current nonce forward by step (< 10). */
static inline void pp_decimal_lanes_advance(pp_decimal_lanes *lanes, unsigned step) {
  lanes->nonce_digit += step;
  if (lanes->nonce_digit < 10) return;
  lanes->nonce_digit -= 10;
  pp_decimal_lanes_next_decade(&lanes->layout);
  pp_decimal_lanes_load(lanes, lanes->decade[lanes->current]); /* the decade just left */
  lanes->current ^= 1;
}

/* The digest words' bits that must be zero for `zero_bits` leading zero bits (big-endian). */
static inline void pp_zero_bits_mask(uint32_t *mask, unsigned words, unsigned zero_bits) {
  for (unsigned i = 0; i < words; i++) {
    const unsigned bits = zero_bits > 32 * i ? zero_bits - 32 * i : 0;
    mask[i] = bits >= 32 ? 0xffffffffu : bits == 0 ? 0 : ~(0xffffffffu >> bits);
  }
}

#endif
