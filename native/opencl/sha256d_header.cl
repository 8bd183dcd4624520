/*
 * Bitcoin: sha256d of an 80-byte header, nonce LE32 at bytes 76..79, passing when the hash read as
 * a little-endian 256-bit integer is <= target. params: the midstate of bytes 0..63 (8 words),
 * bytes 64..75 as big-endian words (3), the target as little-endian words, least significant
 * first (8).
 */
__kernel void pp_sha256d_header(volatile __global uint *hit, uint count,
                                __global const uint *params, uint start) {
  const uint offset = get_global_id(0);
  if (offset >= count) return;
  uint w[16] = {params[8], params[9], params[10], as_uint(as_uchar4(start + offset).wzyx),
                0x80000000u, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 80 * 8};
  uint inner[8];
  for (uint i = 0; i < 8; i++) inner[i] = params[i];
  pp_sha256_compress(inner, w);
  uint digest[8];
  for (uint i = 0; i < 8; i++) digest[i] = PP_SHA256_IV[i];
  uint outer[16] = {inner[0], inner[1], inner[2], inner[3], inner[4], inner[5], inner[6], inner[7],
                    0x80000000u, 0, 0, 0, 0, 0, 0, 32 * 8};
  pp_sha256_compress(digest, outer);
  /* Most significant word first: digest word 7, byte-swapped, against target word 7. */
  for (int i = 7; i >= 0; i--) {
    const uint word = as_uint(as_uchar4(digest[i]).wzyx);
    const uint target = params[11 + i];
    if (word != target) {
      if (word < target) pp_report_hit(hit, offset);
      return;
    }
  }
  pp_report_hit(hit, offset);
}
