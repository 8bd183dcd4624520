/*
 * Bitcoin sha256d header search on SHA-NI, HEADER_LANES nonces side by side, checked in order.
 */
#include "../kernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#include "../scalar/common.h"
#include "../scalar/sha256.h"
#include "sha256_target.h"
#include "shani.h"

/* Nonces in flight: the fastest count measured on Zen 4 (2 to 6 tried). */
#define HEADER_LANES 4

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
