/* SHA-1 constants and compression function (FIPS 180-4). */
#ifndef PP_SCALAR_SHA1_H
#define PP_SCALAR_SHA1_H

#include <stdint.h>

static const uint32_t PP_SHA1_IV[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
static const uint32_t PP_SHA1_K[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};

void pp_sha1_compress(uint32_t state[5], const uint8_t block[64]);
/* What a block adds in each round, W[t] + K[t / 20]: for a block compressed into many states. */
void pp_sha1_schedule(const uint8_t block[64], uint32_t wk[80]);

#endif
