/* The Bitcoin target test shared by the SHA-256 header kernels. */
#ifndef PP_SIMD_SHA256_TARGET_H
#define PP_SIMD_SHA256_TARGET_H

#include <stdint.h>

/* hash <= target, both read as little-endian 256-bit integers; the hash given as its eight
 * big-endian digest words (FIPS order). */
static inline int pp_hash_le_at_most(const uint32_t hash[8], const uint8_t target_le[32]) {
  for (int i = 31; i >= 0; i--) {
    const uint8_t byte = (uint8_t)(hash[i / 4] >> (24 - 8 * (i % 4)));
    if (byte != target_le[i]) return byte < target_le[i];
  }
  return 1;
}

#endif
