/* PP_HOLD(x): an empty asm that claims to change x, so the compiler computes x as written before
 * it, at no instruction's cost. The round loops add the operand that is ready last (the one on the
 * round-to-round chain) at the end of their add chains. In SHA-1, GCC's reassociation moves it to
 * the front again, and each round then waits one more add latency (two cycles per vector op on
 * Zen 5): held, the SHA-1 lanes run 1.5x faster. (The SHA-2 loops keep the written order without
 * it, and measured slower held.) The emulated AVX-512 test build (PP_AVX512_EMULATED) keeps its
 * vectors in memory, where the hold has nothing to do. */
#ifndef PP_SIMD_HOLD_H
#define PP_SIMD_HOLD_H

#if defined(PP_AVX512_EMULATED)
#define PP_HOLD(x) ((void)0)
#else
#define PP_HOLD(x) __asm__("" : "+v"(x))
#endif

#endif
