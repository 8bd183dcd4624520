/* SHA-256 on 4 lanes of u32x4 (one message per lane), for the SIMD128 kernels. */
#ifndef PP_WASM_SHA256X4_H
#define PP_WASM_SHA256X4_H

#include "simd128.h"

#define PP_SHA256X4_SCHEDULE 64u
/* rounds_from may start at any round. */
#define PP_SHA256X4_ROUND_GROUP 1u

/* Rounds [0, to) on working variables `vars`, to <= 16 (they read only w[0..to)). */
void pp_sha256x4_rounds_until(u32x4 vars[8], const u32x4 w[16], unsigned to);
/* Expands the message words w[0..16) into the whole schedule w[0..64). */
void pp_sha256x4_expand(u32x4 w[64]);
/* Rounds [from, 64) from working variables `vars` over an expanded schedule, then adds them into
 * the chaining `state`. */
void pp_sha256x4_rounds_from(u32x4 state[8], const u32x4 vars[8], const u32x4 w[64], unsigned from);

#endif
