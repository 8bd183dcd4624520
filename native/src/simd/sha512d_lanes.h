/*
 * The Bitmessage search (double SHA-512 of nonce BE64 || initial hash) for any vector width:
 * PP_LANES consecutive nonces, one per 64-bit lane. Both hashes are one block each (72-byte and
 * 64-byte messages); only the first digest word of the second hash is needed, so the compiler drops
 * the work that feeds nothing else after full unrolling.
 *
 * The including kernel includes its 64-bit lane vocabulary first (lanes64_avx2.h or
 * lanes64_avx512.h): pp_lanes, PP_LANES, PP_LANES_INLINE, lanes_add, lanes_set1, lanes_from,
 * lanes_rotr, lanes_shr, lanes_xor3, lanes_choose, lanes_majority and lanes_at_most.
 */
#ifndef PP_SIMD_SHA512D_LANES_H
#define PP_SIMD_SHA512D_LANES_H

#include "../scalar/common.h"
#include "unroll.h"
#include "../scalar/sha512.h"

PP_LANES_INLINE pp_lanes sha512_big_sigma0(pp_lanes a) {
  return lanes_xor3(lanes_rotr(a, 28), lanes_rotr(a, 34), lanes_rotr(a, 39));
}
PP_LANES_INLINE pp_lanes sha512_big_sigma1(pp_lanes e) {
  return lanes_xor3(lanes_rotr(e, 14), lanes_rotr(e, 18), lanes_rotr(e, 41));
}
PP_LANES_INLINE pp_lanes sha512_small_sigma0(pp_lanes w) {
  return lanes_xor3(lanes_rotr(w, 1), lanes_rotr(w, 8), lanes_shr(w, 7));
}
PP_LANES_INLINE pp_lanes sha512_small_sigma1(pp_lanes w) {
  return lanes_xor3(lanes_rotr(w, 19), lanes_rotr(w, 61), lanes_shr(w, 6));
}

#define PP_SHA512_ROUND(a, b, c, d, e, f, g, h, t)                                                 \
  do {                                                                                             \
    if ((t) >= 16)                                                                                 \
      w[(t) & 15] =                                                                                \
          lanes_add(lanes_add(sha512_small_sigma1(w[((t) - 2) & 15]), w[((t) - 7) & 15]),          \
                    lanes_add(sha512_small_sigma0(w[((t) - 15) & 15]), w[(t) & 15]));              \
    /* Sigma1(e) added last, as in sha256_lanes.h: e's chain is Sigma1 and one add. */             \
    const pp_lanes rest =                                                                          \
        lanes_add(lanes_add(h, lanes_add(w[(t) & 15], k[t])), lanes_choose(e, f, g));              \
    const pp_lanes s1 = sha512_big_sigma1(e);                                                      \
    d = lanes_add(lanes_add(d, rest), s1);                                                         \
    h = lanes_add(lanes_add(rest, s1), lanes_add(sha512_big_sigma0(a), lanes_majority(a, b, c)));  \
  } while (0)

/* One compression of all lanes from state s (feed-forward included); w is the message, used as
 * the schedule ring; k holds the round constants, one per lane. */
PP_LANES_INLINE void sha512_compress(pp_lanes s[8], pp_lanes w[16], const pp_lanes k[80]) {
  pp_lanes a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
PP_UNROLL(10)
  for (int t = 0; t < 80; t += 8) {
    PP_SHA512_ROUND(a, b, c, d, e, f, g, h, t);
    PP_SHA512_ROUND(h, a, b, c, d, e, f, g, t + 1);
    PP_SHA512_ROUND(g, h, a, b, c, d, e, f, t + 2);
    PP_SHA512_ROUND(f, g, h, a, b, c, d, e, t + 3);
    PP_SHA512_ROUND(e, f, g, h, a, b, c, d, t + 4);
    PP_SHA512_ROUND(d, e, f, g, h, a, b, c, t + 5);
    PP_SHA512_ROUND(c, d, e, f, g, h, a, b, t + 6);
    PP_SHA512_ROUND(b, c, d, e, f, g, h, a, t + 7);
  }
  s[0] = lanes_add(s[0], a);
  s[1] = lanes_add(s[1], b);
  s[2] = lanes_add(s[2], c);
  s[3] = lanes_add(s[3], d);
  s[4] = lanes_add(s[4], e);
  s[5] = lanes_add(s[5], f);
  s[6] = lanes_add(s[6], g);
  s[7] = lanes_add(s[7], h);
}

PP_LANES_INLINE void sha512d_bitmessage_scan(const uint8_t initial_hash[64], uint64_t target,
                                             uint64_t start, uint64_t count, pp_result *out) {
  pp_lanes initial_words[8];
  for (int i = 0; i < 8; i++) initial_words[i] = lanes_set1(pp_load_be64(initial_hash + 8 * i));
  const pp_lanes pad_first = lanes_set1(0x8000000000000000ULL);
  /* Broadcast once per call, so that each round adds them straight from memory. */
  pp_lanes k[80];
  for (int t = 0; t < 80; t++) k[t] = lanes_set1(PP_SHA512_K[t]);

  for (uint64_t done = 0; done < count; done += PP_LANES) {
    const uint64_t n = start + done;
    /* nonce (BE64) || initial hash, 72 bytes: words 0..8, pad, bit length 576. */
    pp_lanes w[16];
    w[0] = lanes_from(n);
    for (int i = 0; i < 8; i++) w[1 + i] = initial_words[i];
    w[9] = pad_first;
    for (int i = 10; i < 15; i++) w[i] = lanes_set1(0);
    w[15] = lanes_set1(576);
    pp_lanes s[8];
    for (int i = 0; i < 8; i++) s[i] = lanes_set1(PP_SHA512_IV[i]);
    sha512_compress(s, w, k);

    /* The 64-byte digest: words 0..7, pad, bit length 512. */
    for (int i = 0; i < 8; i++) {
      w[i] = s[i];
      s[i] = lanes_set1(PP_SHA512_IV[i]);
    }
    w[8] = pad_first;
    for (int i = 9; i < 15; i++) w[i] = lanes_set1(0);
    w[15] = lanes_set1(512);
    sha512_compress(s, w, k);

    if (pp_result_first_lane(lanes_at_most(s[0], target), n, done, count, out)) return;
  }
  pp_result_none(out, count);
}

#endif
