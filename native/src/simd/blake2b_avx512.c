/* Nano work with AVX-512: the shared loop in blake2b_nano_lanes.h with every rotation one vprorq,
 * on one vector of eight nonces or on two interleaved (sixteen), whichever measures faster. */
#include "../kernels.h"

#if defined(__x86_64__)
#include "lanes64_avx512.h"

#include "blake2b_nano_lanes.h"

PP_AVX512_TARGET void pp_blake2b_nano_avx512(const uint8_t root[32], uint64_t threshold,
                                             uint64_t start, uint64_t count, pp_result *out) {
  blake2b_nano_scan(root, threshold, start, count, out, 1);
}

PP_AVX512_TARGET void pp_blake2b_nano_avx512_x2(const uint8_t root[32], uint64_t threshold,
                                                uint64_t start, uint64_t count, pp_result *out) {
  blake2b_nano_scan(root, threshold, start, count, out, 2);
}

#endif
