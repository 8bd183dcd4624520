/*
 * Bitmessage: the first 8 bytes (BE) of SHA-512(SHA-512(nonce BE64 || initial_hash[64])) <= target.
 * The nonce comes first, so there is no midstate: two compressions per attempt.
 */
__constant ulong PP_SHA512_K[80] = {
    0x428a2f98d728ae22, 0x7137449123ef65cd, 0xb5c0fbcfec4d3b2f, 0xe9b5dba58189dbbc,
    0x3956c25bf348b538, 0x59f111f1b605d019, 0x923f82a4af194f9b, 0xab1c5ed5da6d8118,
    0xd807aa98a3030242, 0x12835b0145706fbe, 0x243185be4ee4b28c, 0x550c7dc3d5ffb4e2,
    0x72be5d74f27b896f, 0x80deb1fe3b1696b1, 0x9bdc06a725c71235, 0xc19bf174cf692694,
    0xe49b69c19ef14ad2, 0xefbe4786384f25e3, 0x0fc19dc68b8cd5b5, 0x240ca1cc77ac9c65,
    0x2de92c6f592b0275, 0x4a7484aa6ea6e483, 0x5cb0a9dcbd41fbd4, 0x76f988da831153b5,
    0x983e5152ee66dfab, 0xa831c66d2db43210, 0xb00327c898fb213f, 0xbf597fc7beef0ee4,
    0xc6e00bf33da88fc2, 0xd5a79147930aa725, 0x06ca6351e003826f, 0x142929670a0e6e70,
    0x27b70a8546d22ffc, 0x2e1b21385c26c926, 0x4d2c6dfc5ac42aed, 0x53380d139d95b3df,
    0x650a73548baf63de, 0x766a0abb3c77b2a8, 0x81c2c92e47edaee6, 0x92722c851482353b,
    0xa2bfe8a14cf10364, 0xa81a664bbc423001, 0xc24b8b70d0f89791, 0xc76c51a30654be30,
    0xd192e819d6ef5218, 0xd69906245565a910, 0xf40e35855771202a, 0x106aa07032bbd1b8,
    0x19a4c116b8d2d0c8, 0x1e376c085141ab53, 0x2748774cdf8eeb99, 0x34b0bcb5e19b48a8,
    0x391c0cb3c5c95a63, 0x4ed8aa4ae3418acb, 0x5b9cca4f7763e373, 0x682e6ff3d6b2b8a3,
    0x748f82ee5defb2fc, 0x78a5636f43172f60, 0x84c87814a1f0ab72, 0x8cc702081a6439ec,
    0x90befffa23631e28, 0xa4506cebde82bde9, 0xbef9a3f7b2c67915, 0xc67178f2e372532b,
    0xca273eceea26619c, 0xd186b8c721c0c207, 0xeada7dd6cde0eb1e, 0xf57d4f7fee6ed178,
    0x06f067aa72176fba, 0x0a637dc5a2c898a6, 0x113f9804bef90dae, 0x1b710b35131c471b,
    0x28db77f523047d84, 0x32caab7b40c72493, 0x3c9ebe0a15c9bebc, 0x431d67c49c100d4c,
    0x4cc5d4becb3e42b6, 0x597f299cfc657e2a, 0x5fcb6fab3ad6faec, 0x6c44198c4a475817};

#define PP_SHA512_IV_WORDS                                                                         \
  {0x6a09e667f3bcc908, 0xbb67ae8584caa73b, 0x3c6ef372fe94f82b, 0xa54ff53a5f1d36f1,                 \
   0x510e527fade682d1, 0x9b05688c2b3e6c1f, 0x1f83d9abfb41bd6b, 0x5be0cd19137e2179}

#define PP_SHA512_S0(x) (pp_rotr64(x, 28) ^ pp_rotr64(x, 34) ^ pp_rotr64(x, 39))
#define PP_SHA512_S1(x) (pp_rotr64(x, 14) ^ pp_rotr64(x, 18) ^ pp_rotr64(x, 41))
#define PP_SHA512_s0(x) (pp_rotr64(x, 1) ^ pp_rotr64(x, 8) ^ ((x) >> 7))
#define PP_SHA512_s1(x) (pp_rotr64(x, 19) ^ pp_rotr64(x, 61) ^ ((x) >> 6))
#define PP_SHA512_W(i)                                                                             \
  ((i) < 16 ? w[i]                                                                                 \
            : (w[(i) & 15] += PP_SHA512_s1(w[((i) - 2) & 15]) + w[((i) - 7) & 15] +                \
                              PP_SHA512_s0(w[((i) - 15) & 15])))
#define PP_SHA512_ROUND(a, b, c, d, e, f, g, h, i)                                                 \
  {                                                                                                \
    const ulong t1 = h + PP_SHA512_S1(e) + bitselect(g, f, e) + PP_SHA512_K[i] + PP_SHA512_W(i);   \
    d += t1;                                                                                       \
    h = t1 + PP_SHA512_S0(a) + bitselect(a, b, a ^ c);                                             \
  }

void pp_sha512_compress(ulong *state, ulong *w) {
  ulong a = state[0], b = state[1], c = state[2], d = state[3];
  ulong e = state[4], f = state[5], g = state[6], h = state[7];
#pragma unroll
  for (uint i = 0; i < 80; i += 8) {
    PP_SHA512_ROUND(a, b, c, d, e, f, g, h, i + 0);
    PP_SHA512_ROUND(h, a, b, c, d, e, f, g, i + 1);
    PP_SHA512_ROUND(g, h, a, b, c, d, e, f, i + 2);
    PP_SHA512_ROUND(f, g, h, a, b, c, d, e, i + 3);
    PP_SHA512_ROUND(e, f, g, h, a, b, c, d, i + 4);
    PP_SHA512_ROUND(d, e, f, g, h, a, b, c, i + 5);
    PP_SHA512_ROUND(c, d, e, f, g, h, a, b, i + 6);
    PP_SHA512_ROUND(b, c, d, e, f, g, h, a, i + 7);
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

/* initial_hash: the 64 bytes as big-endian words. */
__kernel void pp_sha512d_bitmessage(volatile __global uint *hit, uint count,
                                    __global const ulong *initial_hash, ulong target, ulong start) {
  const uint offset = get_global_id(0);
  if (offset >= count) return;
  ulong w[16] = {start + offset, initial_hash[0], initial_hash[1], initial_hash[2],
                 initial_hash[3], initial_hash[4], initial_hash[5], initial_hash[6],
                 initial_hash[7], 0x8000000000000000ul, 0, 0, 0, 0, 0, 72 * 8};
  ulong state[8] = PP_SHA512_IV_WORDS;
  pp_sha512_compress(state, w);
  ulong outer[16] = {state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7],
                     0x8000000000000000ul, 0, 0, 0, 0, 0, 0, 64 * 8};
  ulong digest[8] = PP_SHA512_IV_WORDS;
  pp_sha512_compress(digest, outer);
  if (digest[0] <= target) pp_report_hit(hit, offset);
}
