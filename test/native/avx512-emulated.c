/*
 * The AVX-512 kernels built on SIMDe's portable implementation of the same intrinsics, so their
 * logic is tested on CPUs without AVX-512 (test/engine/avx512.test.ts builds and drives this).
 *
 * Reads one scan per line, "<kernel> <input hex> <bound> <start> <count>" with kernel "nano"
 * (root, threshold) or "bitmessage" (initial hash, target), and prints "<nonce|none> <attempts>".
 */
#define PP_AVX512_EMULATED 1

#include <stdio.h>
#include <string.h>

#include "simd/blake2b_avx512.c"
#include "simd/sha512_avx512.c"

static int parse_hex(const char *hex, uint8_t *bytes, size_t length) {
  if (strlen(hex) != 2 * length) return 0;
  for (size_t i = 0; i < length; i++) {
    unsigned byte;
    if (sscanf(hex + 2 * i, "%2x", &byte) != 1) return 0;
    bytes[i] = (uint8_t)byte;
  }
  return 1;
}

int main(void) {
  char kernel[16], hex[160];
  unsigned long long bound, start, count;
  while (scanf("%15s %159s %llu %llu %llu", kernel, hex, &bound, &start, &count) == 5) {
    uint8_t input[64];
    pp_result result;
    if (strcmp(kernel, "nano") == 0 && parse_hex(hex, input, 32)) {
      pp_blake2b_nano_avx512(input, bound, start, count, &result);
    } else if (strcmp(kernel, "bitmessage") == 0 && parse_hex(hex, input, 64)) {
      pp_sha512d_bitmessage_avx512(input, bound, start, count, &result);
    } else {
      fprintf(stderr, "bad line: %s %s\n", kernel, hex);
      return 2;
    }
    if (result.found)
      printf("%llu %llu\n", (unsigned long long)result.nonce, (unsigned long long)result.attempts);
    else
      printf("none %llu\n", (unsigned long long)result.attempts);
  }
  return 0;
}
