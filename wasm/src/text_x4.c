#include "text_x4.h"

#include "../../native/src/scalar/common.h"

#define LANES 4u

static void load_block(u32x4 w[16], const uint8_t *block) {
  for (int i = 0; i < 16; i++) w[i] = splat32x4(pp_load_be32(block + 4 * i));
}

void pp_text_scan_x4(const pp_hash_x4 *hash, const uint8_t *prefix, size_t prefix_len,
                     const uint8_t *suffix, size_t suffix_len, unsigned width, unsigned zero_bits,
                     uint64_t start, uint64_t count, pp_result *out) {
  const unsigned words = hash->state_words;
  pp_text_layout layout;
  pp_text_layout_init(&layout, prefix, prefix_len, suffix, suffix_len, width, start);
  uint32_t midstate[8];
  for (unsigned w = 0; w < words; w++) midstate[w] = hash->iv[w];
  for (size_t b = 0; b < layout.prefix_blocks; b++)
    hash->compress(midstate, prefix + b * PP_TEXT_BLOCK);

  /* Message words of the varying blocks: the words from first_digit_word to last_digit_word are
   * rewritten per lane, the others stay as loaded here. */
  u32x4 varying[32];
  for (unsigned b = 0; b < layout.varying_blocks; b++) load_block(varying + 16 * b, layout.varying + 64 * b);
  const unsigned first_digit_word = layout.digits_at / 4;
  const unsigned last_digit_word = (layout.digits_at + width - 1) / 4;
  /* The final blocks never change: expand their schedules once. */
  u32x4 final[2][PP_TEXT_X4_MAX_SCHEDULE];
  for (unsigned b = 0; b < layout.final_blocks; b++) {
    load_block(final[b], layout.final + 64 * b);
    if (hash->expand) hash->expand(final[b]);
  }
  /* The rounds before the first digit word, in whole groups, run once per call. */
  const unsigned skipped = first_digit_word / hash->round_group * hash->round_group;
  u32x4 mid[8], vars_at_digits[8];
  for (unsigned w = 0; w < words; w++) mid[w] = vars_at_digits[w] = splat32x4(midstate[w]);
  hash->rounds_until(vars_at_digits, varying, skipped);

  for (uint64_t i = 0; i < count; i += LANES) {
    for (unsigned lane = 0; lane < LANES; lane++) {
      /* Lanes past the end of the range repeat the last nonce and are never checked. */
      if (i + lane > 0 && i + lane < count) pp_text_layout_next(&layout);
      for (unsigned w = first_digit_word; w <= last_digit_word; w++)
        varying[w][lane] = pp_load_be32(layout.varying + 4 * w);
    }
    u32x4 state[8], schedule[PP_TEXT_X4_MAX_SCHEDULE];
    for (unsigned w = 0; w < words; w++) state[w] = mid[w];
    for (unsigned b = 0; b < layout.varying_blocks; b++) {
      for (int w = 0; w < 16; w++) schedule[w] = varying[16 * b + w];
      if (hash->expand) hash->expand(schedule);
      if (b == 0)
        hash->rounds_from(state, vars_at_digits, schedule, skipped);
      else
        hash->rounds_from(state, state, schedule, 0);
    }
    for (size_t b = 0; b < layout.direct_blocks; b++) {
      load_block(schedule, layout.direct + b * PP_TEXT_BLOCK);
      if (hash->expand) hash->expand(schedule);
      hash->rounds_from(state, state, schedule, 0);
    }
    for (unsigned b = 0; b < layout.final_blocks; b++) hash->rounds_from(state, state, final[b], 0);

    const uint64_t lanes = count - i < LANES ? count - i : LANES;
    for (unsigned lane = 0; lane < lanes; lane++) {
      uint32_t digest[8];
      for (unsigned w = 0; w < words; w++) digest[w] = state[w][lane];
      if (pp_has_leading_zero_bits(digest, words, zero_bits)) {
        pp_result_found(out, start + i + lane, i + lane + 1);
        return;
      }
    }
  }
  pp_result_none(out, count);
}
