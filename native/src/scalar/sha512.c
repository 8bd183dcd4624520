#include "sha512.h"
#include "common.h"

#define S0(x) (pp_rotr64(x, 28) ^ pp_rotr64(x, 34) ^ pp_rotr64(x, 39))
#define S1(x) (pp_rotr64(x, 14) ^ pp_rotr64(x, 18) ^ pp_rotr64(x, 41))
#define s0(x) (pp_rotr64(x, 1) ^ pp_rotr64(x, 8) ^ ((x) >> 7))
#define s1(x) (pp_rotr64(x, 19) ^ pp_rotr64(x, 61) ^ ((x) >> 6))
#define CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))

/* The message schedule lives in a 16-word ring: word i >= 16 overwrites word i - 16. */
#define EXPAND(i)                                                                                  \
  (w[(i) & 15] += s1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] + s0(w[((i) - 15) & 15]))
#define LOADED(i) w[i]

/* One round with the working variables renamed instead of shifted. */
#define ROUND(a, b, c, d, e, f, g, h, k, wi)                                                       \
  do {                                                                                             \
    const uint64_t t1 = h + S1(e) + CH(e, f, g) + (k) + (wi);                                      \
    d += t1;                                                                                       \
    h = t1 + S0(a) + MAJ(a, b, c);                                                                 \
  } while (0)

#define EIGHT_ROUNDS(i, WORD)                                                                      \
  do {                                                                                             \
    ROUND(a, b, c, d, e, f, g, h, PP_SHA512_K[(i) + 0], WORD((i) + 0));                            \
    ROUND(h, a, b, c, d, e, f, g, PP_SHA512_K[(i) + 1], WORD((i) + 1));                            \
    ROUND(g, h, a, b, c, d, e, f, PP_SHA512_K[(i) + 2], WORD((i) + 2));                            \
    ROUND(f, g, h, a, b, c, d, e, PP_SHA512_K[(i) + 3], WORD((i) + 3));                            \
    ROUND(e, f, g, h, a, b, c, d, PP_SHA512_K[(i) + 4], WORD((i) + 4));                            \
    ROUND(d, e, f, g, h, a, b, c, PP_SHA512_K[(i) + 5], WORD((i) + 5));                            \
    ROUND(c, d, e, f, g, h, a, b, PP_SHA512_K[(i) + 6], WORD((i) + 6));                            \
    ROUND(b, c, d, e, f, g, h, a, PP_SHA512_K[(i) + 7], WORD((i) + 7));                            \
  } while (0)

void pp_sha512_compress_words(uint64_t state[8], const uint64_t w16[16]) {
  uint64_t w[16];
  for (int i = 0; i < 16; i++) w[i] = w16[i];
  uint64_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint64_t e = state[4], f = state[5], g = state[6], h = state[7];
  EIGHT_ROUNDS(0, LOADED);
  EIGHT_ROUNDS(8, LOADED);
  for (int i = 16; i < 80; i += 16) {
    EIGHT_ROUNDS(i, EXPAND);
    EIGHT_ROUNDS(i + 8, EXPAND);
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
  state[5] += f;
  state[6] += g;
  state[7] += h;
}
