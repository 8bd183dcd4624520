/* Nano work with AVX2: four nonces per call of the shared loop in blake2b_nano_lanes.h. */
#if defined(__GNUC__) && !defined(__clang__)
/* GCC's pre-allocation scheduler, which is off by default on x86, keeps this long unrolled body
 * at about 8% more attempts per second on Zen 4 (it costs the SHA-NI kernels, so only here). */
#pragma GCC optimize("schedule-insns", "sched-pressure")
#endif

#include "../kernels.h"

#if defined(__x86_64__)
#include "lanes64_avx2.h"

#include "blake2b_nano_lanes.h"

__attribute__((target("avx2"))) void pp_blake2b_nano_avx2(const uint8_t root[32],
                                                          uint64_t threshold, uint64_t start,
                                                          uint64_t count, pp_result *out) {
  blake2b_nano_scan(root, threshold, start, count, out, 1);
}

#endif
