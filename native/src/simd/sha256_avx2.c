/*
 * SHA-256 kernels with AVX2, for x86-64 CPUs without the SHA extensions (Intel cores before Ice
 * Lake): eight consecutive nonces, one per 32-bit lane. Lanes are checked in order, so the first
 * passing nonce is the one returned, as in the scalar kernels.
 */
#include "../kernels.h"

#if defined(__x86_64__)
#include "lanes32_avx2.h"

#include "../scalar/common.h"
#include "../scalar/sha256.h"
#include "../scalar/text_layout.h"
#include "sha256d_header_lanes.h"
#include "sha256_lanes.h"
#include "text_lanes.h"
#include "text_lanes_avx2.h"

/* Compress the same 64-byte block (shared by all lanes) into every lane. */
PP_AVX2_INLINE void compress_shared(__m256i s[8], const uint8_t *block, const __m256i k[64]) {
  __m256i w[16];
  for (int i = 0; i < 16; i++) w[i] = lanes32_set1(pp_load_be32(block + 4 * i));
  sha256_lanes_compress(s, w, k);
}

__attribute__((target("avx2"))) void pp_sha256_text_avx2(
    const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix, size_t suffix_len,
    unsigned width, unsigned zero_bits, uint64_t start, uint64_t count, pp_result *out) {
  pp_decimal_lanes lanes;
  pp_decimal_lanes_init(&lanes, prefix, prefix_len, suffix, suffix_len, width, start);
  const pp_text_layout *layout = &lanes.layout;
  __m256i k[64];
  sha256_lanes_constants(k);

  uint32_t midstate_words[8];
  for (int i = 0; i < 8; i++) midstate_words[i] = PP_SHA256_IV[i];
  for (size_t b = 0; b < layout->prefix_blocks; b++)
    pp_sha256_compress(midstate_words, prefix + PP_TEXT_BLOCK * b);
  __m256i mask[8];
  const unsigned mask_count = pp_avx2_zero_bits_mask(mask, 8, zero_bits);

  for (uint64_t done = 0; done < count; done += PP_AVX2_LANES) {
    __m256i s[8], w[16];
    for (int i = 0; i < 8; i++) s[i] = lanes32_set1(midstate_words[i]);
    for (unsigned b = 0; b < layout->varying_blocks; b++) {
      pp_avx2_varying_words(&lanes, b, w);
      sha256_lanes_compress(s, w, k);
    }
    for (size_t b = 0; b < layout->direct_blocks; b++)
      compress_shared(s, layout->direct + PP_TEXT_BLOCK * b, k);
    for (unsigned b = 0; b < layout->final_blocks; b++)
      compress_shared(s, layout->final + PP_TEXT_BLOCK * b, k);
    pp_decimal_lanes_advance(&lanes, PP_AVX2_LANES);

    const __m256i masked = pp_avx2_masked(s, mask, mask_count);
    if (pp_result_first_lane(pp_avx2_zero_lanes(masked), start + done, done, count, out)) return;
  }
  pp_result_none(out, count);
}

__attribute__((target("avx2"))) void pp_sha256d_header_avx2(const uint8_t header[80],
                                                           const uint8_t target_le[32],
                                                           uint64_t start, uint64_t count,
                                                           pp_result *out) {
  sha256d_header_scan(header, target_le, start, count, out);
}

#endif
