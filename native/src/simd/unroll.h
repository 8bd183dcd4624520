/* Full unrolling of a kernel's round loop, which its speed relies on (message indices and round
 * constants fold). The emulated AVX-512 test build (PP_AVX512_EMULATED) leaves it out: the same
 * loops unrolled over SIMDe's portable intrinsics take minutes to compile. */
#ifndef PP_SIMD_UNROLL_H
#define PP_SIMD_UNROLL_H

#if defined(PP_AVX512_EMULATED)
#define PP_UNROLL(n)
#else
#define PP_PRAGMA(text) _Pragma(#text)
#define PP_UNROLL(n) PP_PRAGMA(GCC unroll n)
#endif

#endif
