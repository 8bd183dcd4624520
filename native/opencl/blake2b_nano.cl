/*
 * Nano: BLAKE2b with an 8-byte digest over nonce LE64 || root[32], read as LE uint64, >= threshold.
 * params: the working vector after round 0's three nonce-free columns, folded by the host (16
 * words), then the root as little-endian words (4). PP_BLAKE2B_SIGMA (flat, 12 x 16) and
 * PP_BLAKE2B_NANO_H0 (h[0]: IV[0] xor Nano's parameter block) come from the host's prelude.
 */
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
#define PP_BLAKE2B_M(r, k) m[PP_BLAKE2B_SIGMA[16 * (r) + (k)]]

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
