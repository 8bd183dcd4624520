/*
 * The 4-lane text kernel shared by SHA-256 and SHA-1: four consecutive nonces per step, one per
 * lane. The message words before the first digit are the same in every lane and every attempt, so
 * the rounds that read only them run once per call.
 */
#ifndef PP_WASM_TEXT_X4_H
#define PP_WASM_TEXT_X4_H

#include "../../native/src/scalar/text_layout.h"
#include "simd128.h"

typedef struct {
  unsigned state_words;
  const uint32_t *iv;
  pp_block_fn compress; /* scalar, for the prefix midstate */
  unsigned round_group; /* finish_block starts at a multiple of this */
  /* Rounds [0, to) on working variables `vars`, to <= 16 (they read only w16[0..to)). */
  void (*rounds_until)(u32x4 *vars, const u32x4 w16[16], unsigned to);
  /* Rounds [from, end) from working variables `vars`, then adds them into the chaining `state`. */
  void (*finish_block)(u32x4 *state, const u32x4 *vars, const u32x4 w16[16], unsigned from);
} pp_hash_x4;

void pp_text_scan_x4(const pp_hash_x4 *hash, const uint8_t *prefix, size_t prefix_len,
                     const uint8_t *suffix, size_t suffix_len, unsigned width, unsigned zero_bits,
                     uint64_t start, uint64_t count, pp_result *out);

#endif
