#include "text_layout.h"

#include "common.h"

/* Byte `at` of the padded message prefix || digits || suffix || 0x80 0.. || bit length (BE64). */
static uint8_t padded_byte(const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix,
                           size_t suffix_len, unsigned width, size_t padded_len, size_t at) {
  const size_t message_len = prefix_len + width + suffix_len;
  if (at < prefix_len) return prefix[at];
  if (at < prefix_len + width) return '0';
  if (at < message_len) return suffix[at - prefix_len - width];
  if (at == message_len) return 0x80;
  const size_t length_at = padded_len - 8;
  if (at < length_at) return 0;
  const uint64_t bits = (uint64_t)message_len * 8;
  return (uint8_t)(bits >> (8 * (7 - (at - length_at))));
}

void pp_text_layout_init(pp_text_layout *layout, const uint8_t *prefix, size_t prefix_len,
                         const uint8_t *suffix, size_t suffix_len, unsigned width, uint64_t start) {
  const size_t message_len = prefix_len + width + suffix_len;
  const size_t padded_len = (message_len + 8) / PP_TEXT_BLOCK * PP_TEXT_BLOCK + PP_TEXT_BLOCK;
  const size_t total_blocks = padded_len / PP_TEXT_BLOCK;
  const size_t first_varying = prefix_len / PP_TEXT_BLOCK;
  const size_t end_varying = (prefix_len + width - 1) / PP_TEXT_BLOCK + 1;

  layout->prefix_blocks = first_varying;
  layout->varying_blocks = (unsigned)(end_varying - first_varying);
  layout->digits_at = (unsigned)(prefix_len - first_varying * PP_TEXT_BLOCK);
  layout->width = width;
  for (size_t i = 0; i < layout->varying_blocks * PP_TEXT_BLOCK; i++)
    layout->varying[i] = padded_byte(prefix, prefix_len, suffix, suffix_len, width, padded_len,
                                     first_varying * PP_TEXT_BLOCK + i);

  /* Blocks after the digits lying wholly inside the suffix are hashed in place. */
  const size_t suffix_at = prefix_len + width;
  const size_t first_direct = end_varying;
  size_t block = first_direct;
  while ((block + 1) * PP_TEXT_BLOCK <= message_len) block++;
  layout->direct_blocks = block - first_direct;
  layout->direct = layout->direct_blocks ? suffix + (first_direct * PP_TEXT_BLOCK - suffix_at) : 0;
  layout->final_blocks = (unsigned)(total_blocks - block);
  for (size_t i = 0; i < layout->final_blocks * PP_TEXT_BLOCK; i++)
    layout->final[i] = padded_byte(prefix, prefix_len, suffix, suffix_len, width, padded_len,
                                   block * PP_TEXT_BLOCK + i);

  /* Write `start` right-aligned into the zero digits. */
  uint8_t *digit = layout->varying + layout->digits_at + width;
  for (uint64_t rest = start; rest != 0; rest /= 10) *--digit = (uint8_t)('0' + rest % 10);
}

void pp_text_scan(const uint32_t *iv, unsigned state_words, pp_block_fn compress,
                  const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix,
                  size_t suffix_len, unsigned width, unsigned zero_bits, uint64_t start,
                  uint64_t count, pp_result *out) {
  pp_text_layout layout;
  pp_text_layout_init(&layout, prefix, prefix_len, suffix, suffix_len, width, start);
  uint32_t midstate[8];
  for (unsigned w = 0; w < state_words; w++) midstate[w] = iv[w];
  for (size_t b = 0; b < layout.prefix_blocks; b++) compress(midstate, prefix + b * PP_TEXT_BLOCK);

  for (uint64_t i = 0; i < count; i++) {
    uint32_t state[8];
    for (unsigned w = 0; w < state_words; w++) state[w] = midstate[w];
    for (unsigned b = 0; b < layout.varying_blocks; b++)
      compress(state, layout.varying + b * PP_TEXT_BLOCK);
    for (size_t b = 0; b < layout.direct_blocks; b++)
      compress(state, layout.direct + b * PP_TEXT_BLOCK);
    for (unsigned b = 0; b < layout.final_blocks; b++)
      compress(state, layout.final + b * PP_TEXT_BLOCK);
    if (pp_has_leading_zero_bits(state, state_words, zero_bits)) {
      pp_result_found(out, start + i, i + 1);
      return;
    }
    if (i + 1 < count) pp_text_layout_next(&layout);
  }
  pp_result_none(out, count);
}
