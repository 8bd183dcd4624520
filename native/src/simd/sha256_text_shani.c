/*
 * NIP-13 / hashcash-SHA-256 text search on SHA-NI: `lanes` consecutive nonces per loop, checked in
 * order, so the first passing nonce is the one returned, as in the scalar kernels. Two builds, 2
 * and 4 nonces in flight: which is faster depends on the CPU, so both are variants and the
 * measured selection at load picks one. (A VEX build with 2 to 4 lanes measured no faster on Zen 4
 * than these SSE ones: the rounds leave nothing to copy.)
 */
#include "../kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "../scalar/common.h"
#include "../scalar/sha256.h"
#include "../scalar/text_layout.h"
#include "shani.h"
#include "text_lanes.h"

/* A whole compression per text lane, for the tail blocks after the first. */
SHANI_INLINE void shani_compress_text(shani_state s[], __m128i w[][4], int lanes) {
  shani_state feed[SHANI_MAX_LANES];
  for (int l = 0; l < lanes; l++) feed[l] = s[l];
  shani_compress_from(s, w, feed, lanes, 0);
}

/* Compress the same 64-byte block (shared by all lanes) into every text lane. */
SHANI_INLINE void shani_compress_shared(shani_state s[], const uint8_t *block, int lanes) {
  __m128i w[SHANI_MAX_LANES][4];
  for (int i = 0; i < 4; i++) {
    const __m128i quad = load_be_quad(block + 16 * i);
    for (int l = 0; l < lanes; l++) w[l][i] = quad;
  }
  shani_compress_text(s, w, lanes);
}

/* The digest bits that must be zero, as a mask in the SHA-NI layout. */
static shani_state __attribute__((target("sha,sse4.1"))) zero_bits_mask(unsigned zero_bits) {
  uint32_t mask[8];
  pp_zero_bits_mask(mask, 8, zero_bits);
  return shani_pack_words(mask);
}

typedef struct {
  pp_decimal_lanes lanes;
  shani_state midstate;       /* after the prefix's whole blocks */
  shani_state first_pairs;    /* midstate plus the constant leading round pairs of the tail */
  shani_state mask;           /* digest bits that must be zero */
  uint64_t count;             /* nonces in this segment, from the current one of `lanes` */
} text_search;

/* The search loop over one segment, with `from` constant leading round pairs of the first tail
 * block skipped. Returns the attempts up to and including the first pass, or 0 for none. */
SHANI_INLINE uint64_t text_scan(text_search *search, int from, int lanes_in_flight) {
  pp_decimal_lanes *lanes = &search->lanes;
  const pp_text_layout *layout = &lanes->layout;
  shani_state feed[SHANI_MAX_LANES];
  for (int l = 0; l < lanes_in_flight; l++) feed[l] = search->midstate;

  for (uint64_t done = 0; done < search->count; done += lanes_in_flight) {
    shani_state s[SHANI_MAX_LANES];
    __m128i w[SHANI_MAX_LANES][4];
    for (int l = 0; l < lanes_in_flight; l++) {
      s[l] = search->first_pairs;
      pp_decimal_lanes_block(lanes, l, 0, w[l]);
    }
    shani_compress_from(s, w, feed, lanes_in_flight, from);
    if (layout->varying_blocks == 2) {
      for (int l = 0; l < lanes_in_flight; l++) pp_decimal_lanes_block(lanes, l, 1, w[l]);
      shani_compress_text(s, w, lanes_in_flight);
    }
    for (size_t b = 0; b < layout->direct_blocks; b++)
      shani_compress_shared(s, layout->direct + PP_TEXT_BLOCK * b, lanes_in_flight);
    for (unsigned b = 0; b < layout->final_blocks; b++)
      shani_compress_shared(s, layout->final + PP_TEXT_BLOCK * b, lanes_in_flight);
    pp_decimal_lanes_advance(lanes, lanes_in_flight);

    for (int l = 0; l < lanes_in_flight && done + (uint64_t)l < search->count; l++) {
      if (_mm_testz_si128(s[l].abef, search->mask.abef) &&
          _mm_testz_si128(s[l].cdgh, search->mask.cdgh))
        return done + l + 1;
    }
  }
  return 0;
}

/*
 * Lane l hashes nonce n + l; lanes past the end of a segment are hashed but never checked.
 *
 * The range is cut into segments aligned to 10^steady, inside which only the last `steady` digits
 * change: the words before them are the same for every nonce of the segment, so the round pairs
 * that read only those words run once per segment (shani_first_pairs), not per attempt. `steady`
 * makes the changing digits start at a round pair's first byte (8 message bytes per pair), and is
 * at least 4 so that setting up a segment (about a microsecond) stays far below scanning it.
 */
SHANI_INLINE void text_search_range(const uint8_t *prefix, size_t prefix_len,
                                    const uint8_t *suffix, size_t suffix_len, unsigned width,
                                    unsigned zero_bits, uint64_t start, uint64_t count,
                                    pp_result *out, int lanes) {
  /* The quads as big-endian message words, W[i] in dword i. */
  const __m128i bswap32 = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  text_search search = {.mask = zero_bits_mask(zero_bits)};
  uint32_t midstate_words[8];
  for (int i = 0; i < 8; i++) midstate_words[i] = PP_SHA256_IV[i];
  for (size_t b = 0; b < prefix_len / PP_TEXT_BLOCK; b++)
    pp_sha256_compress(midstate_words, prefix + PP_TEXT_BLOCK * b);
  search.midstate = shani_pack_words(midstate_words);

  const unsigned last_digit_at = (unsigned)(prefix_len % PP_TEXT_BLOCK) + width - 1;
  unsigned steady = last_digit_at % 8 + 1;
  if (steady < 4) steady += 8;
  if (steady > width) steady = width;
  uint64_t segment = 1;
  for (unsigned i = 0; i < steady; i++) segment *= 10;
  /* Pairs reading only bytes before the first changing digit; 7 at most, as block 0's quads
   * 0..3 feed only pairs 0..7. */
  const unsigned first_changing_at = last_digit_at + 1 - steady;
  const int from = first_changing_at / 8 < 7 ? (int)(first_changing_at / 8) : 7;

  for (uint64_t done = 0; done < count;) {
    const uint64_t at = start + done;
    const uint64_t left = segment - at % segment;
    search.count = count - done < left ? count - done : left;
    pp_decimal_lanes_init_ordered(&search.lanes, prefix, prefix_len, suffix, suffix_len, width,
                                  at, bswap32);
    search.first_pairs = shani_first_pairs(search.midstate, pp_decimal_lanes_decade(&search.lanes, 0), from);

    uint64_t attempts;
    switch (from) {
      case 0: attempts = text_scan(&search, 0, lanes); break;
      case 1: attempts = text_scan(&search, 1, lanes); break;
      case 2: attempts = text_scan(&search, 2, lanes); break;
      case 3: attempts = text_scan(&search, 3, lanes); break;
      case 4: attempts = text_scan(&search, 4, lanes); break;
      case 5: attempts = text_scan(&search, 5, lanes); break;
      case 6: attempts = text_scan(&search, 6, lanes); break;
      default: attempts = text_scan(&search, 7, lanes); break;
    }
    if (attempts != 0) {
      pp_result_found(out, at + attempts - 1, done + attempts);
      return;
    }
    done += search.count;
  }
  pp_result_none(out, count);
}

__attribute__((target("sha,sse4.1"))) void pp_sha256_text_shani_x2(
    const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix, size_t suffix_len,
    unsigned width, unsigned zero_bits, uint64_t start, uint64_t count, pp_result *out) {
  text_search_range(prefix, prefix_len, suffix, suffix_len, width, zero_bits, start, count, out, 2);
}

__attribute__((target("sha,sse4.1"))) void pp_sha256_text_shani_x4(
    const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix, size_t suffix_len,
    unsigned width, unsigned zero_bits, uint64_t start, uint64_t count, pp_result *out) {
  text_search_range(prefix, prefix_len, suffix, suffix_len, width, zero_bits, start, count, out, 4);
}

#endif
