/*
 * Nano: BLAKE2b with an 8-byte digest over nonce LE64 || root[32], read as LE uint64, >= threshold.
 * params: the working vector after round 0's three nonce-free columns, folded by the host (16
 * words), then the root as little-endian words (4).
 */
__constant uchar PP_BLAKE2B_SIGMA[12][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
    {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
    {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
    {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
    {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
    {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
    {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
    {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
    {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3}};

/* h[0] of a BLAKE2b-64 state: IV[0] xor the parameter block (digest length 8, fanout 1, depth 1). */
#define PP_BLAKE2B_NANO_H0 (0x6a09e667f3bcc908ul ^ 0x01010008ul)

#define PP_BLAKE2B_G(a, b, c, d, x, y)                                                             \
  {                                                                                                \
    v[a] = v[a] + v[b] + (x);                                                                      \
    v[d] = pp_rotr64(v[d] ^ v[a], 32);                                                             \
    v[c] = v[c] + v[d];                                                                            \
    v[b] = pp_rotr64(v[b] ^ v[c], 24);                                                             \
    v[a] = v[a] + v[b] + (y);                                                                      \
    v[d] = pp_rotr64(v[d] ^ v[a], 16);                                                             \
    v[c] = v[c] + v[d];                                                                            \
    v[b] = pp_rotr64(v[b] ^ v[c], 63);                                                             \
  }
#define PP_BLAKE2B_M(r, k) m[PP_BLAKE2B_SIGMA[r][k]]

__kernel void pp_blake2b_nano(volatile __global uint *hit, uint count, __global const ulong *params,
                              ulong threshold, ulong start) {
  const uint offset = get_global_id(0);
  if (offset >= count) return;
  ulong m[16] = {start + offset, params[16], params[17], params[18], params[19], 0, 0, 0,
                 0, 0, 0, 0, 0, 0, 0, 0};
  ulong v[16];
#pragma unroll
  for (uint i = 0; i < 16; i++) v[i] = params[i];
  /* Round 0: column 0 (the nonce's) and the diagonals. */
  PP_BLAKE2B_G(0, 4, 8, 12, m[0], m[1]);
  PP_BLAKE2B_G(0, 5, 10, 15, m[8], m[9]);
  PP_BLAKE2B_G(1, 6, 11, 12, m[10], m[11]);
  PP_BLAKE2B_G(2, 7, 8, 13, m[12], m[13]);
  PP_BLAKE2B_G(3, 4, 9, 14, m[14], m[15]);
#pragma unroll
  for (uint r = 1; r < 12; r++) {
    PP_BLAKE2B_G(0, 4, 8, 12, PP_BLAKE2B_M(r, 0), PP_BLAKE2B_M(r, 1));
    PP_BLAKE2B_G(1, 5, 9, 13, PP_BLAKE2B_M(r, 2), PP_BLAKE2B_M(r, 3));
    PP_BLAKE2B_G(2, 6, 10, 14, PP_BLAKE2B_M(r, 4), PP_BLAKE2B_M(r, 5));
    PP_BLAKE2B_G(3, 7, 11, 15, PP_BLAKE2B_M(r, 6), PP_BLAKE2B_M(r, 7));
    PP_BLAKE2B_G(0, 5, 10, 15, PP_BLAKE2B_M(r, 8), PP_BLAKE2B_M(r, 9));
    PP_BLAKE2B_G(1, 6, 11, 12, PP_BLAKE2B_M(r, 10), PP_BLAKE2B_M(r, 11));
    PP_BLAKE2B_G(2, 7, 8, 13, PP_BLAKE2B_M(r, 12), PP_BLAKE2B_M(r, 13));
    PP_BLAKE2B_G(3, 4, 9, 14, PP_BLAKE2B_M(r, 14), PP_BLAKE2B_M(r, 15));
  }
  if ((PP_BLAKE2B_NANO_H0 ^ v[0] ^ v[8]) >= threshold) pp_report_hit(hit, offset);
}
