/*
 * Byte-order helpers and the result setter shared by the scalar kernels (and usable by the SIMD
 * ones). Header-only so every kernel inlines them; plain C11 with no libc at all (the
 * wasm32 build is freestanding).
 */
#ifndef PP_SCALAR_COMMON_H
#define PP_SCALAR_COMMON_H

#include <stdint.h>
#include "../kernels.h"

static inline uint32_t pp_rotr32(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }
static inline uint32_t pp_rotl32(uint32_t x, unsigned n) { return (x << n) | (x >> (32 - n)); }
static inline uint64_t pp_rotr64(uint64_t x, unsigned n) { return (x >> n) | (x << (64 - n)); }

static inline uint32_t pp_load_be32(const uint8_t *p) {
  return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}
static inline uint32_t pp_load_le32(const uint8_t *p) {
  return p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t pp_load_be64(const uint8_t *p) {
  return ((uint64_t)pp_load_be32(p) << 32) | pp_load_be32(p + 4);
}
static inline uint64_t pp_load_le64(const uint8_t *p) {
  return pp_load_le32(p) | ((uint64_t)pp_load_le32(p + 4) << 32);
}
static inline uint32_t pp_bswap32(uint32_t x) {
  return (x >> 24) | ((x >> 8) & 0xff00u) | ((x << 8) & 0xff0000u) | (x << 24);
}

static inline void pp_result_found(pp_result *out, uint64_t nonce, uint64_t attempts) {
  out->nonce = nonce;
  out->attempts = attempts;
  out->found = 1;
}
/* For the SIMD kernels: the lowest lane set in `passing`, where lane l tried nonce first + l as
 * attempt done + l + 1, is the result when it lies inside the range of `count` attempts (lanes past
 * the end are hashed but never reported). Returns 1 when it did. */
static inline int pp_result_first_lane(unsigned passing, uint64_t first, uint64_t done,
                                       uint64_t count, pp_result *out) {
  if (passing == 0) return 0;
  const unsigned lane = (unsigned)__builtin_ctz(passing);
  if (done + lane >= count) return 0;
  pp_result_found(out, first + lane, done + lane + 1);
  return 1;
}
static inline void pp_result_none(pp_result *out, uint64_t count) {
  out->nonce = 0;
  out->attempts = count;
  out->found = 0;
}

/* True when the big-endian digest held as `words` 32-bit words has >= zero_bits leading zero bits. */
static inline int pp_has_leading_zero_bits(const uint32_t *digest, unsigned words,
                                           unsigned zero_bits) {
  unsigned full = zero_bits / 32, rest = zero_bits % 32;
  if (full > words || (full == words && rest != 0)) return 0;
  for (unsigned i = 0; i < full; i++)
    if (digest[i] != 0) return 0;
  return rest == 0 || (digest[full] >> (32 - rest)) == 0;
}

#endif
