#include "dispatch.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

/* CPU features the variants need. */
enum {
  PP_CPU_SHA_NI = 1u << 0, /* SHA extensions plus the SSE4.1 they are used with */
  PP_CPU_AVX2 = 1u << 1,   /* AVX2 with the OS saving YMM state */
  PP_CPU_AVX512 = 1u << 2, /* AVX512F with the OS saving the opmask and ZMM state */
};

#define VARIANT(variant_name, cpu_needs, member, function)                                        \
  { .name = variant_name, .needs = cpu_needs, .fn = {.member = function } }
#define END_OF_TABLE {.name = NULL}

/* The scalar row needs nothing and ends every table. The order is only the order of listing:
 * which variant is fastest differs between CPUs (SHA-NI beats AVX-512 on SHA-256 text on Zen 4 and
 * loses on Sapphire Rapids), so it is measured at load. */
static const pp_variant sha256_text_variants[] = {
#if defined(__x86_64__)
    VARIANT("sha-ni-x4", PP_CPU_SHA_NI, text, pp_sha256_text_shani_x4),
    VARIANT("sha-ni-x2", PP_CPU_SHA_NI, text, pp_sha256_text_shani_x2),
    VARIANT("avx512-16way", PP_CPU_AVX512, text, pp_sha256_text_avx512),
    VARIANT("avx2-8way", PP_CPU_AVX2, text, pp_sha256_text_avx2),
#endif
    VARIANT("scalar", 0, text, pp_sha256_text_scalar), END_OF_TABLE};
static const pp_variant sha1_text_variants[] = {
#if defined(__x86_64__)
    VARIANT("sha-ni-x4", PP_CPU_SHA_NI, text, pp_sha1_text_shani),
    VARIANT("avx512-16way", PP_CPU_AVX512, text, pp_sha1_text_avx512),
    VARIANT("avx2-8way", PP_CPU_AVX2, text, pp_sha1_text_avx2),
#endif
    VARIANT("scalar", 0, text, pp_sha1_text_scalar), END_OF_TABLE};
static const pp_variant sha256d_header_variants[] = {
#if defined(__x86_64__)
    /* The same SHA-NI kernel in VEX encodings (it needs AVX, which the AVX2 bit implies); the
     * SSE build stays for SHA-NI CPUs without AVX (Goldmont and Tremont Atoms). */
    VARIANT("sha-ni-avx-x4", PP_CPU_SHA_NI | PP_CPU_AVX2, header, pp_sha256d_header_shani_avx),
    VARIANT("sha-ni-x4", PP_CPU_SHA_NI, header, pp_sha256d_header_shani),
    VARIANT("avx512-16way", PP_CPU_AVX512, header, pp_sha256d_header_avx512),
    VARIANT("avx2-8way", PP_CPU_AVX2, header, pp_sha256d_header_avx2),
#endif
    VARIANT("scalar", 0, header, pp_sha256d_header_scalar), END_OF_TABLE};
static const pp_variant sha512d_bitmessage_variants[] = {
#if defined(__x86_64__)
    VARIANT("avx512-8way", PP_CPU_AVX512, bitmessage, pp_sha512d_bitmessage_avx512),
    VARIANT("avx2-4way", PP_CPU_AVX2, bitmessage, pp_sha512d_bitmessage_avx2),
#endif
    VARIANT("scalar", 0, bitmessage, pp_sha512d_bitmessage_scalar), END_OF_TABLE};
static const pp_variant blake2b_nano_variants[] = {
#if defined(__x86_64__)
    VARIANT("avx512-16way", PP_CPU_AVX512, nano, pp_blake2b_nano_avx512_x2),
    VARIANT("avx512-8way", PP_CPU_AVX512, nano, pp_blake2b_nano_avx512),
    VARIANT("avx2-4way", PP_CPU_AVX2, nano, pp_blake2b_nano_avx2),
#endif
    VARIANT("scalar", 0, nano, pp_blake2b_nano_scalar), END_OF_TABLE};

static const struct {
  const char *name;
  const pp_variant *variants;
} families[PP_FAMILY_COUNT] = {
    [PP_SHA256_TEXT] = {"sha256-text", sha256_text_variants},
    [PP_SHA1_TEXT] = {"sha1-text", sha1_text_variants},
    [PP_SHA256D_HEADER] = {"sha256d-header", sha256d_header_variants},
    [PP_SHA512D_BITMESSAGE] = {"sha512d-bitmessage", sha512d_bitmessage_variants},
    [PP_BLAKE2B_NANO] = {"blake2b-nano", blake2b_nano_variants},
};

/* The supported variants per family, listed once at load (MAX_VARIANTS bounds every table). */
#define MAX_VARIANTS 8
static const pp_variant *supported_variants[PP_FAMILY_COUNT][MAX_VARIANTS];
static unsigned supported_count[PP_FAMILY_COUNT];

static unsigned detect_cpu_features(void) {
  unsigned features = 0;
#if defined(__x86_64__)
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
  const int sse41 = (ecx >> 19) & 1;
  const int os_saves_avx = ((ecx >> 27) & 1) && ((ecx >> 28) & 1);
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return 0;
  if (sse41 && ((ebx >> 29) & 1)) features |= PP_CPU_SHA_NI;
  if (os_saves_avx) {
    unsigned xcr0_low, xcr0_high;
    __asm__("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    const int ymm_state = (xcr0_low & 0x06) == 0x06; /* XMM and YMM */
    const int zmm_state = (xcr0_low & 0xe6) == 0xe6; /* and the opmask, ZMM0..15 high, ZMM16..31 */
    if (ymm_state && ((ebx >> 5) & 1)) features |= PP_CPU_AVX2;
    /* AVX512F CPUs all have AVX2, which the AVX-512 kernels' code also uses; a hypervisor could
     * still hide it, so both are required. */
    if (zmm_state && ((ebx >> 16) & 1) && ((ebx >> 5) & 1)) features |= PP_CPU_AVX512;
  }
#endif
  return features;
}

/* Runs once when the addon is loaded, before any thread can call a kernel. */
__attribute__((constructor)) static void list_supported_variants(void) {
  const unsigned cpu_features = detect_cpu_features();
  for (int f = 0; f < PP_FAMILY_COUNT; f++) {
    for (const pp_variant *v = families[f].variants; v->name != NULL; v++)
      if ((v->needs & ~cpu_features) == 0 && supported_count[f] < MAX_VARIANTS)
        supported_variants[f][supported_count[f]++] = v;
  }
}

const char *pp_family_name(pp_family family) { return families[family].name; }

unsigned pp_variant_count(pp_family family) { return supported_count[family]; }

const pp_variant *pp_variant_at(pp_family family, unsigned index) {
  return index < supported_count[family] ? supported_variants[family][index] : NULL;
}
