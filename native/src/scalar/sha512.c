#include "sha512.h"
#include "common.h"

#define S0(x) (pp_rotr64(x, 28) ^ pp_rotr64(x, 34) ^ pp_rotr64(x, 39))
#define S1(x) (pp_rotr64(x, 14) ^ pp_rotr64(x, 18) ^ pp_rotr64(x, 41))
#define s0(x) (pp_rotr64(x, 1) ^ pp_rotr64(x, 8) ^ ((x) >> 7))
#define s1(x) (pp_rotr64(x, 19) ^ pp_rotr64(x, 61) ^ ((x) >> 6))

void pp_sha512_compress_words(uint64_t state[8], const uint64_t w16[16]) {
  uint64_t w[80];
  for (int i = 0; i < 16; i++) w[i] = w16[i];
  for (int i = 16; i < 80; i++) w[i] = s1(w[i - 2]) + w[i - 7] + s0(w[i - 15]) + w[i - 16];
  uint64_t a = state[0], b = state[1], c = state[2], d = state[3];
  uint64_t e = state[4], f = state[5], g = state[6], h = state[7];
  for (int i = 0; i < 80; i++) {
    uint64_t t1 = h + S1(e) + ((e & f) ^ (~e & g)) + PP_SHA512_K[i] + w[i];
    uint64_t t2 = S0(a) + ((a & b) ^ (a & c) ^ (b & c));
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
