/*
 * Powerplant search kernels: one flat C entry point per scheme family and per instruction set.
 * Every kernel scans nonces [start, start + count) in increasing order and stops at the first one
 * that passes. The same scalar kernels compile to the N-API addon and to WebAssembly.
 *
 * Inputs are validated in TypeScript before they reach C (C asserts vanish in release builds).
 */
#ifndef POWERPLANT_KERNELS_H
#define POWERPLANT_KERNELS_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t nonce;    /* the passing nonce, valid when found != 0 */
  uint64_t attempts; /* nonces tried, up to and including the passing one */
  int found;
} pp_result;

/* SHA-256 / SHA-1 of prefix || nonce as `width` zero-padded ASCII decimal digits || suffix;
 * passes with >= zero_bits leading zero bits. width is 1..19; start + count <= 10^width. */
typedef void pp_text_kernel(const uint8_t *prefix, size_t prefix_len, const uint8_t *suffix,
                            size_t suffix_len, unsigned width, unsigned zero_bits, uint64_t start,
                            uint64_t count, pp_result *out);

/* sha256d of an 80-byte header with the nonce (LE32) at bytes 76..79; passes when the hash read as
 * a little-endian 256-bit integer is <= target, given as 32 bytes little-endian.
 * start + count <= 2^32. */
typedef void pp_header_kernel(const uint8_t header[80], const uint8_t target_le[32], uint64_t start,
                              uint64_t count, pp_result *out);

/* Bitmessage: first 8 bytes (BE) of SHA-512(SHA-512(nonce BE64 || initial_hash[64])) <= target. */
typedef void pp_bitmessage_kernel(const uint8_t initial_hash[64], uint64_t target, uint64_t start,
                                  uint64_t count, pp_result *out);

/* Nano: BLAKE2b with an 8-byte digest over nonce LE64 || root[32], as LE uint64, >= threshold. */
typedef void pp_nano_kernel(const uint8_t root[32], uint64_t threshold, uint64_t start,
                            uint64_t count, pp_result *out);

/* Each kernel below is declared by its family's function type; dispatch.c holds pointers to them. */
typedef pp_text_kernel *pp_text_fn;
typedef pp_header_kernel *pp_header_fn;
typedef pp_bitmessage_kernel *pp_bitmessage_fn;
typedef pp_nano_kernel *pp_nano_fn;

/* Portable scalar kernels (native/src/scalar/): any CPU, and the WebAssembly build. */
pp_text_kernel pp_sha256_text_scalar;
pp_text_kernel pp_sha1_text_scalar;
pp_header_kernel pp_sha256d_header_scalar;
pp_bitmessage_kernel pp_sha512d_bitmessage_scalar;
pp_nano_kernel pp_blake2b_nano_scalar;

/* SIMD kernels (native/src/simd/), x86-64 only, each compiled for its own instruction set and
 * listed per family by dispatch.c; which one runs is measured at load. */
#if defined(__x86_64__)
/* SHA-256 text on SHA-NI with 2 and 4 nonces in flight. */
pp_text_kernel pp_sha256_text_shani_x2;
pp_text_kernel pp_sha256_text_shani_x4;
pp_text_kernel pp_sha256_text_avx2;
pp_text_kernel pp_sha1_text_shani;
pp_text_kernel pp_sha1_text_avx2;
pp_header_kernel pp_sha256d_header_shani;
/* The SHA-NI header kernel built with AVX's three-operand encodings for its non-SHA instructions. */
pp_header_kernel pp_sha256d_header_shani_avx;
pp_header_kernel pp_sha256d_header_avx2;
pp_header_kernel pp_sha256d_header_avx512;
pp_text_kernel pp_sha256_text_avx512;
pp_text_kernel pp_sha1_text_avx512;
pp_bitmessage_kernel pp_sha512d_bitmessage_avx2;
pp_nano_kernel pp_blake2b_nano_avx2;
pp_bitmessage_kernel pp_sha512d_bitmessage_avx512;
pp_nano_kernel pp_blake2b_nano_avx512;
/* Two independent vectors of lanes interleaved, to hide the rounds' latency. */
pp_nano_kernel pp_blake2b_nano_avx512_x2;
#endif

#endif
