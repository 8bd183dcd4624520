/* SHA-256 compression (FIPS 180-4) over a block given as 16 big-endian words. */
__constant uint PP_SHA256_K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define PP_SHA256_IV_WORDS                                                                         \
  {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19}

#define PP_SHA256_S0(x) (pp_rotr32(x, 2) ^ pp_rotr32(x, 13) ^ pp_rotr32(x, 22))
#define PP_SHA256_S1(x) (pp_rotr32(x, 6) ^ pp_rotr32(x, 11) ^ pp_rotr32(x, 25))
#define PP_SHA256_s0(x) (pp_rotr32(x, 7) ^ pp_rotr32(x, 18) ^ ((x) >> 3))
#define PP_SHA256_s1(x) (pp_rotr32(x, 17) ^ pp_rotr32(x, 19) ^ ((x) >> 10))

/* Message word i, expanded in a 16-word ring for i >= 16. */
#define PP_SHA256_W(i)                                                                             \
  ((i) < 16 ? w[i]                                                                                 \
            : (w[(i) & 15] += PP_SHA256_s1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] +                \
                              PP_SHA256_s0(w[((i) - 15) & 15])))

/* One round with the working variables renamed instead of shifted; bitselect is Ch and Maj. */
#define PP_SHA256_ROUND(a, b, c, d, e, f, g, h, i)                                                 \
  {                                                                                                \
    const uint t1 = h + PP_SHA256_S1(e) + bitselect(g, f, e) + PP_SHA256_K[i] + PP_SHA256_W(i);    \
    d += t1;                                                                                       \
    h = t1 + PP_SHA256_S0(a) + bitselect(a, b, a ^ c);                                             \
  }

void pp_sha256_compress(uint *state, uint *w) {
  uint a = state[0], b = state[1], c = state[2], d = state[3];
  uint e = state[4], f = state[5], g = state[6], h = state[7];
#pragma unroll
  for (uint i = 0; i < 64; i += 8) {
    PP_SHA256_ROUND(a, b, c, d, e, f, g, h, i + 0);
    PP_SHA256_ROUND(h, a, b, c, d, e, f, g, i + 1);
    PP_SHA256_ROUND(g, h, a, b, c, d, e, f, i + 2);
    PP_SHA256_ROUND(f, g, h, a, b, c, d, e, i + 3);
    PP_SHA256_ROUND(e, f, g, h, a, b, c, d, i + 4);
    PP_SHA256_ROUND(d, e, f, g, h, a, b, c, i + 5);
    PP_SHA256_ROUND(c, d, e, f, g, h, a, b, i + 6);
    PP_SHA256_ROUND(b, c, d, e, f, g, h, a, i + 7);
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
