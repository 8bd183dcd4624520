/* BLAKE2b constants (RFC 7693) and the G mixing step, shared by the scalar and SIMD kernels. */
#ifndef PP_SCALAR_BLAKE2B_H
#define PP_SCALAR_BLAKE2B_H

#include <stdint.h>

#include "common.h"

static const uint64_t PP_BLAKE2B_IV[8] = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b,
                                          0xa54ff53a5f1d36f1, 0x510e527fade682d1, 0x9b05688c2b3e6c1f,
                                          0x1f83d9abfb41bd6b, 0x5be0cd19137e2179};

static const uint8_t PP_BLAKE2B_SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

/* Nano's parameter block: digest length 8, no key, fanout 1, depth 1. */
#define PP_BLAKE2B_NANO_PARAM 0x01010008u
/* Nano's message: nonce (8 bytes) || root (32 bytes). */
#define PP_BLAKE2B_NANO_MESSAGE_LEN 40u

/* The G function on four state words with two message words. */
#define PP_BLAKE2B_G(a, b, c, d, x, y)                                                             \
  do {                                                                                             \
    a = a + b + (x);                                                                               \
    d = pp_rotr64(d ^ a, 32);                                                                      \
    c = c + d;                                                                                     \
    b = pp_rotr64(b ^ c, 24);                                                                      \
    a = a + b + (y);                                                                               \
    d = pp_rotr64(d ^ a, 16);                                                                      \
    c = c + d;                                                                                     \
    b = pp_rotr64(b ^ c, 63);                                                                      \
  } while (0)

/* One full round on working variables named v0..v15, mixing with G; r must be a constant so the
 * message indices fold and the message words stay in registers. */
#define PP_BLAKE2B_ROUND(G, m, r)                                                                  \
  do {                                                                                             \
    G(v0, v4, v8, v12, m[PP_BLAKE2B_SIGMA[r][0]], m[PP_BLAKE2B_SIGMA[r][1]]);                      \
    G(v1, v5, v9, v13, m[PP_BLAKE2B_SIGMA[r][2]], m[PP_BLAKE2B_SIGMA[r][3]]);                      \
    G(v2, v6, v10, v14, m[PP_BLAKE2B_SIGMA[r][4]], m[PP_BLAKE2B_SIGMA[r][5]]);                     \
    G(v3, v7, v11, v15, m[PP_BLAKE2B_SIGMA[r][6]], m[PP_BLAKE2B_SIGMA[r][7]]);                     \
    G(v0, v5, v10, v15, m[PP_BLAKE2B_SIGMA[r][8]], m[PP_BLAKE2B_SIGMA[r][9]]);                     \
    G(v1, v6, v11, v12, m[PP_BLAKE2B_SIGMA[r][10]], m[PP_BLAKE2B_SIGMA[r][11]]);                   \
    G(v2, v7, v8, v13, m[PP_BLAKE2B_SIGMA[r][12]], m[PP_BLAKE2B_SIGMA[r][13]]);                    \
    G(v3, v4, v9, v14, m[PP_BLAKE2B_SIGMA[r][14]], m[PP_BLAKE2B_SIGMA[r][15]]);                    \
  } while (0)

/* Nano's working vector after round 0's columns 1..3: they mix only root words (message words
 * 1..4) and zeros, so every kernel folds them once per call; only column 0 sees the nonce. */
static inline void pp_blake2b_nano_fold(const uint8_t root[32], uint64_t v[16]) {
  uint64_t r[4];
  for (int i = 0; i < 4; i++) r[i] = pp_load_le64(root + 8 * i);
  v[0] = PP_BLAKE2B_IV[0] ^ PP_BLAKE2B_NANO_PARAM;
  for (int i = 1; i < 8; i++) v[i] = PP_BLAKE2B_IV[i];
  for (int i = 0; i < 8; i++) v[8 + i] = PP_BLAKE2B_IV[i];
  v[12] ^= PP_BLAKE2B_NANO_MESSAGE_LEN;
  v[14] = ~v[14];
  PP_BLAKE2B_G(v[1], v[5], v[9], v[13], r[1], r[2]);
  PP_BLAKE2B_G(v[2], v[6], v[10], v[14], r[3], 0);
  PP_BLAKE2B_G(v[3], v[7], v[11], v[15], 0, 0);
}

/* Rounds 1..11: round 0 is where the kernels fold their constant columns. */
#define PP_BLAKE2B_ROUNDS_1_TO_11(G, m)                                                            \
  do {                                                                                             \
    PP_BLAKE2B_ROUND(G, m, 1);                                                                     \
    PP_BLAKE2B_ROUND(G, m, 2);                                                                     \
    PP_BLAKE2B_ROUND(G, m, 3);                                                                     \
    PP_BLAKE2B_ROUND(G, m, 4);                                                                     \
    PP_BLAKE2B_ROUND(G, m, 5);                                                                     \
    PP_BLAKE2B_ROUND(G, m, 6);                                                                     \
    PP_BLAKE2B_ROUND(G, m, 7);                                                                     \
    PP_BLAKE2B_ROUND(G, m, 8);                                                                     \
    PP_BLAKE2B_ROUND(G, m, 9);                                                                     \
    PP_BLAKE2B_ROUND(G, m, 10);                                                                    \
    PP_BLAKE2B_ROUND(G, m, 11);                                                                    \
  } while (0)

#endif
