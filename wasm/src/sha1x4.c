#include "sha1x4.h"

#include "../../native/src/scalar/sha1.h"

#define F_CHOOSE(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define F_PARITY(b, c, d) ((b) ^ (c) ^ (d))
#define F_MAJORITY(b, c, d) (((b) & (c)) | ((d) & ((b) | (c))))
#define F(i, b, c, d)                                                                              \
  ((i) < 20 ? F_CHOOSE(b, c, d) : (i) < 40 || (i) >= 60 ? F_PARITY(b, c, d) : F_MAJORITY(b, c, d))

/* Rounds as in native/src/scalar/sha1.c: a 16-word schedule ring, working variables renamed. */
#define WORD(i)                                                                                    \
  ((i) < 16 ? w[i]                                                                                 \
            : (w[(i) & 15] = rotl32x4(                                                             \
                   w[((i) - 3) & 15] ^ w[((i) - 8) & 15] ^ w[((i) - 14) & 15] ^ w[(i) & 15], 1)))

#define ROUND(a, b, c, d, e, i)                                                                    \
  do {                                                                                             \
    e += rotl32x4(a, 5) + F(i, b, c, d) + PP_SHA1_K[(i) / 20] + WORD(i);                           \
    b = rotl32x4(b, 30);                                                                           \
  } while (0)

#define FIVE_ROUNDS(i)                                                                             \
  do {                                                                                             \
    ROUND(a, b, c, d, e, (i) + 0);                                                                 \
    ROUND(e, a, b, c, d, (i) + 1);                                                                 \
    ROUND(d, e, a, b, c, (i) + 2);                                                                 \
    ROUND(c, d, e, a, b, (i) + 3);                                                                 \
    ROUND(b, c, d, e, a, (i) + 4);                                                                 \
  } while (0)

#define TWENTY_ROUNDS(i)                                                                           \
  do {                                                                                             \
    FIVE_ROUNDS((i) + 0);                                                                          \
    FIVE_ROUNDS((i) + 5);                                                                          \
    FIVE_ROUNDS((i) + 10);                                                                         \
    FIVE_ROUNDS((i) + 15);                                                                         \
  } while (0)

void pp_sha1x4_rounds_until(u32x4 vars[5], const u32x4 w[16], unsigned to) {
  for (unsigned i = 0; i < to; i++) {
    const u32x4 t =
        rotl32x4(vars[0], 5) + F_CHOOSE(vars[1], vars[2], vars[3]) + vars[4] + PP_SHA1_K[0] + w[i];
    vars[4] = vars[3];
    vars[3] = vars[2];
    vars[2] = rotl32x4(vars[1], 30);
    vars[1] = vars[0];
    vars[0] = t;
  }
}

void pp_sha1x4_rounds_from(u32x4 state[5], const u32x4 vars[5], const u32x4 w16[16], unsigned from) {
  u32x4 w[16];
  for (int i = 0; i < 16; i++) w[i] = w16[i];
  u32x4 a = vars[0], b = vars[1], c = vars[2], d = vars[3], e = vars[4];
  /* A group of five rounds leaves the names where they started, so it can be skipped whole. */
  if (from <= 0) FIVE_ROUNDS(0);
  if (from <= 5) FIVE_ROUNDS(5);
  if (from <= 10) FIVE_ROUNDS(10);
  FIVE_ROUNDS(15);
  TWENTY_ROUNDS(20);
  TWENTY_ROUNDS(40);
  TWENTY_ROUNDS(60);
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
}
