/* Bitmessage double SHA-512 with AVX2: four nonces per call of the shared loop in
 * sha512d_lanes.h; rotations are two shifts and an OR, except by 8 bits (one byte shuffle). */
#include "../kernels.h"

#if defined(__x86_64__)
#include "lanes64_avx2.h"

#include "sha512d_lanes.h"

__attribute__((target("avx2"))) void pp_sha512d_bitmessage_avx2(const uint8_t initial_hash[64],
                                                                uint64_t target, uint64_t start,
                                                                uint64_t count, pp_result *out) {
  sha512d_bitmessage_scan(initial_hash, target, start, count, out);
}

#endif
