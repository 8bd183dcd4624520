/*
 * SHA-256 kernels with AVX2, for x86-64 CPUs without the SHA extensions (Intel cores before Ice
 * Lake): eight consecutive nonces per call of the shared loops in text_scan_lanes.h and
 * sha256d_header_lanes.h.
 */
#include "../kernels.h"

#if defined(__x86_64__)
#include "text_lanes_avx2.h"

#include "sha256_text_lanes.h"
#include "sha256d_header_lanes.h"
#include "text_segments.h"

__attribute__((target("avx2"))) void pp_sha256_text_avx2(
    const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix, size_t suffix_len,
    unsigned width, unsigned zero_bits, uint64_t start, uint64_t count, pp_result *out) {
  text_search(prefix, prefix_len, suffix, suffix_len, width, zero_bits, start, count, out);
}

__attribute__((target("avx2"))) void pp_sha256d_header_avx2(const uint8_t header[80],
                                                           const uint8_t target_le[32],
                                                           uint64_t start, uint64_t count,
                                                           pp_result *out) {
  sha256d_header_scan(header, target_le, start, count, out);
}

#endif
