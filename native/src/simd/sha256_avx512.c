/*
 * SHA-256 kernels with AVX-512, for CPUs with AVX-512 but without the SHA extensions (Intel Xeon
 * Skylake-SP to Cooper Lake): sixteen consecutive nonces per call of the shared loops in
 * text_scan_lanes.h and sha256d_header_lanes.h, with native rotations and each three-input
 * function one vpternlogd.
 */
#include "../kernels.h"

#if defined(__x86_64__)
#include "text_lanes_avx512.h"

#include "sha256_text_lanes.h"
#include "sha256d_header_lanes.h"
#include "text_segments.h"

PP_AVX512_TARGET void pp_sha256_text_avx512(const uint8_t *prefix, size_t prefix_len,
                                            const uint8_t *suffix, size_t suffix_len,
                                            unsigned width, unsigned zero_bits, uint64_t start,
                                            uint64_t count, pp_result *out) {
  text_search(prefix, prefix_len, suffix, suffix_len, width, zero_bits, start, count, out);
}

PP_AVX512_TARGET void pp_sha256d_header_avx512(const uint8_t header[80],
                                               const uint8_t target_le[32], uint64_t start,
                                               uint64_t count, pp_result *out) {
  sha256d_header_scan(header, target_le, start, count, out);
}

#endif
