/* SHA-1 text kernel on 4 lanes (see text_x4.c): the SIMD128 twin of pp_sha1_text_scalar. */
#include "../../native/src/scalar/sha1.h"
#include "sha1x4.h"
#include "text_x4.h"

static const pp_hash_x4 SHA1_X4 = {
    .state_words = 5,
    .iv = PP_SHA1_IV,
    .compress = pp_sha1_compress,
    .round_group = PP_SHA1X4_ROUND_GROUP,
    .rounds_until = pp_sha1x4_rounds_until,
    .expand = 0, /* rounds_from expands as it goes */
    .rounds_from = pp_sha1x4_rounds_from,
};

void pp_sha1_text_simd128(const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix,
                          size_t suffix_len, unsigned width, unsigned zero_bits, uint64_t start,
                          uint64_t count, pp_result *out) {
  pp_text_scan_x4(&SHA1_X4, prefix, prefix_len, suffix, suffix_len, width, zero_bits, start, count,
                  out);
}
