#include "sha256.h"
#include "common.h"

#define S0(x) (pp_rotr32(x, 2) ^ pp_rotr32(x, 13) ^ pp_rotr32(x, 22))
#define S1(x) (pp_rotr32(x, 6) ^ pp_rotr32(x, 11) ^ pp_rotr32(x, 25))
#define s0(x) (pp_rotr32(x, 7) ^ pp_rotr32(x, 18) ^ ((x) >> 3))
#define s1(x) (pp_rotr32(x, 17) ^ pp_rotr32(x, 19) ^ ((x) >> 10))
#define CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))

/* The message schedule lives in a 16-word ring: word i >= 16 overwrites word i - 16. */
#define EXPAND(i)                                                                                  \
  (w[(i) & 15] += s1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] + s0(w[((i) - 15) & 15]))

/* One round with the working variables renamed instead of shifted. */
#define ROUND(a, b, c, d, e, f, g, h, k, wi)                                                       \
  do {                                                                                             \
    const uint32_t t1 = h + S1(e) + CH(e, f, g) + (k) + (wi);                                      \
    d += t1;                                                                                       \
    h = t1 + S0(a) + MAJ(a, b, c);                                                                 \
  } while (0)

#define EIGHT_ROUNDS(i, WORD)                                                                      \
  do {                                                                                             \
    ROUND(a, b, c, d, e, f, g, h, PP_SHA256_K[(i) + 0], WORD((i) + 0));                            \
    ROUND(h, a, b, c, d, e, f, g, PP_SHA256_K[(i) + 1], WORD((i) + 1));                            \
    ROUND(g, h, a, b, c, d, e, f, PP_SHA256_K[(i) + 2], WORD((i) + 2));                            \
    ROUND(f, g, h, a, b, c, d, e, PP_SHA256_K[(i) + 3], WORD((i) + 3));                            \
    ROUND(e, f, g, h, a, b, c, d, PP_SHA256_K[(i) + 4], WORD((i) + 4));                            \
    ROUND(d, e, f, g, h, a, b, c, PP_SHA256_K[(i) + 5], WORD((i) + 5));                            \
    ROUND(c, d, e, f, g, h, a, b, PP_SHA256_K[(i) + 6], WORD((i) + 6));                            \
    ROUND(b, c, d, e, f, g, h, a, PP_SHA256_K[(i) + 7], WORD((i) + 7));                            \
  } while (0)

#define LOADED(i) w[i]

void pp_sha256_compress_words(uint32_t state[8], const uint32_t w16[16]) {
  uint32_t w[16];
  for (int i = 0; i < 16; i++) w[i] = w16[i];
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  EIGHT_ROUNDS(0, LOADED);
  EIGHT_ROUNDS(8, LOADED);
  EIGHT_ROUNDS(16, EXPAND);
  EIGHT_ROUNDS(24, EXPAND);
  EIGHT_ROUNDS(32, EXPAND);
  EIGHT_ROUNDS(40, EXPAND);
  EIGHT_ROUNDS(48, EXPAND);
  EIGHT_ROUNDS(56, EXPAND);
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}

void pp_sha256_schedule(const uint8_t block[64], uint32_t wk[64]) {
  uint32_t w[64];
  for (int t = 0; t < 16; t++) w[t] = pp_load_be32(block + 4 * t);
  for (int t = 16; t < 64; t++) w[t] = s1(w[t - 2]) + w[t - 7] + s0(w[t - 15]) + w[t - 16];
  for (int t = 0; t < 64; t++) wk[t] = w[t] + PP_SHA256_K[t];
}

void pp_sha256_compress(uint32_t state[8], const uint8_t block[64]) {
  uint32_t w[16];
  for (int i = 0; i < 16; i++) w[i] = pp_load_be32(block + 4 * i);
  pp_sha256_compress_words(state, w);
}
