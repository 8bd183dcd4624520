/*
 * The OpenCL check: builds Powerplant's kernels (native/opencl) on every OpenCL device, checks
 * them against the reference vectors and against the portable C kernels on random tasks, and
 * prints each family's rate beside the device's integer-throughput bound. Needs gcc and an
 * OpenCL runtime only (no Node); bench/opencl-check.sh builds and runs it.
 *
 *   opencl-check --kernels DIR [--library PATH] [--device N] [--seconds S] [--lanes N]
 *                [--rounds N]
 *
 * The bound: compute units x integer lanes per unit x clock / integer operations per attempt.
 * OpenCL does not report lanes per compute unit: 64 is right for NVIDIA SMs since Volta and for
 * AMD CUs; CPU devices count SIMD lanes of 32 bits (16 with AVX-512). --lanes overrides both.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../native/src/kernels.h"
#include "../native/src/opencl/host.h"

static const char *const FAMILY_NAMES[PP_GPU_FAMILIES] = {
    "sha256-text", "sha1-text", "sha256d-header", "sha512d-bitmessage", "blake2b-nano"};
/* 32-bit integer operations per attempt, with three-input logic and funnel shifts as one op: the
 * estimate behind the H200 figures (16.7 T ops/s: 12, 20, 6.5, 1.7 and 7 GH/s). */
static const double OPS_PER_ATTEMPT[PP_GPU_FAMILIES] = {1390, 835, 2570, 9800, 2390};

static int failures;

#define CHECK(condition, ...)                                                                      \
  do {                                                                                             \
    if (!(condition)) {                                                                            \
      failures++;                                                                                  \
      printf("  FAIL: ");                                                                          \
      printf(__VA_ARGS__);                                                                         \
      printf("\n");                                                                                \
    }                                                                                              \
  } while (0)

static void hex_bytes(const char *hex, uint8_t *out, size_t length) {
  for (size_t i = 0; i < length; i++) sscanf(hex + 2 * i, "%2" SCNx8, &out[i]);
}

static int same_result(const pp_result *a, const pp_result *b) {
  return a->found == b->found && a->attempts == b->attempts && (!a->found || a->nonce == b->nonce);
}

static void expect(const char *error, const pp_result *got, int found, uint64_t nonce,
                   uint64_t attempts, const char *label) {
  CHECK(error == NULL, "%s: %s", label, error);
  if (error != NULL) return;
  const pp_result want = {nonce, attempts, found};
  CHECK(same_result(got, &want), "%s: got found=%d nonce=%" PRIu64 " attempts=%" PRIu64
        ", want found=%d nonce=%" PRIu64 " attempts=%" PRIu64, label, got->found, got->nonce,
        got->attempts, found, nonce, attempts);
}

/* ---- reference vectors (shared/reference.md) ---- */

static void check_nostr(unsigned device, const char *prefix, const char *nonce_text,
                        const char *suffix, unsigned zero_bits, uint64_t before) {
  const uint64_t nonce = strtoull(nonce_text, NULL, 10);
  pp_result result;
  const char *error =
      pp_gpu_text(device, 0, (const uint8_t *)prefix, strlen(prefix), (const uint8_t *)suffix,
                  strlen(suffix), (unsigned)strlen(nonce_text), zero_bits, nonce - before,
                  before + 7, &result);
  expect(error, &result, 1, nonce, before + 1, nonce_text);
}

static void check_vectors(unsigned device) {
  check_nostr(device,
              "[0,\"a48380f4cfcc1ad5378294fcac36439770f9c878dd880ffa94bb74ea54a6f243\","
              "1651794653,1,[[\"nonce\",\"",
              "776797", "\",\"20\"]],\"It's just me mining my own business\"]", 21, 603);
  check_nostr(device,
              "[0,\"6cad545430904b84a8101c5783b65043f19ae29d2da1076b8fc3e64892736f03\","
              "1663382309,1,[[\"nonce\",\"",
              "3634431872961",
              "\"]],\"I am a robot beep boop! This note took 7976213 seconds to mine 44 bits after "
              "3634431872962 tries!\\n\\nThis was generated with "
              "https://github.com/jb55/nostril\"]",
              44, 5001);
  check_nostr(device,
              "[0,\"489ac583fc30cfbee0095dd736ec46468faa8b187e311fda6269c4e18284ed0c\","
              "1680947398,1,[[\"nonce\",\"",
              "2963377", "\",\"25\"]],\"Hello, world!\"]", 26, 100000);

  static const char *const headers[] = {
      "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b2"
      "7ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c",
      "0100000050120119172a610421a6c3011dd330d9df07b63616c2cc1f1cd00200000000006657a9252aacd5c0"
      "b2940996ecff952228c3067cc38d4885efb5a4ac4247e9f337221b4d4c86041b0f2b5710",
      "0100000081cd02ab7e569e8bcd9317e2fe99f2de44d49ab2b8851ba4a308000000000000e320b6c2fffc8d75"
      "0423db8b1eb942ae710e951ed797f7affc8892b0f1fc122bc7f5d74df2b9441a42a14695"};
  for (size_t h = 0; h < sizeof headers / sizeof headers[0]; h++) {
    uint8_t header[80], target[32] = {0};
    hex_bytes(headers[h], header, 80);
    const uint32_t nonce =
        header[76] | header[77] << 8 | header[78] << 16 | (uint32_t)header[79] << 24;
    /* Target from the compact bits: mantissa << 8 * (exponent - 3), little-endian bytes. */
    const unsigned exponent = header[75];
    for (unsigned i = 0; i < 3; i++) target[exponent - 3 + i] = header[72 + i];
    pp_result result;
    expect(pp_gpu_header(device, header, target, nonce - 3001, 3050, &result), &result, 1, nonce,
           3002, "Bitcoin header");
  }

  static const struct { const char *hash; uint64_t target, start, nonce; } bitmessage[] = {
      {"bd227de52173a50ecd54893f71de52511f62b17facf2ce6670a2489f81b73b0aa4effc81b935f628fc5383c469"
       "90ed72249d1bcfbffcff928c539044723c5e87", 3979158916983, 1, 1302572},
      {"8ff2d685db89a0af2e3dbfd3f700ae96ef4d9a1eac72fd778bbb368c7510cddda349e03207e1c4965bd95c6f72"
       "65e8f1a481a08afab3874eaafb9ade09a10880", 297422593171, 21997550 - 10001, 21997550}};
  for (size_t v = 0; v < 2; v++) {
    uint8_t hash[64];
    hex_bytes(bitmessage[v].hash, hash, 64);
    pp_result result;
    const uint64_t attempts = bitmessage[v].nonce - bitmessage[v].start + 1;
    expect(pp_gpu_bitmessage(device, hash, bitmessage[v].target, bitmessage[v].start, attempts + 9,
                             &result),
           &result, 1, bitmessage[v].nonce, attempts, "Bitmessage");
  }

  static const char *const nano[][3] = {
      {"718CC2121C3E641059BC1C2CFC45666C99E8AE922F7A807B7D07B62C995D79E2",
       "2b3d689bbcb21dca", "fffffff93c41ec94"},
      {"718CC2121C3E641059BC1C2CFC45666C99E8AE922F7A807B7D07B62C995D79E2",
       "2bf29ef00786a6bc", "ffffffd21c3933f4"},
      {"E89208DD038FBB269987689621D52292AE9C35941A7484756ECCED92A65093BA",
       "62f05417dd3fb691", "fffffff4000d3dac"},
      {"3F93C5CD2E314FA16702189041E68E68C07B27961BF37F0B7705145BEFBA3AA3",
       "205452237a9b01f4", "ffffffff287741bf"},
      {"E2D8BD730E1512568378EC61A2367431F8AC35E66C46508CD0F9F3BCD94DE29B",
       "0000000000000000", "fffffe969af69900"},
      {"3ed191ec702f384514ba35e1f9081148df5a9ab48fe0f604b6e5b9f7177cee32",
       "bb6737f2daf01a2c", "74bbaa4490886de7"}};
  for (size_t v = 0; v < sizeof nano / sizeof nano[0]; v++) {
    uint8_t root[32];
    hex_bytes(nano[v][0], root, 32);
    const uint64_t nonce = strtoull(nano[v][1], NULL, 16), value = strtoull(nano[v][2], NULL, 16);
    pp_result result;
    expect(pp_gpu_nano(device, root, value, nonce, 1, &result), &result, 1, nonce, 1,
           "Nano at its own value");
    expect(pp_gpu_nano(device, root, value + 1, nonce, 1, &result), &result, 0, 0, 1,
           "Nano above its value");
  }
}

/* ---- random tasks against the portable C kernels ---- */

static uint64_t random_state = 0x9e3779b97f4a7c15u;
static uint64_t random_u64(void) {
  random_state ^= random_state << 13;
  random_state ^= random_state >> 7;
  random_state ^= random_state << 17;
  return random_state;
}
static uint64_t random_below(uint64_t bound) { return random_u64() % bound; }
static void random_bytes(uint8_t *bytes, size_t length) {
  for (size_t i = 0; i < length; i++) bytes[i] = (uint8_t)random_u64();
}

static void compare(const char *error, const pp_result *got, const pp_result *want,
                    const char *family, uint64_t start, uint64_t count) {
  CHECK(error == NULL, "%s: %s", family, error);
  if (error == NULL)
    CHECK(same_result(got, want),
          "%s [%" PRIu64 ", +%" PRIu64 "): OpenCL found=%d nonce=%" PRIu64 " attempts=%" PRIu64
          ", C found=%d nonce=%" PRIu64 " attempts=%" PRIu64,
          family, start, count, got->found, got->nonce, got->attempts, want->found, want->nonce,
          want->attempts);
}

static void check_random(unsigned device, unsigned rounds) {
  uint8_t prefix[200], suffix[200], bytes[80], target[32];
  for (unsigned round = 0; round < rounds; round++) {
    pp_result got, want;
    /* Text: any width, lengths across block boundaries, ranges up to the end of the space. */
    const unsigned width = 1 + (unsigned)random_below(19);
    uint64_t space = 1;
    for (unsigned i = 0; i < width; i++) space *= 10;
    const uint64_t count = space < 3000 ? space : 1 + random_below(3000);
    const uint64_t room = space - count;
    const uint64_t start = random_below(4) == 0 ? room : random_below(room + 1);
    const size_t prefix_len = random_below(sizeof prefix + 1);
    const size_t suffix_len = random_below(sizeof suffix + 1);
    random_bytes(prefix, prefix_len);
    random_bytes(suffix, suffix_len);
    const unsigned zero_bits = (unsigned)random_below(12);
    for (int sha1 = 0; sha1 < 2; sha1++) {
      (sha1 ? pp_sha1_text_scalar : pp_sha256_text_scalar)(prefix, prefix_len, suffix, suffix_len,
                                                           width, zero_bits, start, count, &want);
      compare(pp_gpu_text(device, sha1, prefix, prefix_len, suffix, suffix_len, width, zero_bits,
                          start, count, &got),
              &got, &want, FAMILY_NAMES[sha1], start, count);
    }
    /* Fixed-size tasks: targets loose enough that most ranges hold a pass. */
    const uint64_t n = 1 + random_below(5000);
    random_bytes(bytes, 80);
    memset(target, 0, sizeof target);
    target[31 - random_below(2)] = (uint8_t)(1 + random_below(255));
    const uint64_t header_start =
        random_below(4) == 0 ? (1ull << 32) - n : random_below((1ull << 32) - n);
    pp_sha256d_header_scalar(bytes, target, header_start, n, &want);
    compare(pp_gpu_header(device, bytes, target, header_start, n, &got), &got, &want,
            FAMILY_NAMES[PP_GPU_HEADER], header_start, n);
    const uint64_t wide_start =
        random_below(4) == 0 ? UINT64_MAX - n + 1 : random_u64() >> random_below(64);
    const uint64_t bound = random_u64() >> (8 + random_below(6));
    pp_sha512d_bitmessage_scalar(bytes, bound, wide_start, n, &want);
    compare(pp_gpu_bitmessage(device, bytes, bound, wide_start, n, &got), &got, &want,
            FAMILY_NAMES[PP_GPU_BITMESSAGE], wide_start, n);
    const uint64_t threshold = ~bound;
    pp_blake2b_nano_scalar(bytes, threshold, wide_start, n, &want);
    compare(pp_gpu_nano(device, bytes, threshold, wide_start, n, &got), &got, &want,
            FAMILY_NAMES[PP_GPU_NANO], wide_start, n);
  }
}

/* ---- rates ---- */

static double seconds_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/* One scan of a task nothing passes: a one-block text tail after a one-block prefix. */
static const char *scan_nothing(unsigned device, int family, uint64_t start, uint64_t count,
                                pp_result *out) {
  static const uint8_t zero[80];
  static const uint8_t prefix[64] = "1:20:261121:resource@example.org::c2FsdGVkLXJhbmRvbS1ieXRl:";
  switch (family) {
    case PP_GPU_SHA256_TEXT:
    case PP_GPU_SHA1_TEXT:
      return pp_gpu_text(device, family == PP_GPU_SHA1_TEXT, prefix, sizeof prefix,
                         (const uint8_t *)"", 0, 19, family == PP_GPU_SHA1_TEXT ? 160 : 256,
                         start, count, out);
    case PP_GPU_HEADER:
      return pp_gpu_header(device, zero, zero, start & 0xffffffffu, count, out);
    case PP_GPU_BITMESSAGE:
      return pp_gpu_bitmessage(device, zero, 0, start, count, out);
    default:
      return pp_gpu_nano(device, zero, UINT64_MAX, start, count, out);
  }
}

static double measure_rate(unsigned device, int family, double seconds) {
  pp_result result;
  uint64_t start = 0;
  /* Warm up: the launch size settles within a few launches. */
  for (double began = seconds_now(); seconds_now() - began < seconds / 4;) {
    const uint64_t count = 4ull * pp_gpu_launch_size(device, family);
    if (scan_nothing(device, family, start, count, &result) != NULL) return 0;
    start += count;
  }
  uint64_t attempts = 0;
  const double began = seconds_now();
  double elapsed = 0;
  while (elapsed < seconds) {
    uint64_t count = 4ull * pp_gpu_launch_size(device, family);
    if (family == PP_GPU_HEADER && count > 0xffffffffu - (start & 0xffffffffu)) start = 0;
    if (scan_nothing(device, family, start, count, &result) != NULL) return 0;
    start += count;
    attempts += result.attempts;
    elapsed = seconds_now() - began;
  }
  return attempts / elapsed;
}

int main(int argc, char **argv) {
  const char *kernels = NULL, *library = NULL;
  int only_device = -1;
  double seconds = 2;
  unsigned lanes_override = 0, rounds = 40;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--kernels") == 0) kernels = argv[i + 1];
    else if (strcmp(argv[i], "--library") == 0) library = argv[i + 1];
    else if (strcmp(argv[i], "--device") == 0) only_device = atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--seconds") == 0) seconds = atof(argv[i + 1]);
    else if (strcmp(argv[i], "--lanes") == 0) lanes_override = (unsigned)atoi(argv[i + 1]);
    else if (strcmp(argv[i], "--rounds") == 0) rounds = (unsigned)atoi(argv[i + 1]);
    else {
      fprintf(stderr, "unknown option %s\n", argv[i]);
      return 2;
    }
  }
  if (kernels == NULL) {
    fprintf(stderr, "usage: %s --kernels DIR [--library PATH] [--device N] [--seconds S] "
                    "[--lanes N] [--rounds N]\n", argv[0]);
    return 2;
  }
  const char *error;
  const int count = pp_gpu_open(library, &error);
  if (count < 0) {
    printf("%s\n", error);
    return 1;
  }
  for (int d = 0; d < count; d++) {
    if (only_device >= 0 && d != only_device) continue;
    const pp_gpu_info *info = pp_gpu_info_of((unsigned)d);
    printf("device %d: %s (%s, %s), %u compute units at %u MHz\n", d, info->name, info->type,
           info->platform, info->compute_units, info->clock_mhz);
    const double began = seconds_now();
    if ((error = pp_gpu_prepare((unsigned)d, kernels)) != NULL) {
      printf("  FAIL: %s\n", error);
      failures++;
      continue;
    }
    printf("  built in %.1f s\n", seconds_now() - began);
    const int before = failures;
    check_vectors((unsigned)d);
    check_random((unsigned)d, rounds);
    printf("  vectors and %u random tasks per family: %s\n", rounds,
           failures == before ? "ok" : "FAILED");
    const unsigned lanes = lanes_override     ? lanes_override
                           : strcmp(info->type, "cpu") == 0 ? 16
                                                            : 64;
    const double ops = (double)info->compute_units * lanes * info->clock_mhz * 1e6;
    printf("  %-20s %12s %12s %8s  (bound: %u units x %u lanes x %u MHz / ops per attempt)\n",
           "family", "MH/s", "bound MH/s", "of bound", info->compute_units, lanes, info->clock_mhz);
    for (int f = 0; f < PP_GPU_FAMILIES; f++) {
      const double rate = measure_rate((unsigned)d, f, seconds);
      const double bound = ops / OPS_PER_ATTEMPT[f];
      printf("  %-20s %12.2f %12.2f %7.1f%%  launch %u\n", FAMILY_NAMES[f], rate / 1e6,
             bound / 1e6, 100 * rate / bound, pp_gpu_launch_size((unsigned)d, f));
    }
  }
  printf(failures == 0 ? "all checks passed\n" : "%d checks FAILED\n", failures);
  return failures == 0 ? 0 : 1;
}
