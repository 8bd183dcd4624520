/* SHA-1 on 4 lanes of u32x4 (one message per lane), for the SIMD128 kernels. */
#ifndef PP_WASM_SHA1X4_H
#define PP_WASM_SHA1X4_H

#include "simd128.h"

/* rounds_from starts at a multiple of this (the group that renames the working variables back). */
#define PP_SHA1X4_ROUND_GROUP 5u

/* Rounds [0, to) on working variables `vars`, to <= 16 (they read only w[0..to)). */
void pp_sha1x4_rounds_until(u32x4 vars[5], const u32x4 w[16], unsigned to);
/* Rounds [from, 80) from working variables `vars` over the message words w[0..16), expanding the
 * schedule as it goes (faster here than expanding first), then adds them into the chaining
 * `state`. from is a multiple of PP_SHA1X4_ROUND_GROUP, at most 15. */
void pp_sha1x4_rounds_from(u32x4 state[5], const u32x4 vars[5], const u32x4 w16[16], unsigned from);

#endif
