#include "sha1.h"
#include "common.h"

void pp_sha1_compress(uint32_t state[5], const uint8_t block[64]) {
  uint32_t w[80];
  for (int i = 0; i < 16; i++) w[i] = pp_load_be32(block + 4 * i);
  for (int i = 16; i < 80; i++) w[i] = pp_rotl32(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
  for (int i = 0; i < 80; i++) {
    uint32_t f;
    if (i < 20)
      f = (b & c) | (~b & d);
    else if (i < 40 || i >= 60)
      f = b ^ c ^ d;
    else
      f = (b & c) | (b & d) | (c & d);
    uint32_t t = pp_rotl32(a, 5) + f + e + PP_SHA1_K[i / 20] + w[i];
    e = d;
    d = c;
    c = pp_rotl32(b, 30);
    b = a;
    a = t;
  }
  state[0] += a;
  state[1] += b;
  state[2] += c;
  state[3] += d;
  state[4] += e;
}
