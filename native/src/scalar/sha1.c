#include "sha1.h"
#include "common.h"

#define F_CHOOSE(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define F_PARITY(b, c, d) ((b) ^ (c) ^ (d))
#define F_MAJORITY(b, c, d) (((b) & (c)) | ((d) & ((b) | (c))))

/* The message schedule lives in a 16-word ring: word i >= 16 overwrites word i - 16. */
#define EXPAND(i)                                                                                  \
  (w[(i) & 15] =                                                                                   \
       pp_rotl32(w[((i) - 3) & 15] ^ w[((i) - 8) & 15] ^ w[((i) - 14) & 15] ^ w[(i) & 15], 1))
#define LOADED(i) w[i]

/* One round with the working variables renamed instead of shifted. */
#define ROUND(a, b, c, d, e, F, k, wi)                                                             \
  do {                                                                                             \
    e += pp_rotl32(a, 5) + F(b, c, d) + (k) + (wi);                                                \
    b = pp_rotl32(b, 30);                                                                          \
  } while (0)

#define FIVE_ROUNDS(i, F, k, WORD)                                                                 \
  do {                                                                                             \
    ROUND(a, b, c, d, e, F, k, WORD((i) + 0));                                                     \
    ROUND(e, a, b, c, d, F, k, WORD((i) + 1));                                                     \
    ROUND(d, e, a, b, c, F, k, WORD((i) + 2));                                                     \
    ROUND(c, d, e, a, b, F, k, WORD((i) + 3));                                                     \
    ROUND(b, c, d, e, a, F, k, WORD((i) + 4));                                                     \
  } while (0)

#define TWENTY_ROUNDS(i, F, k)                                                                     \
  do {                                                                                             \
    FIVE_ROUNDS((i) + 0, F, k, EXPAND);                                                            \
    FIVE_ROUNDS((i) + 5, F, k, EXPAND);                                                            \
    FIVE_ROUNDS((i) + 10, F, k, EXPAND);                                                           \
    FIVE_ROUNDS((i) + 15, F, k, EXPAND);                                                           \
  } while (0)

void pp_sha1_compress(uint32_t state[5], const uint8_t block[64]) {
  uint32_t w[16];
  for (int i = 0; i < 16; i++) w[i] = pp_load_be32(block + 4 * i);
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
  FIVE_ROUNDS(0, F_CHOOSE, PP_SHA1_K[0], LOADED);
  FIVE_ROUNDS(5, F_CHOOSE, PP_SHA1_K[0], LOADED);
  FIVE_ROUNDS(10, F_CHOOSE, PP_SHA1_K[0], LOADED);
  ROUND(a, b, c, d, e, F_CHOOSE, PP_SHA1_K[0], LOADED(15));
  ROUND(e, a, b, c, d, F_CHOOSE, PP_SHA1_K[0], EXPAND(16));
  ROUND(d, e, a, b, c, F_CHOOSE, PP_SHA1_K[0], EXPAND(17));
  ROUND(c, d, e, a, b, F_CHOOSE, PP_SHA1_K[0], EXPAND(18));
  ROUND(b, c, d, e, a, F_CHOOSE, PP_SHA1_K[0], EXPAND(19));
  TWENTY_ROUNDS(20, F_PARITY, PP_SHA1_K[1]);
  TWENTY_ROUNDS(40, F_MAJORITY, PP_SHA1_K[2]);
  TWENTY_ROUNDS(60, F_PARITY, PP_SHA1_K[3]);
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
}

void pp_sha1_schedule(const uint8_t block[64], uint32_t wk[80]) {
  uint32_t w[80];
  for (int t = 0; t < 16; t++) w[t] = pp_load_be32(block + 4 * t);
  for (int t = 16; t < 80; t++) w[t] = pp_rotl32(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
  for (int t = 0; t < 80; t++) wk[t] = w[t] + PP_SHA1_K[t / 20];
}
