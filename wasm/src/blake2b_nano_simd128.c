/*
 * Nano work on 2 lanes of u64x2: two consecutive nonces per step, with the same folding as the
 * scalar kernel (round 0's columns 1..3 never read the nonce). Rotations by 32, 24 and 16 are byte
 * shuffles, which cost one instruction instead of three.
 */
#include "../../native/src/scalar/blake2b.h"
#include "../../native/src/scalar/common.h"
#include "simd128.h"

#define LANES 2u

typedef uint8_t u8x16 __attribute__((vector_size(16)));

static inline u64x2 rotr32(u64x2 x) {
  return (u64x2)__builtin_shufflevector((u8x16)x, (u8x16)x, 4, 5, 6, 7, 0, 1, 2, 3, 12, 13, 14, 15,
                                        8, 9, 10, 11);
}
static inline u64x2 rotr24(u64x2 x) {
  return (u64x2)__builtin_shufflevector((u8x16)x, (u8x16)x, 3, 4, 5, 6, 7, 0, 1, 2, 11, 12, 13, 14,
                                        15, 8, 9, 10);
}
static inline u64x2 rotr16(u64x2 x) {
  return (u64x2)__builtin_shufflevector((u8x16)x, (u8x16)x, 2, 3, 4, 5, 6, 7, 0, 1, 10, 11, 12, 13,
                                        14, 15, 8, 9);
}
static inline u64x2 rotr63(u64x2 x) { return (x + x) | (x >> 63); }

#define G(a, b, c, d, x, y)                                                                        \
  do {                                                                                             \
    a = a + b + (x);                                                                               \
    d = rotr32(d ^ a);                                                                             \
    c = c + d;                                                                                     \
    b = rotr24(b ^ c);                                                                             \
    a = a + b + (y);                                                                               \
    d = rotr16(d ^ a);                                                                             \
    c = c + d;                                                                                     \
    b = rotr63(b ^ c);                                                                             \
  } while (0)

void pp_blake2b_nano_simd128(const uint8_t root[32], uint64_t threshold, uint64_t start,
                             uint64_t count, pp_result *out) {
  uint64_t root_words[5] = {0};
  for (int i = 0; i < 4; i++) root_words[1 + i] = pp_load_le64(root + 8 * i);
  const uint64_t h0 = PP_BLAKE2B_IV[0] ^ PP_BLAKE2B_NANO_PARAM;

  /* Folded in scalar once, then spread to both lanes. */
  uint64_t init[16];
  pp_blake2b_nano_fold(root, init);

  u64x2 m[16];
  for (int i = 0; i < 16; i++) m[i] = splat64x2(i < 5 ? root_words[i] : 0);

  for (uint64_t i = 0; i < count; i += LANES) {
    const uint64_t nonce = start + i;
    m[0] = (u64x2){nonce, nonce + 1};
    u64x2 v0 = splat64x2(init[0]), v1 = splat64x2(init[1]), v2 = splat64x2(init[2]);
    u64x2 v3 = splat64x2(init[3]), v4 = splat64x2(init[4]), v5 = splat64x2(init[5]);
    u64x2 v6 = splat64x2(init[6]), v7 = splat64x2(init[7]), v8 = splat64x2(init[8]);
    u64x2 v9 = splat64x2(init[9]), v10 = splat64x2(init[10]), v11 = splat64x2(init[11]);
    u64x2 v12 = splat64x2(init[12]), v13 = splat64x2(init[13]), v14 = splat64x2(init[14]);
    u64x2 v15 = splat64x2(init[15]);
    G(v0, v4, v8, v12, m[0], m[1]);
    G(v0, v5, v10, v15, m[8], m[9]);
    G(v1, v6, v11, v12, m[10], m[11]);
    G(v2, v7, v8, v13, m[12], m[13]);
    G(v3, v4, v9, v14, m[14], m[15]);
    PP_BLAKE2B_ROUNDS_1_TO_11(G, m);
    const u64x2 value = splat64x2(h0) ^ v0 ^ v8;
    if (value[0] >= threshold) {
      pp_result_found(out, nonce, i + 1);
      return;
    }
    if (count - i > 1 && value[1] >= threshold) {
      pp_result_found(out, nonce + 1, i + 2);
      return;
    }
  }
  pp_result_none(out, count);
}
