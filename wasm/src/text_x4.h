/*
 * The 4-lane text kernel shared by SHA-256 and SHA-1: four consecutive nonces per step, one per
 * lane. Work that is the same in every lane and every attempt is done once per call: the rounds
 * that read only the message words before the first digit, and (for SHA-256) the message schedule
 * of the final blocks (suffix end and padding).
 */
#ifndef PP_WASM_TEXT_X4_H
#define PP_WASM_TEXT_X4_H

#include "../../native/src/scalar/text_layout.h"
#include "simd128.h"

/* The longest expanded message schedule (SHA-256's). */
#define PP_TEXT_X4_MAX_SCHEDULE 64u

typedef struct {
  unsigned state_words;
  const uint32_t *iv;
  pp_block_fn compress; /* scalar, for the prefix midstate */
  unsigned round_group; /* rounds_from starts at a multiple of this */
  /* Rounds [0, to) on working variables `vars`, to <= 16 (they read only w[0..to)). */
  void (*rounds_until)(u32x4 *vars, const u32x4 *w, unsigned to);
  void (*expand)(u32x4 *w);
  /* Rounds [from, end) from working variables `vars` over the schedule, added into `state`. */
  void (*rounds_from)(u32x4 *state, const u32x4 *vars, const u32x4 *w, unsigned from);
} pp_hash_x4;

void pp_text_scan_x4(const pp_hash_x4 *hash, const uint8_t *prefix, size_t prefix_len,
                     const uint8_t *suffix, size_t suffix_len, unsigned width, unsigned zero_bits,
                     uint64_t start, uint64_t count, pp_result *out);

#endif
