/*
 * SHA-256 of prefix || decimal nonce || suffix with a leading-zero-bits target (NIP-13, gates).
 * The prefix's whole blocks are hashed once per call; each attempt advances the digits in place
 * and hashes only the blocks from the digits to the end.
 */
#include "sha256.h"
#include "text_layout.h"

void pp_sha256_text_scalar(const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix,
                           size_t suffix_len, unsigned width, unsigned zero_bits, uint64_t start,
                           uint64_t count, pp_result *out) {
  pp_text_scan(PP_SHA256_IV, 8, pp_sha256_compress, prefix, prefix_len, suffix, suffix_len, width,
               zero_bits, start, count, out);
}
