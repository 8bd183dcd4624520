/*
 * Nano work: BLAKE2b-64 of nonce LE64 || root, one compression per attempt. The parts that do not
 * depend on the nonce are folded once per call: the initial working vector, and the three column
 * steps of round 0 that never touch message word 0 (the nonce).
 */
#include "blake2b.h"
#include "common.h"

void pp_blake2b_nano_scalar(const uint8_t root[32], uint64_t threshold, uint64_t start,
                            uint64_t count, pp_result *out) {
  uint64_t m[16] = {0};
  for (int i = 0; i < 4; i++) m[1 + i] = pp_load_le64(root + 8 * i);
  const uint64_t h0 = PP_BLAKE2B_IV[0] ^ PP_BLAKE2B_NANO_PARAM;

  uint64_t init[16];
  pp_blake2b_nano_fold(root, init);

  for (uint64_t i = 0; i < count; i++) {
    const uint64_t nonce = start + i;
    m[0] = nonce;
    uint64_t v0 = init[0], v1 = init[1], v2 = init[2], v3 = init[3];
    uint64_t v4 = init[4], v5 = init[5], v6 = init[6], v7 = init[7];
    uint64_t v8 = init[8], v9 = init[9], v10 = init[10], v11 = init[11];
    uint64_t v12 = init[12], v13 = init[13], v14 = init[14], v15 = init[15];
    PP_BLAKE2B_G(v0, v4, v8, v12, m[0], m[1]);
    PP_BLAKE2B_G(v0, v5, v10, v15, m[8], m[9]);
    PP_BLAKE2B_G(v1, v6, v11, v12, m[10], m[11]);
    PP_BLAKE2B_G(v2, v7, v8, v13, m[12], m[13]);
    PP_BLAKE2B_G(v3, v4, v9, v14, m[14], m[15]);
    PP_BLAKE2B_ROUNDS_1_TO_11(PP_BLAKE2B_G, m);
    if ((h0 ^ v0 ^ v8) >= threshold) {
      pp_result_found(out, nonce, i + 1);
      return;
    }
  }
  pp_result_none(out, count);
}
