/*
 * A driver for the AVX-512 kernels built with PP_AVX512_EMULATED, on SIMDe's portable
 * implementation of the same intrinsics, so their logic is tested on CPUs without AVX-512
 * (test/engine/avx512.test.ts builds it with the kernels' own source files and drives it).
 *
 * With --interleaved it runs the variants that interleave two vectors of lanes where a family has
 * one (the one-vector kernel elsewhere). Reads one scan per line and prints "<nonce|none> <attempts>" for each:
 *   nano <root hex> <threshold> <start> <count>
 *   bitmessage <initial hash hex> <target> <start> <count>
 *   header <80-byte header hex> <target, 32 little-endian bytes in hex> <start> <count>
 *   sha256-text|sha1-text <prefix hex or -> <suffix hex or -> <width> <zero bits> <start> <count>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

#define MAX_TEXT 4096

/* Hex to bytes; "-" is no bytes. Returns the length, or -1 when it is not `expected` bytes long
 * (any length when expected is -1) or not hex. */
static long parse_hex(const char *hex, uint8_t *bytes, long expected) {
  if (strcmp(hex, "-") == 0) hex = "";
  const long length = (long)strlen(hex) / 2;
  if ((long)strlen(hex) % 2 != 0 || (expected >= 0 && length != expected)) return -1;
  for (long i = 0; i < length; i++) {
    unsigned byte;
    if (sscanf(hex + 2 * i, "%2x", &byte) != 1) return -1;
    bytes[i] = (uint8_t)byte;
  }
  return length;
}

int main(int argc, char **argv) {
  const int interleaved = argc > 1 && strcmp(argv[1], "--interleaved") == 0;
  const pp_nano_fn nano = interleaved ? pp_blake2b_nano_avx512_x2 : pp_blake2b_nano_avx512;
  static char first[2 * MAX_TEXT + 1], second[2 * MAX_TEXT + 1];
  static uint8_t input[MAX_TEXT], other[MAX_TEXT];
  char kernel[16];
  unsigned long long start, count;
  while (scanf("%15s", kernel) == 1) {
    pp_result result;
    int ok = 0;
    if (strcmp(kernel, "sha256-text") == 0 || strcmp(kernel, "sha1-text") == 0) {
      unsigned width, zero_bits;
      if (scanf("%8192s %8192s %u %u %llu %llu", first, second, &width, &zero_bits, &start, &count) == 6) {
        const long prefix_len = parse_hex(first, input, -1), suffix_len = parse_hex(second, other, -1);
        if ((ok = prefix_len >= 0 && suffix_len >= 0)) {
          (kernel[3] == '2' ? pp_sha256_text_avx512 : pp_sha1_text_avx512)(
              input, (size_t)prefix_len, other, (size_t)suffix_len, width, zero_bits, start, count, &result);
        }
      }
    } else if (scanf("%8192s %8192s %llu %llu", first, second, &start, &count) == 4) {
      if (strcmp(kernel, "nano") == 0 && (ok = parse_hex(first, input, 32) == 32))
        nano(input, strtoull(second, NULL, 10), start, count, &result);
      else if (strcmp(kernel, "bitmessage") == 0 && (ok = parse_hex(first, input, 64) == 64))
        pp_sha512d_bitmessage_avx512(input, strtoull(second, NULL, 10), start, count, &result);
      else if (strcmp(kernel, "header") == 0 &&
               (ok = parse_hex(first, input, 80) == 80 && parse_hex(second, other, 32) == 32))
        pp_sha256d_header_avx512(input, other, start, count, &result);
    }
    if (!ok) {
      fprintf(stderr, "bad line for %s\n", kernel);
      return 2;
    }
    if (result.found)
      printf("%llu %llu\n", (unsigned long long)result.nonce, (unsigned long long)result.attempts);
    else
      printf("none %llu\n", (unsigned long long)result.attempts);
  }
  return 0;
}
