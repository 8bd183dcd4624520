/*
 * SHA-256 kernels on the x86 SHA extensions (SHA-NI): NIP-13 / hashcash-SHA-256 text and Bitcoin
 * sha256d headers. SHA256_LANES nonces are hashed side by side so that the latency of one lane's
 * sha256rnds2 chain is hidden behind the others'; lanes hold consecutive nonces and are checked in
 * order, so the first passing nonce is the one returned, as in the scalar kernels.
 *
 * The state lives in the SHA-NI register layout (ABEF, CDGH) from the midstate to the final check.
 */
#include "../kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "../scalar/common.h"
#include "../scalar/sha256.h"
#include "../scalar/text_layout.h"

#define SHANI_INLINE static inline __attribute__((target("sha,sse4.1"), always_inline))
#ifndef SHA256_LANES
#define SHA256_LANES 4
#endif

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

/* One compression per lane, feed-forward included; w[lane] holds the block as four quads and is
 * used as the message-schedule ring. */
SHANI_INLINE void shani_compress(shani_state s[SHA256_LANES], __m128i w[SHA256_LANES][4]) {
  shani_state saved[SHA256_LANES];
  for (int l = 0; l < SHA256_LANES; l++) saved[l] = s[l];
#pragma GCC unroll 16
  for (int q = 0; q < 16; q++) {
    const __m128i k = _mm_loadu_si128((const __m128i *)&PP_SHA256_K[4 * q]);
#pragma GCC unroll 4
    for (int l = 0; l < SHA256_LANES; l++) {
      __m128i *ring = w[l];
      if (q >= 4)
        ring[q & 3] = _mm_sha256msg2_epu32(
            _mm_add_epi32(_mm_sha256msg1_epu32(ring[q & 3], ring[(q + 1) & 3]),
                          _mm_alignr_epi8(ring[(q + 3) & 3], ring[(q + 2) & 3], 4)),
            ring[(q + 3) & 3]);
      const __m128i wk = _mm_add_epi32(ring[q & 3], k);
      s[l].cdgh = _mm_sha256rnds2_epu32(s[l].cdgh, s[l].abef, wk);
      s[l].abef = _mm_sha256rnds2_epu32(s[l].abef, s[l].cdgh, _mm_shuffle_epi32(wk, 0x0E));
    }
  }
  for (int l = 0; l < SHA256_LANES; l++) {
    s[l].abef = _mm_add_epi32(s[l].abef, saved[l].abef);
    s[l].cdgh = _mm_add_epi32(s[l].cdgh, saved[l].cdgh);
  }
}

/* Compress the same 64-byte block (shared by all lanes) into every lane. */
SHANI_INLINE void shani_compress_shared(shani_state s[SHA256_LANES], const uint8_t *block) {
  __m128i w[SHA256_LANES][4];
  for (int i = 0; i < 4; i++) {
    const __m128i quad = load_be_quad(block + 16 * i);
    for (int l = 0; l < SHA256_LANES; l++) w[l][i] = quad;
  }
  shani_compress(s, w);
}

/* The digest bits that must be zero, as a mask in the SHA-NI layout. */
static shani_state __attribute__((target("sha,sse4.1"))) zero_bits_mask(unsigned zero_bits) {
  uint32_t mask[8];
  for (unsigned i = 0; i < 8; i++) {
    const unsigned bits = zero_bits > 32 * i ? zero_bits - 32 * i : 0;
    mask[i] = bits >= 32 ? 0xffffffffu : bits == 0 ? 0 : ~(0xffffffffu >> bits);
  }
  return shani_pack_words(mask);
}

__attribute__((target("sha,sse4.1"))) void pp_sha256_text_shani(
    const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix, size_t suffix_len,
    unsigned width, unsigned zero_bits, uint64_t start, uint64_t count, pp_result *out) {
  /* Lane l holds nonce n + l; the lanes of a final partial group keep stale digits and are not
   * checked, so no lane's odometer ever passes the end of the range. */
  pp_text_layout lane[SHA256_LANES];
  for (unsigned l = 0; l < SHA256_LANES; l++)
    pp_text_layout_init(&lane[l], prefix, prefix_len, suffix, suffix_len, width,
                        l < count ? start + l : start);
  const pp_text_layout *shared = &lane[0];

  uint32_t midstate_words[8];
  for (int i = 0; i < 8; i++) midstate_words[i] = PP_SHA256_IV[i];
  for (size_t b = 0; b < shared->prefix_blocks; b++)
    pp_sha256_compress(midstate_words, prefix + PP_TEXT_BLOCK * b);
  const shani_state midstate = shani_pack_words(midstate_words);
  const shani_state mask = zero_bits_mask(zero_bits);

  for (uint64_t done = 0; done < count; done += SHA256_LANES) {
    if (done != 0) {
      const uint64_t live = count - done < SHA256_LANES ? count - done : SHA256_LANES;
      for (unsigned l = 0; l < live; l++)
        for (unsigned step = 0; step < SHA256_LANES; step++) pp_text_layout_next(&lane[l]);
    }
    shani_state s[SHA256_LANES];
    for (int l = 0; l < SHA256_LANES; l++) s[l] = midstate;
    for (unsigned b = 0; b < shared->varying_blocks; b++) {
      __m128i w[SHA256_LANES][4];
      for (int l = 0; l < SHA256_LANES; l++)
        for (int i = 0; i < 4; i++)
          w[l][i] = load_be_quad(lane[l].varying + PP_TEXT_BLOCK * b + 16 * i);
      shani_compress(s, w);
    }
    for (size_t b = 0; b < shared->direct_blocks; b++)
      shani_compress_shared(s, shared->direct + PP_TEXT_BLOCK * b);
    for (unsigned b = 0; b < shared->final_blocks; b++)
      shani_compress_shared(s, shared->final + PP_TEXT_BLOCK * b);

    for (uint64_t l = 0; l < SHA256_LANES && done + l < count; l++) {
      if (_mm_testz_si128(s[l].abef, mask.abef) && _mm_testz_si128(s[l].cdgh, mask.cdgh)) {
        pp_result_found(out, start + done + l, done + l + 1);
        return;
      }
    }
  }
  pp_result_none(out, count);
}

/* hash <= target, both read as little-endian 256-bit integers; hash given as FIPS words. */
static int hash_le_at_most(const uint32_t hash[8], const uint8_t target_le[32]) {
  for (int i = 31; i >= 0; i--) {
    const uint8_t byte = (uint8_t)(hash[i / 4] >> (24 - 8 * (i % 4)));
    if (byte != target_le[i]) return byte < target_le[i];
  }
  return 1;
}

__attribute__((target("sha,sse4.1"))) void pp_sha256d_header_shani(const uint8_t header[80],
                                                                   const uint8_t target_le[32],
                                                                   uint64_t start, uint64_t count,
                                                                   pp_result *out) {
  uint32_t first_block_state[8];
  for (int i = 0; i < 8; i++) first_block_state[i] = PP_SHA256_IV[i];
  pp_sha256_compress(first_block_state, header);
  const shani_state midstate = shani_pack_words(first_block_state);
  const shani_state iv = shani_pack_words(PP_SHA256_IV);
  const uint32_t w0 = pp_load_be32(header + 64), w1 = pp_load_be32(header + 68),
                 w2 = pp_load_be32(header + 72);
  /* Message words after the data: the 0x80 pad byte, zeros, then the bit length. */
  const __m128i pad_first = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
  const __m128i bits_80_bytes = _mm_set_epi32(640, 0, 0, 0);
  const __m128i bits_32_bytes = _mm_set_epi32(256, 0, 0, 0);
  /* The top 32 bits of the little-endian target decide almost every attempt. */
  const uint32_t target_top = pp_load_le32(target_le + 28);

  for (uint64_t done = 0; done < count; done += SHA256_LANES) {
    shani_state s[SHA256_LANES];
    __m128i w[SHA256_LANES][4];
    for (int l = 0; l < SHA256_LANES; l++) {
      const uint32_t nonce = (uint32_t)(start + done + l);
      s[l] = midstate;
      w[l][0] = _mm_set_epi32((int)pp_bswap32(nonce), (int)w2, (int)w1, (int)w0);
      w[l][1] = pad_first;
      w[l][2] = _mm_setzero_si128();
      w[l][3] = bits_80_bytes;
    }
    shani_compress(s, w);
    for (int l = 0; l < SHA256_LANES; l++) {
      shani_unpack(s[l], &w[l][0], &w[l][1]);
      w[l][2] = pad_first;
      w[l][3] = bits_32_bytes;
      s[l] = iv;
    }
    shani_compress(s, w);

    for (uint64_t l = 0; l < SHA256_LANES && done + l < count; l++) {
      /* H7 sits in dword 0 of CDGH; its byte-swap is the top word of the little-endian hash. */
      const uint32_t top = pp_bswap32((uint32_t)_mm_cvtsi128_si32(s[l].cdgh));
      if (top > target_top) continue;
      if (top == target_top) {
        uint32_t hash[8];
        __m128i lo, hi;
        shani_unpack(s[l], &lo, &hi);
        _mm_storeu_si128((__m128i *)hash, lo);
        _mm_storeu_si128((__m128i *)(hash + 4), hi);
        if (!hash_le_at_most(hash, target_le)) continue;
      }
      pp_result_found(out, start + done + l, done + l + 1);
      return;
    }
  }
  pp_result_none(out, count);
}

#endif
