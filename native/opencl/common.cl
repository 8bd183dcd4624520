/*
 * Shared by every Powerplant OpenCL kernel. The host concatenates the .cl files of this folder in
 * a fixed order (native/src/opencl/host.c) and builds them as one program per device, after a
 * prelude it prints from the C kernels' own tables (the headers of native/src/scalar): PP_SHA256_K,
 * PP_SHA256_IV, PP_SHA1_K, PP_SHA512_K, PP_SHA512_IV, PP_BLAKE2B_SIGMA (flat) and
 * PP_BLAKE2B_NANO_H0, so the constants exist once.
 *
 * The search contract is the CPU kernels' (native/src/kernels.h): a launch covers `count`
 * consecutive nonces, work-item `offset` tries the launch's first nonce + offset, and the launch
 * reports the lowest passing offset (so the host can count attempts up to and including it), or
 * PP_NO_HIT. Work-items past `count` exist only to round the launch up to whole work-groups.
 */
#define PP_NO_HIT 0xffffffffu

/* Offer a passing offset; the lowest one of the launch stays. */
void pp_report_hit(volatile __global uint *hit, uint offset) { atomic_min(hit, offset); }

uint pp_rotr32(uint x, uint n) { return rotate(x, 32u - n); }
ulong pp_rotr64(ulong x, uint n) { return rotate(x, (ulong)(64u - n)); }

/* True when the big-endian digest held as `words` 32-bit words has >= zero_bits leading zero
 * bits. */
bool pp_has_leading_zero_bits(const uint *digest, uint words, uint zero_bits) {
  const uint full = zero_bits / 32, rest = zero_bits % 32;
  if (full > words || (full == words && rest != 0)) return false;
  for (uint i = 0; i < full; i++)
    if (digest[i] != 0) return false;
  return rest == 0 || (digest[full] >> (32 - rest)) == 0;
}
