/*
 * Kernel variants: every family has a table of variants, each with the CPU features it needs. At
 * load the variants this CPU supports are listed per family; which of them runs is decided by
 * measuring them (src/engine/kernel-selection.ts), since no fixed order is fastest on every CPU,
 * and the caller then names it by its index in that list: a handle, not a name looked up per call.
 * A new instruction set (NEON, ...) is one feature bit, its detection in dispatch.c, and one row
 * per family it accelerates.
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

/* How many variants of a family this CPU can run (at least 1: scalar runs everywhere). */
unsigned pp_variant_count(pp_family family);

/* The index-th variant of a family this CPU can run, in table order; NULL past the end. */
const pp_variant *pp_variant_at(pp_family family, unsigned index);

#endif
