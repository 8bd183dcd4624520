/*
 * Bitmessage: the first 8 bytes (BE) of SHA-512(SHA-512(nonce BE64 || initial_hash[64])) <= target.
 * The nonce comes first, so there is no midstate: two compressions per attempt.
 */
/* initial_hash: the 64 bytes as big-endian words. */
__kernel void pp_sha512d_bitmessage(volatile __global uint *hit, uint count,
                                    __global const ulong *initial_hash, ulong target, ulong start) {
  const uint offset = get_global_id(0);
  if (offset >= count) return;
  ulong w[16] = {start + offset, initial_hash[0], initial_hash[1], initial_hash[2],
                 initial_hash[3], initial_hash[4], initial_hash[5], initial_hash[6],
                 initial_hash[7], 0x8000000000000000ul, 0, 0, 0, 0, 0, 72 * 8};
  ulong state[8];
  for (uint i = 0; i < 8; i++) state[i] = PP_SHA512_IV[i];
  pp_sha512_compress(state, w);
  ulong outer[16] = {state[0], state[1], state[2], state[3], state[4], state[5], state[6], state[7],
                     0x8000000000000000ul, 0, 0, 0, 0, 0, 0, 64 * 8};
  ulong digest[8];
  for (uint i = 0; i < 8; i++) digest[i] = PP_SHA512_IV[i];
  pp_sha512_compress(digest, outer);
  if (digest[0] <= target) pp_report_hit(hit, offset);
}
