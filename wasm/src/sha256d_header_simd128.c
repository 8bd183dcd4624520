/*
 * Bitcoin sha256d on 4 lanes: four consecutive nonces per step. Once per call: the midstate of the
 * header's first 64 bytes and the first three rounds of block 2, which read only header bytes 64..75.
 */
#include "../../native/src/scalar/common.h"
#include "../../native/src/scalar/sha256.h"
#include "sha256x4.h"

#define LANES 4u
#define NONCE_WORD 3u /* bytes 76..79 */

/* One lane's digest read as a little-endian 256-bit integer, compared to the target. */
static int lane_at_most_target(const u32x4 digest[8], unsigned lane, const uint32_t target_words[8]) {
  for (int i = 7; i >= 0; i--) {
    const uint32_t word = pp_bswap32(digest[i][lane]);
    if (word != target_words[i]) return word < target_words[i];
  }
  return 1;
}

void pp_sha256d_header_simd128(const uint8_t header[80], const uint8_t target_le[32],
                               uint64_t start, uint64_t count, pp_result *out) {
  uint32_t target_words[8];
  for (int i = 0; i < 8; i++) target_words[i] = pp_load_le32(target_le + 4 * i);
  uint32_t midstate[8];
  for (int i = 0; i < 8; i++) midstate[i] = PP_SHA256_IV[i];
  pp_sha256_compress(midstate, header);

  u32x4 tail[PP_SHA256X4_SCHEDULE], mid[8], vars_at_nonce[8], iv[8];
  for (int i = 0; i < 16; i++) tail[i] = splat32x4(0);
  for (int i = 0; i < 3; i++) tail[i] = splat32x4(pp_load_be32(header + 64 + 4 * i));
  tail[4] = splat32x4(0x80000000u);
  tail[15] = splat32x4(80 * 8);
  for (int i = 0; i < 8; i++) {
    mid[i] = vars_at_nonce[i] = splat32x4(midstate[i]);
    iv[i] = splat32x4(PP_SHA256_IV[i]);
  }
  pp_sha256x4_rounds_until(vars_at_nonce, tail, NONCE_WORD);

  u32x4 outer[PP_SHA256X4_SCHEDULE];
  for (int i = 8; i < 16; i++) outer[i] = splat32x4(0);
  outer[8] = splat32x4(0x80000000u);
  outer[15] = splat32x4(32 * 8);

  for (uint64_t i = 0; i < count; i += LANES) {
    const uint32_t first = (uint32_t)(start + i);
    tail[NONCE_WORD] = (u32x4){pp_bswap32(first), pp_bswap32(first + 1), pp_bswap32(first + 2),
                               pp_bswap32(first + 3)};
    u32x4 inner[8], digest[8];
    for (int w = 0; w < 8; w++) inner[w] = mid[w];
    pp_sha256x4_expand(tail);
    pp_sha256x4_rounds_from(inner, vars_at_nonce, tail, NONCE_WORD);
    for (int w = 0; w < 8; w++) outer[w] = inner[w], digest[w] = iv[w];
    pp_sha256x4_expand(outer);
    pp_sha256x4_rounds_from(digest, iv, outer, 0);

    const uint64_t lanes = count - i < LANES ? count - i : LANES;
    for (unsigned lane = 0; lane < lanes; lane++) {
      if (lane_at_most_target(digest, lane, target_words)) {
        pp_result_found(out, first + lane, i + lane + 1);
        return;
      }
    }
  }
  pp_result_none(out, count);
}
