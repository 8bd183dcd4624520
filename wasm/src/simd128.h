/*
 * Lane types for the SIMD128 kernels: clang vector extensions, which -msimd128 lowers to wasm
 * v128 instructions. One lane per nonce: 4 lanes of 32-bit words, 2 lanes of 64-bit words.
 */
#ifndef PP_WASM_SIMD128_H
#define PP_WASM_SIMD128_H

#include <stdint.h>

typedef uint32_t u32x4 __attribute__((vector_size(16)));
typedef uint64_t u64x2 __attribute__((vector_size(16)));

static inline u32x4 splat32x4(uint32_t x) { return (u32x4){x, x, x, x}; }
static inline u64x2 splat64x2(uint64_t x) { return (u64x2){x, x}; }
static inline u32x4 rotr32x4(u32x4 x, unsigned n) { return (x >> n) | (x << (32 - n)); }
static inline u32x4 rotl32x4(u32x4 x, unsigned n) { return (x << n) | (x >> (32 - n)); }
static inline u64x2 rotr64x2(u64x2 x, unsigned n) { return (x >> n) | (x << (64 - n)); }

#endif
