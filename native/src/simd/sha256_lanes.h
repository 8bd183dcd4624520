/*
 * SHA-256 compression for any vector width: PP_LANES32 independent messages, one per 32-bit lane.
 * The including kernel defines the 32-bit lane vocabulary first (lanes32_avx2.h or
 * lanes32_avx512.h): pp_lanes32, PP_LANES32_INLINE, lanes32_add, lanes32_set1, lanes32_rotr,
 * lanes32_shr, lanes32_xor3, lanes32_choose, lanes32_majority.
 */
#ifndef PP_SIMD_SHA256_LANES_H
#define PP_SIMD_SHA256_LANES_H

#include "../scalar/common.h"
#include "unroll.h"
#include "../scalar/sha256.h"

PP_LANES32_INLINE pp_lanes32 sha256_big_sigma0(pp_lanes32 a) {
  return lanes32_xor3(lanes32_rotr(a, 2), lanes32_rotr(a, 13), lanes32_rotr(a, 22));
}
PP_LANES32_INLINE pp_lanes32 sha256_big_sigma1(pp_lanes32 e) {
  return lanes32_xor3(lanes32_rotr(e, 6), lanes32_rotr(e, 11), lanes32_rotr(e, 25));
}
PP_LANES32_INLINE pp_lanes32 sha256_small_sigma0(pp_lanes32 w) {
  return lanes32_xor3(lanes32_rotr(w, 7), lanes32_rotr(w, 18), lanes32_shr(w, 3));
}
PP_LANES32_INLINE pp_lanes32 sha256_small_sigma1(pp_lanes32 w) {
  return lanes32_xor3(lanes32_rotr(w, 17), lanes32_rotr(w, 19), lanes32_shr(w, 10));
}

/* One round given what it adds from the message, wk = W[t] + K[t]. Sigma1(e) is added last: the
 * rest is ready early (d and h are a and e of three rounds ago), so e's chain is Sigma1 and one add
 * (the vector ops take two cycles each here). */
#define PP_SHA256_LANES_ROUND_ADDING(a, b, c, d, e, f, g, h, wk)                                   \
  do {                                                                                             \
    const pp_lanes32 rest = lanes32_add(lanes32_add(h, wk), lanes32_choose(e, f, g));              \
    const pp_lanes32 s1 = sha256_big_sigma1(e);                                                    \
    d = lanes32_add(lanes32_add(d, rest), s1);                                                     \
    h = lanes32_add(lanes32_add(rest, s1),                                                         \
                    lanes32_add(sha256_big_sigma0(a), lanes32_majority(a, b, c)));                 \
  } while (0)

/* Round t of sha256_lanes_compress: the schedule ring w (word t computed in place) plus k[t]. */
#define PP_SHA256_LANES_ROUND(a, b, c, d, e, f, g, h, t)                                           \
  do {                                                                                             \
    if ((t) >= 16)                                                                                 \
      w[(t) & 15] =                                                                                \
          lanes32_add(lanes32_add(sha256_small_sigma1(w[((t) - 2) & 15]), w[((t) - 7) & 15]),      \
                      lanes32_add(sha256_small_sigma0(w[((t) - 15) & 15]), w[(t) & 15]));          \
    PP_SHA256_LANES_ROUND_ADDING(a, b, c, d, e, f, g, h, lanes32_add(w[(t) & 15], k[t]));          \
  } while (0)

/* Round t of sha256_lanes_compress_scheduled: wk[t] broadcast. */
#define PP_SHA256_LANES_ROUND_SCHEDULED(a, b, c, d, e, f, g, h, t)                                 \
  PP_SHA256_LANES_ROUND_ADDING(a, b, c, d, e, f, g, h, lanes32_set1(wk[t]))

/* Rounds t..t + 7 of ROUND(a, .., h, t), the working variables renamed instead of shifted. */
#define PP_SHA256_LANES_EIGHT_ROUNDS(ROUND, t)                                                     \
  ROUND(a, b, c, d, e, f, g, h, t);                                                                \
  ROUND(h, a, b, c, d, e, f, g, (t) + 1);                                                          \
  ROUND(g, h, a, b, c, d, e, f, (t) + 2);                                                          \
  ROUND(f, g, h, a, b, c, d, e, (t) + 3);                                                          \
  ROUND(e, f, g, h, a, b, c, d, (t) + 4);                                                          \
  ROUND(d, e, f, g, h, a, b, c, (t) + 5);                                                          \
  ROUND(c, d, e, f, g, h, a, b, (t) + 6);                                                          \
  ROUND(b, c, d, e, f, g, h, a, (t) + 7)

/* 64 rounds of ROUND on the working variables a..h of s, and the feed-forward into s. */
#define PP_SHA256_LANES_ROUNDS(ROUND)                                                              \
  do {                                                                                             \
    pp_lanes32 a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];     \
    PP_UNROLL(8)                                                                                   \
    for (int t = 0; t < 64; t += 8) {                                                              \
      PP_SHA256_LANES_EIGHT_ROUNDS(ROUND, t);                                                      \
    }                                                                                              \
    const pp_lanes32 v[8] = {a, b, c, d, e, f, g, h};                                              \
    for (int i = 0; i < 8; i++) s[i] = lanes32_add(s[i], v[i]);                                    \
  } while (0)

/* One compression of every lane, feed-forward included; w is the message and the schedule ring;
 * k holds the round constants broadcast to every lane (sha256_lanes_constants). */
PP_LANES32_INLINE void sha256_lanes_compress(pp_lanes32 s[8], pp_lanes32 w[16],
                                             const pp_lanes32 k[64]) {
  PP_SHA256_LANES_ROUNDS(PP_SHA256_LANES_ROUND);
}

/* One compression of every lane by a block the same in all of them, its schedule computed ahead
 * (pp_sha256_schedule): the rounds alone, about two thirds of a compression. */
PP_LANES32_INLINE void sha256_lanes_compress_scheduled(pp_lanes32 s[8], const uint32_t wk[64]) {
  PP_SHA256_LANES_ROUNDS(PP_SHA256_LANES_ROUND_SCHEDULED);
}

/* Round t of two states side by side (variables suffixed 0 and 1), the same wk[t] added. */
#define PP_SHA256_LANES_ROUND_PAIR(a, b, c, d, e, f, g, h, t)                                      \
  do {                                                                                             \
    const pp_lanes32 wk_t = lanes32_set1(wk[t]);                                                   \
    PP_SHA256_LANES_ROUND_ADDING(a##0, b##0, c##0, d##0, e##0, f##0, g##0, h##0, wk_t);            \
    PP_SHA256_LANES_ROUND_ADDING(a##1, b##1, c##1, d##1, e##1, f##1, g##1, h##1, wk_t);            \
  } while (0)

/* sha256_lanes_compress_scheduled on two states at once: without a schedule ring, two sets of
 * working variables fit the registers, and each one's round chain fills the other's latency. */
PP_LANES32_INLINE void sha256_lanes_compress_scheduled_pair(pp_lanes32 s0[8], pp_lanes32 s1[8],
                                                            const uint32_t wk[64]) {
  pp_lanes32 a0 = s0[0], b0 = s0[1], c0 = s0[2], d0 = s0[3], e0 = s0[4], f0 = s0[5], g0 = s0[6],
             h0 = s0[7];
  pp_lanes32 a1 = s1[0], b1 = s1[1], c1 = s1[2], d1 = s1[3], e1 = s1[4], f1 = s1[5], g1 = s1[6],
             h1 = s1[7];
  PP_UNROLL(8)
  for (int t = 0; t < 64; t += 8) {
    PP_SHA256_LANES_EIGHT_ROUNDS(PP_SHA256_LANES_ROUND_PAIR, t);
  }
  const pp_lanes32 v0[8] = {a0, b0, c0, d0, e0, f0, g0, h0}, v1[8] = {a1, b1, c1, d1, e1, f1, g1, h1};
  for (int i = 0; i < 8; i++) {
    s0[i] = lanes32_add(s0[i], v0[i]);
    s1[i] = lanes32_add(s1[i], v1[i]);
  }
}

/* Broadcast once per call, so that each round adds them straight from memory. */
PP_LANES32_INLINE void sha256_lanes_constants(pp_lanes32 k[64]) {
  for (int t = 0; t < 64; t++) k[t] = lanes32_set1(PP_SHA256_K[t]);
}

#endif
