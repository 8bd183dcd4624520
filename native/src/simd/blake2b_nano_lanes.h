/*
 * The Nano search (BLAKE2b-64 of nonce LE64 || root) for any vector width: PP_LANES consecutive
 * nonces, one per 64-bit lane, one compression each. Message words 5..15 are zero and words 1..4
 * (the root) are the same in every lane; after full unrolling the compiler drops the zero
 * additions, and round 0's three columns that never see the nonce are computed once per call.
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

#define PP_NANO_G(a, b, c, d, x, y)                                                                \
  do {                                                                                             \
    a = lanes_add(lanes_add(a, b), x);                                                             \
    d = lanes_rotr(lanes_xor(d, a), 32);                                                             \
    c = lanes_add(c, d);                                                                           \
    b = lanes_rotr(lanes_xor(b, c), 24);                                                             \
    a = lanes_add(lanes_add(a, b), y);                                                             \
    d = lanes_rotr(lanes_xor(d, a), 16);                                                             \
    c = lanes_add(c, d);                                                                           \
    b = lanes_rotr(lanes_xor(b, c), 63);                                                             \
  } while (0)

PP_LANES_INLINE void blake2b_nano_scan(const uint8_t root[32], uint64_t threshold, uint64_t start,
                                       uint64_t count, pp_result *out) {
  uint64_t init[16];
  pp_blake2b_nano_fold(root, init);

  pp_lanes m[16];
  for (int i = 0; i < 4; i++) m[1 + i] = lanes_set1(pp_load_le64(root + 8 * i));
  for (int i = 5; i < 16; i++) m[i] = lanes_set1(0);
  const pp_lanes h0 = lanes_set1(PP_BLAKE2B_IV[0] ^ PP_BLAKE2B_NANO_PARAM);

  for (uint64_t done = 0; done < count; done += PP_LANES) {
    const uint64_t n = start + done;
    m[0] = lanes_from(n);
    pp_lanes v[16];
    for (int i = 0; i < 16; i++) v[i] = lanes_set1(init[i]);
    PP_NANO_G(v[0], v[4], v[8], v[12], m[0], m[1]);
    PP_NANO_G(v[0], v[5], v[10], v[15], m[8], m[9]);
    PP_NANO_G(v[1], v[6], v[11], v[12], m[10], m[11]);
    PP_NANO_G(v[2], v[7], v[8], v[13], m[12], m[13]);
    PP_NANO_G(v[3], v[4], v[9], v[14], m[14], m[15]);
PP_UNROLL(11)
    for (int r = 1; r < 12; r++) {
      const uint8_t *s = PP_BLAKE2B_SIGMA[r];
      PP_NANO_G(v[0], v[4], v[8], v[12], m[s[0]], m[s[1]]);
      PP_NANO_G(v[1], v[5], v[9], v[13], m[s[2]], m[s[3]]);
      PP_NANO_G(v[2], v[6], v[10], v[14], m[s[4]], m[s[5]]);
      PP_NANO_G(v[3], v[7], v[11], v[15], m[s[6]], m[s[7]]);
      PP_NANO_G(v[0], v[5], v[10], v[15], m[s[8]], m[s[9]]);
      PP_NANO_G(v[1], v[6], v[11], v[12], m[s[10]], m[s[11]]);
      PP_NANO_G(v[2], v[7], v[8], v[13], m[s[12]], m[s[13]]);
      PP_NANO_G(v[3], v[4], v[9], v[14], m[s[14]], m[s[15]]);
    }
    const unsigned passing = lanes_at_least(lanes_xor(h0, lanes_xor(v[0], v[8])), threshold);
    if (pp_result_first_lane(passing, n, done, count, out)) return;
  }
  pp_result_none(out, count);
}

#endif
