/*
 * SHA-256 on the x86 SHA extensions (SHA-NI), shared by the text and the header kernels: the state
 * in the SHA-NI register layout (ABEF, CDGH), kept so from the midstate to the final check, and
 * compressions of several nonces side by side, so that the latency of one lane's sha256rnds2 chain
 * is hidden behind the others'. Every function is inlined into a kernel with a compile-time lane
 * count, so the lane loops unroll and the state stays in registers.
 */
#ifndef PP_SIMD_SHANI_H
#define PP_SIMD_SHANI_H

#include <immintrin.h>

#include "../scalar/sha256.h"

#define SHANI_INLINE static inline __attribute__((target("sha,sse4.1"), always_inline))
/* The most nonces any SHA-NI kernel keeps in flight (more spill registers). */
#define SHANI_MAX_LANES 4

typedef struct {
  __m128i abef, cdgh;
} shani_state;

/* Eight words in FIPS order (H0 in dword 0 of `lo`) to the SHA-NI layout, and back. */
SHANI_INLINE shani_state shani_pack(__m128i lo, __m128i hi) {
  const __m128i cdab = _mm_shuffle_epi32(lo, 0xB1);
  const __m128i efgh = _mm_shuffle_epi32(hi, 0x1B);
  return (shani_state){_mm_alignr_epi8(cdab, efgh, 8), _mm_blend_epi16(efgh, cdab, 0xF0)};
}
SHANI_INLINE void shani_unpack(shani_state s, __m128i *lo, __m128i *hi) {
  const __m128i feba = _mm_shuffle_epi32(s.abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(s.cdgh, 0xB1);
  *lo = _mm_blend_epi16(feba, dchg, 0xF0);
  *hi = _mm_alignr_epi8(dchg, feba, 8);
}
SHANI_INLINE shani_state shani_pack_words(const uint32_t words[8]) {
  return shani_pack(_mm_loadu_si128((const __m128i *)words),
                    _mm_loadu_si128((const __m128i *)(words + 4)));
}

/* Four big-endian message words from bytes, W[i] in dword i. */
SHANI_INLINE __m128i load_be_quad(const uint8_t *bytes) {
  const __m128i bswap32 = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)bytes), bswap32);
}

/*
 * Round pairs `from`..`to`-1 of one compression per lane (each sha256rnds2 is one pair). Pairs
 * before `from` use only message words that are the same for every nonce: shani_first_pairs ran
 * them once per call and s[] holds their result. w[lane] is the block as four quads and serves as
 * the message-schedule ring. `from` and `to` must be compile-time constants so that the skipped
 * rounds vanish from the unrolled code. After an odd `to` the halves sit in each other's variables
 * (the new ABEF in .cdgh), as after an odd number of pairs in shani_first_pairs.
 */
SHANI_INLINE void shani_round_pairs(shani_state s[], __m128i w[][4], int lanes, int from, int to) {
#pragma GCC unroll 16
  for (int q = 0; q < 16; q++) {
    if (2 * q >= to) break;
    const __m128i k = _mm_loadu_si128((const __m128i *)&PP_SHA256_K[4 * q]);
    __m128i wk[SHANI_MAX_LANES];
#pragma GCC unroll 6
    for (int l = 0; l < lanes; l++) {
      wk[l] = _mm_add_epi32(w[l][q & 3], k);
      if (2 * q >= from) s[l].cdgh = _mm_sha256rnds2_epu32(s[l].cdgh, s[l].abef, wk[l]);
    }
    /* The next quad's message schedule sits between each lane's two dependent sha256rnds2 of
     * this quad, filling that wait (about 4% faster on Zen 4 than schedule, then rounds). */
    const int next = q + 1;
#pragma GCC unroll 6
    for (int l = 0; l < lanes; l++) {
      __m128i *ring = w[l];
      if (next >= 4 && next < 16 && 2 * next < to)
        ring[next & 3] = _mm_sha256msg2_epu32(
            _mm_add_epi32(_mm_sha256msg1_epu32(ring[next & 3], ring[(next + 1) & 3]),
                          _mm_alignr_epi8(ring[(next + 3) & 3], ring[(next + 2) & 3], 4)),
            ring[(next + 3) & 3]);
    }
#pragma GCC unroll 6
    for (int l = 0; l < lanes; l++) {
      if (2 * q + 1 >= from && 2 * q + 1 < to)
        s[l].abef = _mm_sha256rnds2_epu32(s[l].abef, s[l].cdgh, _mm_shuffle_epi32(wk[l], 0x0E));
    }
  }
}

/* Round pairs `from`..31, then the feed-forward of `feed`, the state before round 0. */
SHANI_INLINE void shani_compress_from(shani_state s[], __m128i w[][4], const shani_state feed[],
                                      int lanes, int from) {
  shani_round_pairs(s, w, lanes, from, 32);
  for (int l = 0; l < lanes; l++) {
    s[l].abef = _mm_add_epi32(s[l].abef, feed[l].abef);
    s[l].cdgh = _mm_add_epi32(s[l].cdgh, feed[l].cdgh);
  }
}

/* The first `pairs` round pairs of one compression (pairs < 8: message quads 0..3 only). After an
 * odd number of pairs the two halves sit in each other's variables, exactly as
 * shani_compress_from expects them when it resumes. */
SHANI_INLINE shani_state shani_first_pairs(shani_state s, const __m128i w[4], int pairs) {
  for (int pair = 0; pair < pairs; pair++) {
    const __m128i wk = _mm_add_epi32(
        w[pair / 2], _mm_loadu_si128((const __m128i *)&PP_SHA256_K[4 * (pair / 2)]));
    if (pair % 2 == 0)
      s.cdgh = _mm_sha256rnds2_epu32(s.cdgh, s.abef, wk);
    else
      s.abef = _mm_sha256rnds2_epu32(s.abef, s.cdgh, _mm_shuffle_epi32(wk, 0x0E));
  }
  return s;
}

#endif
