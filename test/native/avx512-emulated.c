/*
 * A driver for the AVX-512 kernels built with PP_AVX512_EMULATED, on SIMDe's portable
 * implementation of the same intrinsics, so their logic is tested on CPUs without AVX-512
 * (test/engine/avx512.test.ts builds it with the kernels' own source files and drives it).
 *
 * Reads one scan per line, "<kernel> <input hex> <bound> <start> <count>" with kernel "nano"
 * (root, decimal threshold), "bitmessage" (initial hash, decimal target) or "header" (80-byte
 * header, target as 32 little-endian bytes in hex), and prints "<nonce|none> <attempts>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

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
  char kernel[16], hex[161], bound[65];
  unsigned long long start, count;
  while (scanf("%15s %160s %64s %llu %llu", kernel, hex, bound, &start, &count) == 5) {
    uint8_t input[80], target_le[32];
    pp_result result;
    if (strcmp(kernel, "nano") == 0 && parse_hex(hex, input, 32)) {
      pp_blake2b_nano_avx512(input, strtoull(bound, NULL, 10), start, count, &result);
    } else if (strcmp(kernel, "bitmessage") == 0 && parse_hex(hex, input, 64)) {
      pp_sha512d_bitmessage_avx512(input, strtoull(bound, NULL, 10), start, count, &result);
    } else if (strcmp(kernel, "header") == 0 && parse_hex(hex, input, 80) &&
               parse_hex(bound, target_le, 32)) {
      pp_sha256d_header_avx512(input, target_le, start, count, &result);
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
