/*
 * SHA-256 kernels on the x86 SHA extensions (SHA-NI): NIP-13 / hashcash-SHA-256 text and Bitcoin
 * sha256d headers. Several nonces are hashed side by side so that the latency of one lane's
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
#include "sha256_target.h"
#include "text_lanes.h"

#define SHANI_INLINE static inline __attribute__((target("sha,sse4.1"), always_inline))
/* Nonces in flight per kernel: the fastest counts measured on Zen 4 (2 to 6 tried; more lanes
 * spill registers). The variant names in dispatch.c say them. A VEX (AVX) build of the text kernel
 * with 2 to 4 lanes measured no faster than this SSE one: its rounds leave nothing to copy. */
#define TEXT_LANES 2
#define HEADER_LANES 4

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
    __m128i wk[HEADER_LANES]; /* lanes <= HEADER_LANES, the widest kernel here */
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

/* A whole compression per text lane, for the tail blocks after the first. */
SHANI_INLINE void shani_compress_text(shani_state s[TEXT_LANES], __m128i w[TEXT_LANES][4]) {
  shani_state feed[TEXT_LANES];
  for (int l = 0; l < TEXT_LANES; l++) feed[l] = s[l];
  shani_compress_from(s, w, feed, TEXT_LANES, 0);
}

/* Compress the same 64-byte block (shared by all lanes) into every text lane. */
SHANI_INLINE void shani_compress_shared(shani_state s[TEXT_LANES], const uint8_t *block) {
  __m128i w[TEXT_LANES][4];
  for (int i = 0; i < 4; i++) {
    const __m128i quad = load_be_quad(block + 16 * i);
    for (int l = 0; l < TEXT_LANES; l++) w[l][i] = quad;
  }
  shani_compress_text(s, w);
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
SHANI_INLINE uint64_t text_scan(text_search *search, int from) {
  pp_decimal_lanes *lanes = &search->lanes;
  const pp_text_layout *layout = &lanes->layout;
  shani_state feed[TEXT_LANES];
  for (int l = 0; l < TEXT_LANES; l++) feed[l] = search->midstate;

  for (uint64_t done = 0; done < search->count; done += TEXT_LANES) {
    shani_state s[TEXT_LANES];
    __m128i w[TEXT_LANES][4];
    for (unsigned l = 0; l < TEXT_LANES; l++) {
      s[l] = search->first_pairs;
      pp_decimal_lanes_block(lanes, l, 0, w[l]);
    }
    shani_compress_from(s, w, feed, TEXT_LANES, from);
    if (layout->varying_blocks == 2) {
      for (unsigned l = 0; l < TEXT_LANES; l++) pp_decimal_lanes_block(lanes, l, 1, w[l]);
      shani_compress_text(s, w);
    }
    for (size_t b = 0; b < layout->direct_blocks; b++)
      shani_compress_shared(s, layout->direct + PP_TEXT_BLOCK * b);
    for (unsigned b = 0; b < layout->final_blocks; b++)
      shani_compress_shared(s, layout->final + PP_TEXT_BLOCK * b);
    pp_decimal_lanes_advance(lanes, TEXT_LANES);

    for (uint64_t l = 0; l < TEXT_LANES && done + l < search->count; l++) {
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
__attribute__((target("sha,sse4.1"))) void pp_sha256_text_shani(
    const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix, size_t suffix_len,
    unsigned width, unsigned zero_bits, uint64_t start, uint64_t count, pp_result *out) {
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
      case 0: attempts = text_scan(&search, 0); break;
      case 1: attempts = text_scan(&search, 1); break;
      case 2: attempts = text_scan(&search, 2); break;
      case 3: attempts = text_scan(&search, 3); break;
      case 4: attempts = text_scan(&search, 4); break;
      case 5: attempts = text_scan(&search, 5); break;
      case 6: attempts = text_scan(&search, 6); break;
      default: attempts = text_scan(&search, 7); break;
    }
    if (attempts != 0) {
      pp_result_found(out, at + attempts - 1, done + attempts);
      return;
    }
    done += search.count;
  }
  pp_result_none(out, count);
}

/* The exact test for a lane whose top hash word ties the target's: the whole sha256d again, in
 * scalar code (a tie is about one attempt in 2^32). */
static int header_at_most_target(const uint32_t midstate[8], const uint32_t tail[16],
                                 const uint8_t target_le[32]) {
  uint32_t inner[8], outer[16] = {0}, hash[8];
  for (int i = 0; i < 8; i++) inner[i] = midstate[i];
  pp_sha256_compress_words(inner, tail);
  for (int i = 0; i < 8; i++) {
    outer[i] = inner[i];
    hash[i] = PP_SHA256_IV[i];
  }
  outer[8] = 0x80000000u;
  outer[15] = 32 * 8;
  pp_sha256_compress_words(hash, outer);
  return pp_hash_le_at_most(hash, target_le);
}

/*
 * The header search, shared by the SSE and the AVX builds below (the AVX one gets three-operand
 * VEX forms of the non-SHA instructions, which saves register copies).
 *
 * Only the top 32 bits of the little-endian hash, the byte-swap of digest word H7, decide almost
 * every attempt. H7 = IV7 + h after round 63 = IV7 + e after round 60 (h, g, f take e's value in
 * the three rounds after), and that e is F of the state after round pair 30: the last pair of the
 * second hash (rounds 62, 63) is never computed. A tie with the target's top word is settled by
 * header_at_most_target.
 */
SHANI_INLINE void header_scan(const uint8_t header[80], const uint8_t target_le[32],
                              uint64_t start, uint64_t count, pp_result *out) {
  uint32_t midstate_words[8];
  for (int i = 0; i < 8; i++) midstate_words[i] = PP_SHA256_IV[i];
  pp_sha256_compress(midstate_words, header);
  const shani_state midstate = shani_pack_words(midstate_words);
  const shani_state iv = shani_pack_words(PP_SHA256_IV);
  /* Block 2 of the header: bytes 64..75, the nonce, the 0x80 pad byte, zeros, the bit length. */
  uint32_t tail[16] = {0};
  for (int i = 0; i < 3; i++) tail[i] = pp_load_be32(header + 64 + 4 * i);
  tail[4] = 0x80000000u;
  tail[15] = 80 * 8;
  const __m128i pad_first = _mm_set_epi32(0, 0, 0, (int)0x80000000u);
  const __m128i bits_80_bytes = _mm_set_epi32(640, 0, 0, 0);
  const __m128i bits_32_bytes = _mm_set_epi32(256, 0, 0, 0);
  const uint32_t target_top = pp_load_le32(target_le + 28);

  /* Rounds 0..2 read W0..W2, which no nonce changes, and the nonce word W3 enters round 3 only
   * as a term of T1, which is added to both new A and new E. So the state after round pair 1
   * is this constant state (W3 taken as 0) plus W3 in the A and E words of ABEF. */
  const __m128i constant_quads[4] = {
      _mm_set_epi32(0, (int)tail[2], (int)tail[1], (int)tail[0])};
  const shani_state after_pair1 = shani_first_pairs(midstate, constant_quads, 2);
  shani_state feed_midstate[HEADER_LANES];
  for (int l = 0; l < HEADER_LANES; l++) feed_midstate[l] = midstate;

  for (uint64_t done = 0; done < count; done += HEADER_LANES) {
    shani_state s[HEADER_LANES];
    __m128i w[HEADER_LANES][4];
    for (int l = 0; l < HEADER_LANES; l++) {
      const uint32_t nonce = (uint32_t)(start + done + l);
      const int w3 = (int)pp_bswap32(nonce);
      s[l].abef = _mm_add_epi32(after_pair1.abef, _mm_set_epi32(w3, 0, w3, 0));
      s[l].cdgh = after_pair1.cdgh;
      w[l][0] = _mm_set_epi32(w3, (int)tail[2], (int)tail[1], (int)tail[0]);
      w[l][1] = pad_first;
      w[l][2] = _mm_setzero_si128();
      w[l][3] = bits_80_bytes;
    }
    shani_compress_from(s, w, feed_midstate, HEADER_LANES, 2);
    for (int l = 0; l < HEADER_LANES; l++) {
      shani_unpack(s[l], &w[l][0], &w[l][1]);
      w[l][2] = pad_first;
      w[l][3] = bits_32_bytes;
      s[l] = iv;
    }
    shani_round_pairs(s, w, HEADER_LANES, 0, 31);

    for (uint64_t l = 0; l < HEADER_LANES && done + l < count; l++) {
      /* After 31 pairs the new ABEF sits in .cdgh, with F in dword 0. */
      const uint32_t h7 = (uint32_t)_mm_cvtsi128_si32(s[l].cdgh) + PP_SHA256_IV[7];
      const uint32_t top = pp_bswap32(h7);
      if (top > target_top) continue;
      if (top == target_top) {
        tail[3] = pp_bswap32((uint32_t)(start + done + l));
        if (!header_at_most_target(midstate_words, tail, target_le)) continue;
      }
      pp_result_found(out, start + done + l, done + l + 1);
      return;
    }
  }
  pp_result_none(out, count);
}

__attribute__((target("sha,sse4.1"))) void pp_sha256d_header_shani(const uint8_t header[80],
                                                                   const uint8_t target_le[32],
                                                                   uint64_t start, uint64_t count,
                                                                   pp_result *out) {
  header_scan(header, target_le, start, count, out);
}

__attribute__((target("sha,avx2"))) void pp_sha256d_header_shani_avx(const uint8_t header[80],
                                                                     const uint8_t target_le[32],
                                                                     uint64_t start,
                                                                     uint64_t count,
                                                                     pp_result *out) {
  header_scan(header, target_le, start, count, out);
}

#endif
