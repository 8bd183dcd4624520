/* Nano work with AVX-512: eight nonces per call of the shared loop in blake2b_nano_lanes.h, with
 * every rotation one vprorq. */
#include "../kernels.h"

#if defined(__x86_64__)
#include "lanes64_avx512.h"

#include "blake2b_nano_lanes.h"

PP_AVX512_TARGET void pp_blake2b_nano_avx512(const uint8_t root[32], uint64_t threshold,
                                             uint64_t start, uint64_t count, pp_result *out) {
  blake2b_nano_scan(root, threshold, start, count, out);
}

#endif
