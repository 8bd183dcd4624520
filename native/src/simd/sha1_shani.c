/*
 * Hashcash v1 (SHA-1 text) on the x86 SHA extensions. SHA1_LANES consecutive nonces are hashed
 * side by side to hide the sha1rnds4 latency, and checked in order so the first passing nonce wins.
 * State layout: ABCD with A in dword 3, E in dword 3 of its own register.
 */
#include "../kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "../scalar/common.h"
#include "../scalar/sha1.h"
#include "../scalar/text_layout.h"
#include "text_lanes.h"

#define SHANI_INLINE static inline __attribute__((target("sha,sse4.1"), always_inline))
/* Nonces in flight (2, 3 and 4 measured alike on Zen 4); dispatch.c's variant name says it. */
#define SHA1_LANES 4

typedef struct {
  __m128i abcd, e;
} sha1_state;

/* Four big-endian message words from bytes, W[0] in dword 3 as sha1rnds4 wants it. */
SHANI_INLINE __m128i load_be_quad_reversed(const uint8_t *bytes) {
  const __m128i reverse = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);
  return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)bytes), reverse);
}

SHANI_INLINE sha1_state sha1_pack(const uint32_t words[5]) {
  return (sha1_state){_mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)words), 0x1B),
                      _mm_set_epi32((int)words[4], 0, 0, 0)};
}

/* Rounds 4q..4q+3 on every lane, with round function f (an immediate, hence a macro). */
#define SHA1_QUAD(q, f)                                                                            \
  for (int l = 0; l < SHA1_LANES; l++) {                                                           \
    __m128i *ring = w[l];                                                                          \
    if ((q) >= 4)                                                                                  \
      ring[(q) & 3] = _mm_sha1msg2_epu32(                                                          \
          _mm_xor_si128(_mm_sha1msg1_epu32(ring[(q) & 3], ring[((q) + 1) & 3]),                    \
                        ring[((q) + 2) & 3]),                                                      \
          ring[((q) + 3) & 3]);                                                                    \
    const __m128i e_next = (q) == 0 ? _mm_add_epi32(s[l].e, ring[0])                               \
                                    : _mm_sha1nexte_epu32(previous[l], ring[(q) & 3]);             \
    previous[l] = s[l].abcd;                                                                       \
    s[l].abcd = _mm_sha1rnds4_epu32(s[l].abcd, e_next, f);                                         \
  }
#define SHA1_FIVE_QUADS(q, f)                                                                      \
  SHA1_QUAD(q, f) SHA1_QUAD((q) + 1, f) SHA1_QUAD((q) + 2, f) SHA1_QUAD((q) + 3, f)                \
  SHA1_QUAD((q) + 4, f)

/* One compression per lane, feed-forward included; w[lane] is the block as four quads. */
SHANI_INLINE void sha1_compress(sha1_state s[SHA1_LANES], __m128i w[SHA1_LANES][4]) {
  sha1_state saved[SHA1_LANES];
  __m128i previous[SHA1_LANES];
  for (int l = 0; l < SHA1_LANES; l++) saved[l] = s[l];
  SHA1_FIVE_QUADS(0, 0)
  SHA1_FIVE_QUADS(5, 1)
  SHA1_FIVE_QUADS(10, 2)
  SHA1_FIVE_QUADS(15, 3)
  for (int l = 0; l < SHA1_LANES; l++) {
    s[l].e = _mm_sha1nexte_epu32(previous[l], saved[l].e);
    s[l].abcd = _mm_add_epi32(s[l].abcd, saved[l].abcd);
  }
}

SHANI_INLINE void sha1_compress_shared(sha1_state s[SHA1_LANES], const uint8_t *block) {
  __m128i w[SHA1_LANES][4];
  for (int i = 0; i < 4; i++) {
    const __m128i quad = load_be_quad_reversed(block + 16 * i);
    for (int l = 0; l < SHA1_LANES; l++) w[l][i] = quad;
  }
  sha1_compress(s, w);
}

__attribute__((target("sha,sse4.1"))) void pp_sha1_text_shani(
    const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix, size_t suffix_len,
    unsigned width, unsigned zero_bits, uint64_t start, uint64_t count, pp_result *out) {
  /* Lane l hashes nonce n + l; lanes past the end of the range are hashed but never checked. */
  pp_decimal_lanes lanes;
  pp_decimal_lanes_init(&lanes, prefix, prefix_len, suffix, suffix_len, width, start);
  const pp_text_layout *layout = &lanes.layout;

  uint32_t midstate_words[5];
  for (int i = 0; i < 5; i++) midstate_words[i] = PP_SHA1_IV[i];
  for (size_t b = 0; b < layout->prefix_blocks; b++)
    pp_sha1_compress(midstate_words, prefix + PP_TEXT_BLOCK * b);
  const sha1_state midstate = sha1_pack(midstate_words);

  uint32_t mask_words[5];
  pp_zero_bits_mask(mask_words, 5, zero_bits);
  const sha1_state mask = sha1_pack(mask_words);
  const __m128i reverse = _mm_set_epi64x(0x0001020304050607LL, 0x08090a0b0c0d0e0fLL);

  for (uint64_t done = 0; done < count; done += SHA1_LANES) {
    sha1_state s[SHA1_LANES];
    for (int l = 0; l < SHA1_LANES; l++) s[l] = midstate;
    for (unsigned b = 0; b < layout->varying_blocks; b++) {
      __m128i w[SHA1_LANES][4];
      for (unsigned l = 0; l < SHA1_LANES; l++) {
        pp_decimal_lanes_block(&lanes, l, b, w[l]);
        for (int i = 0; i < 4; i++) w[l][i] = _mm_shuffle_epi8(w[l][i], reverse);
      }
      sha1_compress(s, w);
    }
    for (size_t b = 0; b < layout->direct_blocks; b++)
      sha1_compress_shared(s, layout->direct + PP_TEXT_BLOCK * b);
    for (unsigned b = 0; b < layout->final_blocks; b++)
      sha1_compress_shared(s, layout->final + PP_TEXT_BLOCK * b);
    pp_decimal_lanes_advance(&lanes, SHA1_LANES);

    for (uint64_t l = 0; l < SHA1_LANES && done + l < count; l++) {
      if (_mm_testz_si128(s[l].abcd, mask.abcd) && _mm_testz_si128(s[l].e, mask.e)) {
        pp_result_found(out, start + done + l, done + l + 1);
        return;
      }
    }
  }
  pp_result_none(out, count);
}

#endif
