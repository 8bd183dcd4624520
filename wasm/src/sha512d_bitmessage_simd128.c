/*
 * Bitmessage double SHA-512 on 2 lanes of u64x2: two consecutive nonces per step, the initial hash
 * words and both paddings loaded once per call.
 */
#include "../../native/src/scalar/common.h"
#include "../../native/src/scalar/sha512.h"
#include "simd128.h"

#define LANES 2u

#define S0(x) (rotr64x2(x, 28) ^ rotr64x2(x, 34) ^ rotr64x2(x, 39))
#define S1(x) (rotr64x2(x, 14) ^ rotr64x2(x, 18) ^ rotr64x2(x, 41))
#define s0(x) (rotr64x2(x, 1) ^ rotr64x2(x, 8) ^ ((x) >> 7))
#define s1(x) (rotr64x2(x, 19) ^ rotr64x2(x, 61) ^ ((x) >> 6))

/* One SHA-512 compression from the IV (both messages here fit one block). */
static inline void compress_from_iv(u64x2 digest[8], const u64x2 w16[16]) {
  u64x2 w[80];
  for (int i = 0; i < 16; i++) w[i] = w16[i];
  for (int i = 16; i < 80; i++) w[i] = s1(w[i - 2]) + w[i - 7] + s0(w[i - 15]) + w[i - 16];
  u64x2 v[8];
  for (int i = 0; i < 8; i++) v[i] = splat64x2(PP_SHA512_IV[i]);
  for (int i = 0; i < 80; i++) {
    const u64x2 t1 = v[7] + S1(v[4]) + ((v[4] & v[5]) ^ (~v[4] & v[6])) + PP_SHA512_K[i] + w[i];
    const u64x2 t2 = S0(v[0]) + ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
    v[7] = v[6];
    v[6] = v[5];
    v[5] = v[4];
    v[4] = v[3] + t1;
    v[3] = v[2];
    v[2] = v[1];
    v[1] = v[0];
    v[0] = t1 + t2;
  }
  for (int i = 0; i < 8; i++) digest[i] = v[i] + PP_SHA512_IV[i];
}

void pp_sha512d_bitmessage_simd128(const uint8_t initial_hash[64], uint64_t target,
                                   uint64_t start, uint64_t count, pp_result *out) {
  u64x2 inner[16], outer[16];
  for (int i = 0; i < 16; i++) inner[i] = outer[i] = splat64x2(0);
  for (int i = 0; i < 8; i++) inner[1 + i] = splat64x2(pp_load_be64(initial_hash + 8 * i));
  inner[9] = splat64x2(0x8000000000000000u);
  inner[15] = splat64x2(72 * 8);
  outer[8] = splat64x2(0x8000000000000000u);
  outer[15] = splat64x2(64 * 8);

  for (uint64_t i = 0; i < count; i += LANES) {
    const uint64_t nonce = start + i;
    inner[0] = (u64x2){nonce, nonce + 1};
    compress_from_iv(outer, inner);
    u64x2 digest[8];
    compress_from_iv(digest, outer);
    if (digest[0][0] <= target) {
      pp_result_found(out, nonce, i + 1);
      return;
    }
    if (count - i > 1 && digest[0][1] <= target) {
      pp_result_found(out, nonce + 1, i + 2);
      return;
    }
  }
  pp_result_none(out, count);
}
