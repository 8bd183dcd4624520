/*
 * SHA-1 compression for any vector width: PP_LANES32 independent messages, one per 32-bit lane.
 * The including kernel includes its 32-bit lane vocabulary first (lanes32_avx2.h or
 * lanes32_avx512.h).
 */
#ifndef PP_SIMD_SHA1_LANES_H
#define PP_SIMD_SHA1_LANES_H

#include "../scalar/sha1.h"
#include "hold.h"
#include "unroll.h"

/* The round function of rounds 20q..20q+19. */
PP_LANES32_INLINE pp_lanes32 sha1_round_function(int q, pp_lanes32 b, pp_lanes32 c, pp_lanes32 d) {
  if (q == 0) return lanes32_choose(b, c, d);
  if (q == 2) return lanes32_majority(b, c, d);
  return lanes32_xor3(b, c, d);
}

/* One round in place given what it adds from the message, wk = W[t] + K[t / 20]: e takes the new
 * a, b is rotated; the caller rotates the names. Left rotations by n are right rotations by 32 - n.
 * rotl(a, 5) is added last: a's chain is one rotation and one add. */
#define PP_SHA1_LANES_ROUND_ADDING(a, b, c, d, e, t, wk)                                           \
  do {                                                                                             \
    pp_lanes32 rest = lanes32_add(lanes32_add(e, wk), sha1_round_function((t) / 20, b, c, d));     \
    PP_HOLD(rest);                                                                                 \
    e = lanes32_add(rest, lanes32_rotr(a, 27));                                                    \
    b = lanes32_rotr(b, 2);                                                                        \
  } while (0)

/* Round t of sha1_lanes_compress: the schedule ring w (word t computed in place) plus k. */
#define PP_SHA1_LANES_ROUND(a, b, c, d, e, t)                                                      \
  do {                                                                                             \
    if ((t) >= 16)                                                                                 \
      w[(t) & 15] = lanes32_rotr(                                                                  \
          lanes32_xor(lanes32_xor3(w[((t) - 3) & 15], w[((t) - 8) & 15], w[((t) - 14) & 15]),      \
                      w[(t) & 15]),                                                                \
          31);                                                                                     \
    PP_SHA1_LANES_ROUND_ADDING(a, b, c, d, e, t, lanes32_add(w[(t) & 15], k[(t) / 20]));           \
  } while (0)

/* Round t of sha1_lanes_compress_scheduled: wk[t] broadcast. */
#define PP_SHA1_LANES_ROUND_SCHEDULED(a, b, c, d, e, t)                                            \
  PP_SHA1_LANES_ROUND_ADDING(a, b, c, d, e, t, lanes32_set1(wk[t]))

/* Rounds t..t + 4 of ROUND(a, .., e, t), the working variables renamed instead of shifted. */
#define PP_SHA1_LANES_FIVE_ROUNDS(ROUND, t)                                                        \
  ROUND(a, b, c, d, e, t);                                                                         \
  ROUND(e, a, b, c, d, (t) + 1);                                                                   \
  ROUND(d, e, a, b, c, (t) + 2);                                                                   \
  ROUND(c, d, e, a, b, (t) + 3);                                                                   \
  ROUND(b, c, d, e, a, (t) + 4)

/* 80 rounds of ROUND on the working variables of s, and the feed-forward into s. */
#define PP_SHA1_LANES_ROUNDS(ROUND)                                                                \
  do {                                                                                             \
    pp_lanes32 a = s[0], b = s[1], c = s[2], d = s[3], e = s[4];                                   \
    PP_UNROLL(16)                                                                                  \
    for (int t = 0; t < 80; t += 5) {                                                              \
      PP_SHA1_LANES_FIVE_ROUNDS(ROUND, t);                                                         \
    }                                                                                              \
    const pp_lanes32 v[5] = {a, b, c, d, e};                                                       \
    for (int i = 0; i < 5; i++) s[i] = lanes32_add(s[i], v[i]);                                    \
  } while (0)

/* The four round constants broadcast, once per call of a kernel. */
PP_LANES32_INLINE void sha1_lanes_constants(pp_lanes32 k[4]) {
  for (int i = 0; i < 4; i++) k[i] = lanes32_set1(PP_SHA1_K[i]);
}

/* One compression of every lane, feed-forward included; w is the message and schedule ring, k the
 * constants from sha1_lanes_constants. */
PP_LANES32_INLINE void sha1_lanes_compress(pp_lanes32 s[5], pp_lanes32 w[16], const pp_lanes32 k[4]) {
  PP_SHA1_LANES_ROUNDS(PP_SHA1_LANES_ROUND);
}

/* One compression of every lane by a block the same in all of them, its schedule computed ahead
 * (pp_sha1_schedule): the rounds alone. */
PP_LANES32_INLINE void sha1_lanes_compress_scheduled(pp_lanes32 s[5], const uint32_t wk[80]) {
  PP_SHA1_LANES_ROUNDS(PP_SHA1_LANES_ROUND_SCHEDULED);
}

/* Round t of two states side by side (variables suffixed 0 and 1), the same wk[t] added. */
#define PP_SHA1_LANES_ROUND_PAIR(a, b, c, d, e, t)                                                 \
  do {                                                                                             \
    const pp_lanes32 wk_t = lanes32_set1(wk[t]);                                                   \
    PP_SHA1_LANES_ROUND_ADDING(a##0, b##0, c##0, d##0, e##0, t, wk_t);                             \
    PP_SHA1_LANES_ROUND_ADDING(a##1, b##1, c##1, d##1, e##1, t, wk_t);                             \
  } while (0)

/* sha1_lanes_compress_scheduled on two states at once, each one's chain filling the other's
 * latency. */
PP_LANES32_INLINE void sha1_lanes_compress_scheduled_pair(pp_lanes32 s0[5], pp_lanes32 s1[5],
                                                          const uint32_t wk[80]) {
  pp_lanes32 a0 = s0[0], b0 = s0[1], c0 = s0[2], d0 = s0[3], e0 = s0[4];
  pp_lanes32 a1 = s1[0], b1 = s1[1], c1 = s1[2], d1 = s1[3], e1 = s1[4];
  PP_UNROLL(16)
  for (int t = 0; t < 80; t += 5) {
    PP_SHA1_LANES_FIVE_ROUNDS(PP_SHA1_LANES_ROUND_PAIR, t);
  }
  const pp_lanes32 v0[5] = {a0, b0, c0, d0, e0}, v1[5] = {a1, b1, c1, d1, e1};
  for (int i = 0; i < 5; i++) {
    s0[i] = lanes32_add(s0[i], v0[i]);
    s1[i] = lanes32_add(s1[i], v1[i]);
  }
}

#endif
