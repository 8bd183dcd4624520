#include "sha1x4.h"

#include "../../native/src/scalar/sha1.h"

static inline void round_x4(u32x4 v[5], u32x4 w, unsigned i) {
  u32x4 f;
  if (i < 20)
    f = (v[1] & v[2]) | (~v[1] & v[3]);
  else if (i < 40 || i >= 60)
    f = v[1] ^ v[2] ^ v[3];
  else
    f = (v[1] & v[2]) | (v[1] & v[3]) | (v[2] & v[3]);
  const u32x4 t = rotl32x4(v[0], 5) + f + v[4] + PP_SHA1_K[i / 20] + w;
  v[4] = v[3];
  v[3] = v[2];
  v[2] = rotl32x4(v[1], 30);
  v[1] = v[0];
  v[0] = t;
}

void pp_sha1x4_rounds_until(u32x4 vars[5], const u32x4 w16[16], unsigned to) {
  for (unsigned i = 0; i < to; i++) round_x4(vars, w16[i], i);
}

void pp_sha1x4_finish_block(u32x4 state[5], const u32x4 vars[5], const u32x4 w16[16], unsigned from) {
  u32x4 w[80], v[5];
  for (int i = 0; i < 16; i++) w[i] = w16[i];
  for (int i = 16; i < 80; i++) w[i] = rotl32x4(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  for (int i = 0; i < 5; i++) v[i] = vars[i];
  for (unsigned i = from; i < 80; i++) round_x4(v, w[i], i);
  for (int i = 0; i < 5; i++) state[i] += v[i];
}
