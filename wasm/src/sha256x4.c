#include "sha256x4.h"

#include "../../native/src/scalar/sha256.h"

#define S0(x) (rotr32x4(x, 2) ^ rotr32x4(x, 13) ^ rotr32x4(x, 22))
#define S1(x) (rotr32x4(x, 6) ^ rotr32x4(x, 11) ^ rotr32x4(x, 25))
#define s0(x) (rotr32x4(x, 7) ^ rotr32x4(x, 18) ^ ((x) >> 3))
#define s1(x) (rotr32x4(x, 17) ^ rotr32x4(x, 19) ^ ((x) >> 10))
#define CH(e, f, g) ((g) ^ ((e) & ((f) ^ (g))))
#define MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) | (b))))

/* Plain loops, unlike the scalar code: V8 keeps this form in registers, while the fully unrolled
 * 16-word-ring form spilled and ran 20-25% slower (and renaming in groups of 8 did no better). */
static inline void round_x4(u32x4 v[8], u32x4 w, uint32_t k) {
  const u32x4 t1 = v[7] + S1(v[4]) + CH(v[4], v[5], v[6]) + k + w;
  const u32x4 t2 = S0(v[0]) + MAJ(v[0], v[1], v[2]);
  v[7] = v[6];
  v[6] = v[5];
  v[5] = v[4];
  v[4] = v[3] + t1;
  v[3] = v[2];
  v[2] = v[1];
  v[1] = v[0];
  v[0] = t1 + t2;
}

void pp_sha256x4_rounds_until(u32x4 vars[8], const u32x4 w[16], unsigned to) {
  for (unsigned i = 0; i < to; i++) round_x4(vars, w[i], PP_SHA256_K[i]);
}

void pp_sha256x4_expand(u32x4 w[64]) {
  for (int i = 16; i < 64; i++) w[i] = s1(w[i - 2]) + w[i - 7] + s0(w[i - 15]) + w[i - 16];
}

void pp_sha256x4_rounds_from(u32x4 state[8], const u32x4 vars[8], const u32x4 w[64], unsigned from) {
  u32x4 v[8];
  for (int i = 0; i < 8; i++) v[i] = vars[i];
  for (unsigned i = from; i < 64; i++) round_x4(v, w[i], PP_SHA256_K[i]);
  for (int i = 0; i < 8; i++) state[i] += v[i];
}
