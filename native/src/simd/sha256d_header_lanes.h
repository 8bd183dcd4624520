/*
 * The Bitcoin header search (sha256d of 80 bytes, nonce LE32 at bytes 76..79) for any vector
 * width: PP_LANES32 consecutive nonces, one per 32-bit lane, after the first 64 bytes' midstate.
 * The including kernel defines the 32-bit lane vocabulary first (see sha256_lanes.h), with
 * lanes32_from, lanes32_bswap, lanes32_store, lanes32_equal and lanes32_at_most besides.
 */
#ifndef PP_SIMD_SHA256D_HEADER_LANES_H
#define PP_SIMD_SHA256D_HEADER_LANES_H

#include "sha256_lanes.h"
#include "sha256_target.h"

PP_LANES32_INLINE void sha256d_header_scan(const uint8_t header[80], const uint8_t target_le[32],
                                           uint64_t start, uint64_t count, pp_result *out) {
  pp_lanes32 k[64];
  sha256_lanes_constants(k);
  uint32_t midstate[8];
  for (int i = 0; i < 8; i++) midstate[i] = PP_SHA256_IV[i];
  pp_sha256_compress(midstate, header);
  /* The top 32 bits of the little-endian hash (byte-swapped H7) decide all but ties. */
  const uint32_t target_top = pp_load_le32(target_le + 28);

  for (uint64_t done = 0; done < count; done += PP_LANES32) {
    pp_lanes32 s[8], w[16];
    for (int i = 0; i < 8; i++) s[i] = lanes32_set1(midstate[i]);
    /* Block 2: bytes 64..75, the nonce, the 0x80 pad byte, zeros, the bit length. */
    for (int i = 0; i < 3; i++) w[i] = lanes32_set1(pp_load_be32(header + 64 + 4 * i));
    w[3] = lanes32_bswap(lanes32_from((uint32_t)(start + done)));
    w[4] = lanes32_set1(0x80000000u);
    for (int i = 5; i < 15; i++) w[i] = lanes32_set1(0);
    w[15] = lanes32_set1(80 * 8);
    sha256_lanes_compress(s, w, k);
    /* The 32-byte digest, padded. */
    for (int i = 0; i < 8; i++) {
      w[i] = s[i];
      s[i] = lanes32_set1(PP_SHA256_IV[i]);
    }
    w[8] = lanes32_set1(0x80000000u);
    for (int i = 9; i < 15; i++) w[i] = lanes32_set1(0);
    w[15] = lanes32_set1(32 * 8);
    sha256_lanes_compress(s, w, k);

    const pp_lanes32 top = lanes32_bswap(s[7]);
    unsigned candidates = lanes32_at_most(top, target_top);
    const unsigned tied = candidates & lanes32_equal(top, target_top);
    if (tied != 0) {
      /* The top words tie: compare the whole hash of those lanes. */
      uint32_t words[8][PP_LANES32];
      for (int i = 0; i < 8; i++) lanes32_store(words[i], s[i]);
      for (unsigned l = 0; l < PP_LANES32; l++) {
        if (!(tied & (1u << l))) continue;
        uint32_t hash[8];
        for (int i = 0; i < 8; i++) hash[i] = words[i][l];
        if (!pp_hash_le_at_most(hash, target_le)) candidates &= ~(1u << l);
      }
    }
    if (pp_result_first_lane(candidates, start + done, done, count, out)) return;
  }
  pp_result_none(out, count);
}

#endif
