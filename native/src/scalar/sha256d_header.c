/*
 * Bitcoin sha256d over an 80-byte header, nonce LE32 at bytes 76..79. The first 64 bytes are
 * constant: their SHA-256 state is computed once per call, so an attempt costs two compressions.
 */
#include "common.h"
#include "sha256.h"

/* The digest (8 big-endian words) read as a little-endian 256-bit integer, compared to target. */
static int hash_at_most_target(const uint32_t digest[8], const uint32_t target_words[8]) {
  for (int i = 7; i >= 0; i--) {
    const uint32_t word = pp_bswap32(digest[i]);
    if (word != target_words[i]) return word < target_words[i];
  }
  return 1;
}

void pp_sha256d_header_scalar(const uint8_t header[80], const uint8_t target_le[32], uint64_t start,
                              uint64_t count, pp_result *out) {
  uint32_t target_words[8];
  for (int i = 0; i < 8; i++) target_words[i] = pp_load_le32(target_le + 4 * i);
  uint32_t midstate[8];
  for (int w = 0; w < 8; w++) midstate[w] = PP_SHA256_IV[w];
  pp_sha256_compress(midstate, header);

  /* Block 2 of the header: bytes 64..75, the nonce, padding, length 640 bits. */
  uint32_t tail[16] = {0};
  for (int i = 0; i < 3; i++) tail[i] = pp_load_be32(header + 64 + 4 * i);
  tail[4] = 0x80000000u;
  tail[15] = 80 * 8;
  /* The second hash: a 32-byte digest, padding, length 256 bits. */
  uint32_t outer[16] = {0};
  outer[8] = 0x80000000u;
  outer[15] = 32 * 8;

  for (uint64_t i = 0; i < count; i++) {
    const uint32_t nonce = (uint32_t)(start + i);
    tail[3] = pp_bswap32(nonce);
    uint32_t inner_state[8];
    for (int w = 0; w < 8; w++) inner_state[w] = midstate[w];
    pp_sha256_compress_words(inner_state, tail);
    for (int w = 0; w < 8; w++) outer[w] = inner_state[w];
    uint32_t digest[8];
    for (int w = 0; w < 8; w++) digest[w] = PP_SHA256_IV[w];
    pp_sha256_compress_words(digest, outer);
    if (hash_at_most_target(digest, target_words)) {
      pp_result_found(out, nonce, i + 1);
      return;
    }
  }
  pp_result_none(out, count);
}
