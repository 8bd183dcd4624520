#include "sha256.h"
#include "common.h"

#define S0(x) (pp_rotr32(x, 2) ^ pp_rotr32(x, 13) ^ pp_rotr32(x, 22))
#define S1(x) (pp_rotr32(x, 6) ^ pp_rotr32(x, 11) ^ pp_rotr32(x, 25))
#define s0(x) (pp_rotr32(x, 7) ^ pp_rotr32(x, 18) ^ ((x) >> 3))
#define s1(x) (pp_rotr32(x, 17) ^ pp_rotr32(x, 19) ^ ((x) >> 10))

void pp_sha256_compress_words(uint32_t state[8], const uint32_t w16[16]) {
  uint32_t w[64];
  for (int i = 0; i < 16; i++) w[i] = w16[i];
  for (int i = 16; i < 64; i++) w[i] = s1(w[i - 2]) + w[i - 7] + s0(w[i - 15]) + w[i - 16];
  uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (int i = 0; i < 64; i++) {
    uint32_t t1 = h + S1(e) + ((e & f) ^ (~e & g)) + PP_SHA256_K[i] + w[i];
    uint32_t t2 = S0(a) + ((a & b) ^ (a & c) ^ (b & c));
    h = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
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

void pp_sha256_compress(uint32_t state[8], const uint8_t block[64]) {
  uint32_t w[16];
  for (int i = 0; i < 16; i++) w[i] = pp_load_be32(block + 4 * i);
  pp_sha256_compress_words(state, w);
}
