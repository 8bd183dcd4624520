/* SHA-256 on 4 lanes of u32x4 (one message per lane), for the SIMD128 kernels. */
#ifndef PP_WASM_SHA256X4_H
#define PP_WASM_SHA256X4_H

#include "simd128.h"

/* Rounds [0, to) on working variables `vars`, to <= 16. */
void pp_sha256x4_rounds_until(u32x4 vars[8], const u32x4 w16[16], unsigned to);
/* finish_block may start at any round. */
#define PP_SHA256X4_ROUND_GROUP 1u
/* Rounds [from, 64) from working variables `vars`, then adds them into the chaining `state`. */
void pp_sha256x4_finish_block(u32x4 state[8], const u32x4 vars[8], const u32x4 w16[16],
                              unsigned from);

#endif
