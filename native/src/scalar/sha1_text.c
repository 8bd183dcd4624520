/*
 * SHA-1 of prefix || decimal nonce || suffix with a leading-zero-bits target (hashcash v1). The
 * counter comes last in a stamp, so usually one compression per attempt after the prefix midstate.
 */
#include "sha1.h"
#include "text_layout.h"

void pp_sha1_text_scalar(const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix,
                         size_t suffix_len, unsigned width, unsigned zero_bits, uint64_t start,
                         uint64_t count, pp_result *out) {
  pp_text_scan(PP_SHA1_IV, 5, pp_sha1_compress, prefix, prefix_len, suffix, suffix_len, width,
               zero_bits, start, count, out);
}
