/*
 * The Nano search (BLAKE2b-64 of nonce LE64 || root) for any vector width: PP_LANES consecutive
 * nonces per group of lanes, one per 64-bit lane, one compression each. Message words 5..15 are
 * zero and words 1..4 (the root) are the same in every lane; after full unrolling the compiler
 * drops the zero additions, and round 0's three columns that never see the nonce are computed once
 * per call.
 *
 * The including kernel includes its 64-bit lane vocabulary first (lanes64_avx2.h or
 * lanes64_avx512.h): pp_lanes, PP_LANES, PP_LANES_INLINE, lanes_add, lanes_xor, lanes_rotr,
 * lanes_set1, lanes_from (the nonces n, n + 1, .. in lane order) and lanes_at_least.
 */
#ifndef PP_SIMD_BLAKE2B_NANO_LANES_H
#define PP_SIMD_BLAKE2B_NANO_LANES_H

#include "../scalar/blake2b.h"
#include "../scalar/common.h"
#include "unroll.h"

/* One G step on every group: v holds `groups` independent states of 16 vectors, i and j index the
 * message words (word 0 is each group's nonces, the rest are shared). */
#define PP_NANO_WORD(i) ((i) == 0 ? nonces[g] : m[i])
#define PP_NANO_G(a, b, c, d, i, j)                                                                \
  for (int g = 0; g < groups; g++) {                                                               \
    pp_lanes *state = v[g];                                                                        \
    state[a] = lanes_add(lanes_add(state[a], PP_NANO_WORD(i)), state[b]);                          \
    state[d] = lanes_rotr(lanes_xor(state[d], state[a]), 32);                                      \
    state[c] = lanes_add(state[c], state[d]);                                                      \
    state[b] = lanes_rotr(lanes_xor(state[b], state[c]), 24);                                      \
    state[a] = lanes_add(lanes_add(state[a], PP_NANO_WORD(j)), state[b]);                          \
    state[d] = lanes_rotr(lanes_xor(state[d], state[a]), 16);                                      \
    state[c] = lanes_add(state[c], state[d]);                                                      \
    state[b] = lanes_rotr(lanes_xor(state[b], state[c]), 63);                                      \
  }

/* The most groups a kernel may interleave. */
#define PP_NANO_MAX_GROUPS 2

/* `groups` (1 or 2, a constant after inlining) independent vectors of PP_LANES nonces each go
 * through the rounds side by side, so that one group's dependent adds and rotations fill the
 * latency of the other's. */
PP_LANES_INLINE void blake2b_nano_scan(const uint8_t root[32], uint64_t threshold, uint64_t start,
                                       uint64_t count, pp_result *out, int groups) {
  uint64_t init[16];
  pp_blake2b_nano_fold(root, init);

  pp_lanes m[16];
  for (int i = 0; i < 4; i++) m[1 + i] = lanes_set1(pp_load_le64(root + 8 * i));
  for (int i = 5; i < 16; i++) m[i] = lanes_set1(0);
  const pp_lanes h0 = lanes_set1(PP_BLAKE2B_IV[0] ^ PP_BLAKE2B_NANO_PARAM);

  for (uint64_t done = 0; done < count; done += (uint64_t)PP_LANES * groups) {
    const uint64_t n = start + done;
    pp_lanes nonces[PP_NANO_MAX_GROUPS], v[PP_NANO_MAX_GROUPS][16];
    for (int g = 0; g < groups; g++) {
      nonces[g] = lanes_from(n + (uint64_t)PP_LANES * g);
      for (int i = 0; i < 16; i++) v[g][i] = lanes_set1(init[i]);
    }
    PP_NANO_G(0, 4, 8, 12, 0, 1);
    PP_NANO_G(0, 5, 10, 15, 8, 9);
    PP_NANO_G(1, 6, 11, 12, 10, 11);
    PP_NANO_G(2, 7, 8, 13, 12, 13);
    PP_NANO_G(3, 4, 9, 14, 14, 15);
PP_UNROLL(11)
    for (int r = 1; r < 12; r++) {
      const uint8_t *s = PP_BLAKE2B_SIGMA[r];
      PP_NANO_G(0, 4, 8, 12, s[0], s[1]);
      PP_NANO_G(1, 5, 9, 13, s[2], s[3]);
      PP_NANO_G(2, 6, 10, 14, s[4], s[5]);
      PP_NANO_G(3, 7, 11, 15, s[6], s[7]);
      PP_NANO_G(0, 5, 10, 15, s[8], s[9]);
      PP_NANO_G(1, 6, 11, 12, s[10], s[11]);
      PP_NANO_G(2, 7, 8, 13, s[12], s[13]);
      PP_NANO_G(3, 4, 9, 14, s[14], s[15]);
    }
    unsigned passing = 0;
    for (int g = 0; g < groups; g++)
      passing |= lanes_at_least(lanes_xor(h0, lanes_xor(v[g][0], v[g][8])), threshold)
                 << (PP_LANES * g);
    if (pp_result_first_lane(passing, n, done, count, out)) return;
  }
  pp_result_none(out, count);
}

#endif
