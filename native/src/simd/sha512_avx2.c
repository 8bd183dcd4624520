/*
 * Bitmessage double SHA-512 with AVX2: four consecutive nonces, one per 64-bit lane. Both hashes
 * are one block each (72-byte and 64-byte messages); only the first digest word of the second hash
 * is needed, so the compiler drops the work that feeds nothing else after full unrolling.
 */
#include "../kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "avx2.h"

#include "../scalar/common.h"
#include "../scalar/sha512.h"

#define LANES 4

PP_AVX2_INLINE __m256i rotr(__m256i x, int n) {
  return _mm256_or_si256(_mm256_srli_epi64(x, n), _mm256_slli_epi64(x, 64 - n));
}
/* Rotate right by 8 bits as a byte shuffle: one instruction instead of three. */
PP_AVX2_INLINE __m256i rotr8(__m256i x) {
  const __m256i by_one_byte = _mm256_set_epi64x(0x080f0e0d0c0b0a09LL, 0x0007060504030201LL,
                                                0x080f0e0d0c0b0a09LL, 0x0007060504030201LL);
  return _mm256_shuffle_epi8(x, by_one_byte);
}
PP_AVX2_INLINE __m256i add(__m256i a, __m256i b) { return _mm256_add_epi64(a, b); }
PP_AVX2_INLINE __m256i big_sigma0(__m256i a) { return pp_avx2_xor3(rotr(a, 28), rotr(a, 34), rotr(a, 39)); }
PP_AVX2_INLINE __m256i big_sigma1(__m256i e) { return pp_avx2_xor3(rotr(e, 14), rotr(e, 18), rotr(e, 41)); }
PP_AVX2_INLINE __m256i small_sigma0(__m256i w) {
  return pp_avx2_xor3(rotr(w, 1), rotr8(w), _mm256_srli_epi64(w, 7));
}
PP_AVX2_INLINE __m256i small_sigma1(__m256i w) {
  return pp_avx2_xor3(rotr(w, 19), rotr(w, 61), _mm256_srli_epi64(w, 6));
}
PP_AVX2_INLINE __m256i majority(__m256i a, __m256i b, __m256i c) {
  return _mm256_or_si256(_mm256_and_si256(a, b), _mm256_and_si256(c, _mm256_or_si256(a, b)));
}
PP_AVX2_INLINE __m256i choose(__m256i e, __m256i f, __m256i g) {
  return _mm256_xor_si256(_mm256_and_si256(e, f), _mm256_andnot_si256(e, g));
}

#define SHA512_ROUND(a, b, c, d, e, f, g, h, t)                                                    \
  do {                                                                                             \
    if ((t) >= 16)                                                                                 \
      w[(t) & 15] = add(add(small_sigma1(w[((t) - 2) & 15]), w[((t) - 7) & 15]),                   \
                        add(small_sigma0(w[((t) - 15) & 15]), w[(t) & 15]));                       \
    const __m256i t1 = add(add(h, big_sigma1(e)), add(choose(e, f, g), add(w[(t) & 15], k[t])));   \
    d = add(d, t1);                                                                                \
    h = add(t1, add(big_sigma0(a), majority(a, b, c)));                                            \
  } while (0)

/* One compression of four lanes from state s (feed-forward included); w is the message, used as
 * the schedule ring; k holds the round constants, one per lane. */
PP_AVX2_INLINE void sha512_compress(__m256i s[8], __m256i w[16], const __m256i k[80]) {
  __m256i a = s[0], b = s[1], c = s[2], d = s[3], e = s[4], f = s[5], g = s[6], h = s[7];
#pragma GCC unroll 10
  for (int t = 0; t < 80; t += 8) {
    SHA512_ROUND(a, b, c, d, e, f, g, h, t);
    SHA512_ROUND(h, a, b, c, d, e, f, g, t + 1);
    SHA512_ROUND(g, h, a, b, c, d, e, f, t + 2);
    SHA512_ROUND(f, g, h, a, b, c, d, e, t + 3);
    SHA512_ROUND(e, f, g, h, a, b, c, d, t + 4);
    SHA512_ROUND(d, e, f, g, h, a, b, c, t + 5);
    SHA512_ROUND(c, d, e, f, g, h, a, b, t + 6);
    SHA512_ROUND(b, c, d, e, f, g, h, a, t + 7);
  }
  s[0] = add(s[0], a);
  s[1] = add(s[1], b);
  s[2] = add(s[2], c);
  s[3] = add(s[3], d);
  s[4] = add(s[4], e);
  s[5] = add(s[5], f);
  s[6] = add(s[6], g);
  s[7] = add(s[7], h);
}

__attribute__((target("avx2"))) void pp_sha512d_bitmessage_avx2(const uint8_t initial_hash[64],
                                                                uint64_t target, uint64_t start,
                                                                uint64_t count, pp_result *out) {
  __m256i initial_words[8];
  for (int i = 0; i < 8; i++)
    initial_words[i] = _mm256_set1_epi64x((long long)pp_load_be64(initial_hash + 8 * i));
  const __m256i pad_first = _mm256_set1_epi64x((long long)0x8000000000000000ULL);
  /* Broadcast once per call, so that each round adds them straight from memory. */
  __m256i k[80];
  for (int t = 0; t < 80; t++) k[t] = _mm256_set1_epi64x((long long)PP_SHA512_K[t]);

  for (uint64_t done = 0; done < count; done += LANES) {
    const uint64_t n = start + done;
    /* nonce (BE64) || initial hash, 72 bytes: words 0..8, pad, bit length 576. */
    __m256i w[16];
    w[0] = _mm256_set_epi64x((long long)(n + 3), (long long)(n + 2), (long long)(n + 1),
                             (long long)n);
    for (int i = 0; i < 8; i++) w[1 + i] = initial_words[i];
    w[9] = pad_first;
    for (int i = 10; i < 15; i++) w[i] = _mm256_setzero_si256();
    w[15] = _mm256_set1_epi64x(576);
    __m256i s[8];
    for (int i = 0; i < 8; i++) s[i] = _mm256_set1_epi64x((long long)PP_SHA512_IV[i]);
    sha512_compress(s, w, k);

    /* The 64-byte digest: words 0..7, pad, bit length 512. */
    for (int i = 0; i < 8; i++) {
      w[i] = s[i];
      s[i] = _mm256_set1_epi64x((long long)PP_SHA512_IV[i]);
    }
    w[8] = pad_first;
    for (int i = 9; i < 15; i++) w[i] = _mm256_setzero_si256();
    w[15] = _mm256_set1_epi64x(512);
    sha512_compress(s, w, k);

    uint64_t trial[LANES];
    _mm256_storeu_si256((__m256i *)trial, s[0]);
    for (uint64_t l = 0; l < LANES && done + l < count; l++) {
      if (trial[l] <= target) {
        pp_result_found(out, n + l, done + l + 1);
        return;
      }
    }
  }
  pp_result_none(out, count);
}

#endif
