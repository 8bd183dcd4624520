/*
 * Kernel selection: every family has a table of variants, fastest first, each with the CPU
 * features it needs. At load the first variant this CPU supports is chosen per family, unless
 * POWERPLANT_KERNEL=scalar forces the portable kernels. A new instruction set (AVX-512, NEON) is
 * one feature bit, its detection in dispatch.c, and one row per family it accelerates.
 */
#ifndef POWERPLANT_DISPATCH_H
#define POWERPLANT_DISPATCH_H

#include "kernels.h"

typedef enum {
  PP_SHA256_TEXT,
  PP_SHA1_TEXT,
  PP_SHA256D_HEADER,
  PP_SHA512D_BITMESSAGE,
  PP_BLAKE2B_NANO,
  PP_FAMILY_COUNT
} pp_family;

typedef union {
  pp_text_fn text;
  pp_header_fn header;
  pp_bitmessage_fn bitmessage;
  pp_nano_fn nano;
} pp_kernel_fn;

typedef struct {
  const char *name; /* e.g. "sha-ni-x4", "avx2-4way", "scalar" */
  unsigned needs;   /* PP_CPU_* bits */
  pp_kernel_fn fn;
} pp_variant;

/* The family's name as the TypeScript side spells it (SearchTask['kernel']). */
const char *pp_family_name(pp_family family);

/* Variants of a family this CPU can run, fastest first; returns how many (at most `max`). */
unsigned pp_supported_variants(pp_family family, const pp_variant **variants, unsigned max);

/* The variant chosen at load (honouring POWERPLANT_KERNEL). */
const pp_variant *pp_selected_variant(pp_family family);

/* A supported variant by name, or NULL when the name is unknown or this CPU lacks it. */
const pp_variant *pp_find_variant(pp_family family, const char *name);

#endif
