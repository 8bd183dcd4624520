/* Bitmessage double SHA-512 with AVX-512: eight nonces per call of the shared loop in
 * sha512d_lanes.h, with native rotations (vprorq) and each three-input function one vpternlogq. */
#include "../kernels.h"

#if defined(__x86_64__)
#include "lanes64_avx512.h"

#include "sha512d_lanes.h"

PP_AVX512_TARGET void pp_sha512d_bitmessage_avx512(const uint8_t initial_hash[64], uint64_t target,
                                                   uint64_t start, uint64_t count,
                                                   pp_result *out) {
  sha512d_bitmessage_scan(initial_hash, target, start, count, out);
}

#endif
