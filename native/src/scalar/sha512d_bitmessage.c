/*
 * Bitmessage: trialValue = first 8 bytes (BE) of SHA-512(SHA-512(nonce BE64 || initialHash)).
 * The nonce comes first, so there is no midstate: two compressions per attempt, with the message
 * words of the initial hash and both paddings loaded once per call.
 */
#include "common.h"
#include "sha512.h"

void pp_sha512d_bitmessage_scalar(const uint8_t initial_hash[64], uint64_t target, uint64_t start,
                                  uint64_t count, pp_result *out) {
  /* Inner block: nonce, 64 bytes of initial hash, padding, length 72 bytes. */
  uint64_t inner[16] = {0};
  for (int i = 0; i < 8; i++) inner[1 + i] = pp_load_be64(initial_hash + 8 * i);
  inner[9] = 0x8000000000000000u;
  inner[15] = 72 * 8;
  /* Outer block: the 64-byte inner digest, padding, length 64 bytes. */
  uint64_t outer[16] = {0};
  outer[8] = 0x8000000000000000u;
  outer[15] = 64 * 8;

  for (uint64_t i = 0; i < count; i++) {
    const uint64_t nonce = start + i;
    inner[0] = nonce;
    uint64_t state[8];
    for (int w = 0; w < 8; w++) state[w] = PP_SHA512_IV[w];
    pp_sha512_compress_words(state, inner);
    for (int w = 0; w < 8; w++) outer[w] = state[w];
    for (int w = 0; w < 8; w++) state[w] = PP_SHA512_IV[w];
    pp_sha512_compress_words(state, outer);
    if (state[0] <= target) {
      pp_result_found(out, nonce, i + 1);
      return;
    }
  }
  pp_result_none(out, count);
}
