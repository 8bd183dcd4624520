/*
 * Hashcash v1 (SHA-1 text) with AVX-512, for CPUs with AVX-512 but without the SHA extensions:
 * sixteen consecutive nonces per call of the shared loop in text_scan_lanes.h.
 */
#include "../kernels.h"

#if defined(__x86_64__)
#include "text_lanes_avx512.h"

#include "sha1_lanes.h"

#define PP_TEXT_WORDS 5
#define PP_TEXT_IV PP_SHA1_IV
#define text_compress_scalar pp_sha1_compress
#define PP_TEXT_ROUND_CONSTANTS 4
#define text_lanes_constants sha1_lanes_constants
#define text_lanes_compress sha1_lanes_compress
#define PP_TEXT_ROUNDS 80
#define text_schedule_scalar pp_sha1_schedule
#define text_lanes_compress_scheduled sha1_lanes_compress_scheduled
#define text_lanes_compress_scheduled_pair sha1_lanes_compress_scheduled_pair
#include "text_scan_lanes.h"
#include "text_segments.h"

PP_AVX512_TARGET void pp_sha1_text_avx512(const uint8_t *prefix, size_t prefix_len,
                                          const uint8_t *suffix, size_t suffix_len, unsigned width,
                                          unsigned zero_bits, uint64_t start, uint64_t count,
                                          pp_result *out) {
  text_search(prefix, prefix_len, suffix, suffix_len, width, zero_bits, start, count, out);
}

#endif
