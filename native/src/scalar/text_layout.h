/*
 * The padded message of a text task, laid out once per call so each attempt rehashes only what the
 * nonce changes. SHA-256 and SHA-1 share the 64-byte block and the big-endian bit-length padding.
 *
 *   prefix full blocks | varying blocks (hold the digits) | direct blocks | final blocks
 *   hashed once         rebuilt by the odometer             suffix bytes    suffix end + padding
 *   per call            per attempt                         in place
 */
#ifndef PP_SCALAR_TEXT_LAYOUT_H
#define PP_SCALAR_TEXT_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "../kernels.h"

#define PP_TEXT_BLOCK 64u
#define PP_TEXT_MAX_WIDTH 19u

typedef struct {
  size_t prefix_blocks;      /* full prefix blocks before the digits: the midstate */
  uint8_t varying[128];      /* the 1 or 2 blocks that hold a digit */
  unsigned varying_blocks;
  unsigned digits_at;        /* offset of the first digit in `varying` */
  unsigned width;
  const uint8_t *direct;     /* whole suffix blocks hashed straight from the caller's buffer */
  size_t direct_blocks;
  uint8_t final[128];        /* the blocks after those, holding the end of the message + padding */
  unsigned final_blocks;
} pp_text_layout;

/* Lay out prefix || digits(start) || suffix. width is 1..19. */
void pp_text_layout_init(pp_text_layout *layout, const uint8_t *prefix, size_t prefix_len,
                         const uint8_t *suffix, size_t suffix_len, unsigned width, uint64_t start);

/* Advance the digits to the next nonce (the caller never steps past 10^width - 1). */
static inline void pp_text_layout_next(pp_text_layout *layout) {
  uint8_t *digit = layout->varying + layout->digits_at + layout->width - 1;
  while (*digit == '9') *digit-- = '0';
  ++*digit;
}

/* A 64-byte-block compression function over a state of 32-bit words (SHA-256, SHA-1). */
typedef void (*pp_block_fn)(uint32_t *state, const uint8_t *block);

/* The whole text kernel for one hash family: iv/state_words/compress name the hash. */
void pp_text_scan(const uint32_t *iv, unsigned state_words, pp_block_fn compress,
                  const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix,
                  size_t suffix_len, unsigned width, unsigned zero_bits, uint64_t start,
                  uint64_t count, pp_result *out);

#endif
