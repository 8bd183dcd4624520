/*
 * The N-API surface: one flat, synchronous scan function per kernel family plus kernels(), which
 * lists the variants. TypeScript (src/engine/native.ts) validates tasks before calling; this file
 * only checks what would otherwise read out of bounds or overflow, and throws instead of crashing.
 *
 *   sha256Text / sha1Text(variant, prefix, suffix, width, zeroBits, start, count)
 *   sha256dHeader(variant, header80, targetLe32, start, count)
 *   sha512dBitmessage(variant, initialHash64, target, start, count)
 *   blake2bNano(variant, root32, threshold, start, count)
 *     variant: the variant's index in kernels()[family], chosen once by the caller
 *     start, target, threshold: bigint (uint64); count: number (safe integer)
 *     → { nonce: bigint | null, attempts: number }
 *   kernels() → { [family]: names of the variants this CPU runs, in table order }
 */
#include <node_api.h>
#include <stdint.h>
#include <string.h>

#include "dispatch.h"
#include "opencl/napi.h"

#define MAX_ARGS 7
#define MAX_SAFE_INTEGER 9007199254740991.0

/* Evaluate an N-API call; on failure make sure an exception is pending and return NULL. */
#define NAPI_CALL(env, call)                                                                       \
  do {                                                                                             \
    if ((call) != napi_ok) {                                                                       \
      bool pending = false;                                                                        \
      napi_is_exception_pending((env), &pending);                                                  \
      if (!pending) napi_throw_error((env), NULL, "powerplant native: N-API call failed");         \
      return NULL;                                                                                 \
    }                                                                                              \
  } while (0)

#define THROW_TYPE(env, message)                                                                   \
  do {                                                                                             \
    napi_throw_type_error((env), NULL, message);                                                   \
    return 0;                                                                                      \
  } while (0)
#define THROW_RANGE(env, message)                                                                  \
  do {                                                                                             \
    napi_throw_range_error((env), NULL, message);                                                  \
    return 0;                                                                                      \
  } while (0)

/* The argument readers return 1 on success, 0 with a JS exception pending. */

static int read_args(napi_env env, napi_callback_info info, size_t expected, napi_value *argv,
                     void **data) {
  size_t argc = MAX_ARGS;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, data) != napi_ok) THROW_TYPE(env, "bad call");
  if (argc != expected) THROW_TYPE(env, "wrong number of arguments");
  return 1;
}

static int read_variant(napi_env env, napi_value value, pp_family family,
                        const pp_variant **variant) {
  uint32_t index;
  if (napi_get_value_uint32(env, value, &index) != napi_ok)
    THROW_TYPE(env, "variant must be an index into kernels()");
  *variant = pp_variant_at(family, index);
  if (*variant == NULL) THROW_RANGE(env, "variant: no such index on this CPU");
  return 1;
}

/* A Uint8Array (or Buffer); exact_length 0 accepts any length. */
static int read_bytes(napi_env env, napi_value value, size_t exact_length, const char *message,
                      const uint8_t **bytes, size_t *length) {
  bool is_typed_array = false;
  napi_typedarray_type type;
  void *data;
  if (napi_is_typedarray(env, value, &is_typed_array) != napi_ok || !is_typed_array)
    THROW_TYPE(env, message);
  if (napi_get_typedarray_info(env, value, &type, length, &data, NULL, NULL) != napi_ok ||
      type != napi_uint8_array)
    THROW_TYPE(env, message);
  if (exact_length != 0 && *length != exact_length) THROW_RANGE(env, message);
  /* An empty array may have no backing store; kernels never read from a zero-length input. */
  static const uint8_t empty[1];
  *bytes = data != NULL ? data : empty;
  return 1;
}

static int read_u64(napi_env env, napi_value value, const char *message, uint64_t *out) {
  bool lossless = false;
  if (napi_get_value_bigint_uint64(env, value, out, &lossless) != napi_ok)
    THROW_TYPE(env, message);
  if (!lossless) THROW_RANGE(env, message);
  return 1;
}

static int read_count(napi_env env, napi_value value, uint64_t *out) {
  double count;
  if (napi_get_value_double(env, value, &count) != napi_ok)
    THROW_TYPE(env, "count must be a number");
  if (!(count >= 0 && count <= MAX_SAFE_INTEGER) || count != (double)(uint64_t)count)
    THROW_RANGE(env, "count must be a non-negative safe integer");
  *out = (uint64_t)count;
  return 1;
}

static int read_small_uint(napi_env env, napi_value value, uint32_t min, uint32_t max,
                           const char *message, uint32_t *out) {
  if (napi_get_value_uint32(env, value, out) != napi_ok) THROW_TYPE(env, message);
  if (*out < min || *out > max) THROW_RANGE(env, message);
  return 1;
}

/* [start, start + count) must lie inside [0, space); space 0 stands for 2^64. */
static int check_range(napi_env env, uint64_t start, uint64_t count, uint64_t space) {
  const int fits = space == 0 ? count == 0 || count - 1 <= UINT64_MAX - start
                              : start <= space && count <= space - start;
  if (!fits) THROW_RANGE(env, "start + count exceeds the nonce space");
  return 1;
}

static napi_value scan_result(napi_env env, const pp_result *result) {
  napi_value object, nonce, attempts;
  NAPI_CALL(env, napi_create_object(env, &object));
  if (result->found)
    NAPI_CALL(env, napi_create_bigint_uint64(env, result->nonce, &nonce));
  else
    NAPI_CALL(env, napi_get_null(env, &nonce));
  NAPI_CALL(env, napi_create_double(env, (double)result->attempts, &attempts));
  NAPI_CALL(env, napi_set_named_property(env, object, "nonce", nonce));
  NAPI_CALL(env, napi_set_named_property(env, object, "attempts", attempts));
  return object;
}

/* sha256Text and sha1Text; the callback data says which family. */
static napi_value scan_text(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  void *data;
  const pp_variant *variant;
  const uint8_t *prefix, *suffix;
  size_t prefix_len, suffix_len;
  uint32_t width, zero_bits;
  uint64_t start, count;
  if (!read_args(env, info, 7, argv, &data)) return NULL;
  const pp_family family = (pp_family)(uintptr_t)data;
  const uint32_t digest_bits = family == PP_SHA1_TEXT ? 160 : 256;
  if (!read_variant(env, argv[0], family, &variant) ||
      !read_bytes(env, argv[1], 0, "prefix must be a Uint8Array", &prefix, &prefix_len) ||
      !read_bytes(env, argv[2], 0, "suffix must be a Uint8Array", &suffix, &suffix_len) ||
      !read_small_uint(env, argv[3], 1, 19, "width must be 1..19", &width) ||
      !read_small_uint(env, argv[4], 0, digest_bits, "zeroBits out of range", &zero_bits) ||
      !read_u64(env, argv[5], "start must be a uint64 bigint", &start) ||
      !read_count(env, argv[6], &count))
    return NULL;
  uint64_t space = 1;
  for (uint32_t i = 0; i < width; i++) space *= 10;
  if (!check_range(env, start, count, space)) return NULL;
  pp_result result;
  variant->fn.text(prefix, prefix_len, suffix, suffix_len, width, zero_bits, start, count, &result);
  return scan_result(env, &result);
}

static napi_value scan_header(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  const pp_variant *variant;
  const uint8_t *header, *target;
  size_t length;
  uint64_t start, count;
  if (!read_args(env, info, 5, argv, NULL) ||
      !read_variant(env, argv[0], PP_SHA256D_HEADER, &variant) ||
      !read_bytes(env, argv[1], 80, "header must be an 80-byte Uint8Array", &header, &length) ||
      !read_bytes(env, argv[2], 32, "target must be a 32-byte Uint8Array", &target, &length) ||
      !read_u64(env, argv[3], "start must be a uint64 bigint", &start) ||
      !read_count(env, argv[4], &count) || !check_range(env, start, count, 1ULL << 32))
    return NULL;
  pp_result result;
  variant->fn.header(header, target, start, count, &result);
  return scan_result(env, &result);
}

static napi_value scan_bitmessage(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  const pp_variant *variant;
  const uint8_t *initial_hash;
  size_t length;
  uint64_t target, start, count;
  if (!read_args(env, info, 5, argv, NULL) ||
      !read_variant(env, argv[0], PP_SHA512D_BITMESSAGE, &variant) ||
      !read_bytes(env, argv[1], 64, "initialHash must be a 64-byte Uint8Array", &initial_hash,
                  &length) ||
      !read_u64(env, argv[2], "target must be a uint64 bigint", &target) ||
      !read_u64(env, argv[3], "start must be a uint64 bigint", &start) ||
      !read_count(env, argv[4], &count) || !check_range(env, start, count, 0))
    return NULL;
  pp_result result;
  variant->fn.bitmessage(initial_hash, target, start, count, &result);
  return scan_result(env, &result);
}

static napi_value scan_nano(napi_env env, napi_callback_info info) {
  napi_value argv[MAX_ARGS];
  const pp_variant *variant;
  const uint8_t *root;
  size_t length;
  uint64_t threshold, start, count;
  if (!read_args(env, info, 5, argv, NULL) ||
      !read_variant(env, argv[0], PP_BLAKE2B_NANO, &variant) ||
      !read_bytes(env, argv[1], 32, "root must be a 32-byte Uint8Array", &root, &length) ||
      !read_u64(env, argv[2], "threshold must be a uint64 bigint", &threshold) ||
      !read_u64(env, argv[3], "start must be a uint64 bigint", &start) ||
      !read_count(env, argv[4], &count) || !check_range(env, start, count, 0))
    return NULL;
  pp_result result;
  variant->fn.nano(root, threshold, start, count, &result);
  return scan_result(env, &result);
}

static napi_value kernels(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  NAPI_CALL(env, napi_create_object(env, &result));
  for (int f = 0; f < PP_FAMILY_COUNT; f++) {
    const unsigned n = pp_variant_count((pp_family)f);
    napi_value names, name;
    NAPI_CALL(env, napi_create_array_with_length(env, n, &names));
    for (unsigned i = 0; i < n; i++) {
      NAPI_CALL(env, napi_create_string_utf8(env, pp_variant_at((pp_family)f, i)->name,
                                             NAPI_AUTO_LENGTH, &name));
      NAPI_CALL(env, napi_set_element(env, names, i, name));
    }
    NAPI_CALL(env, napi_set_named_property(env, result, pp_family_name((pp_family)f), names));
  }
  return result;
}

NAPI_MODULE_INIT() {
  const napi_property_descriptor properties[] = {
      {"kernels", NULL, kernels, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sha256Text", NULL, scan_text, NULL, NULL, NULL, napi_enumerable,
       (void *)(uintptr_t)PP_SHA256_TEXT},
      {"sha1Text", NULL, scan_text, NULL, NULL, NULL, napi_enumerable,
       (void *)(uintptr_t)PP_SHA1_TEXT},
      {"sha256dHeader", NULL, scan_header, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sha512dBitmessage", NULL, scan_bitmessage, NULL, NULL, NULL, napi_enumerable, NULL},
      {"blake2bNano", NULL, scan_nano, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  NAPI_CALL(env, napi_define_properties(env, exports, sizeof properties / sizeof properties[0],
                                        properties));
  NAPI_CALL(env, pp_opencl_define(env, exports));
  return exports;
}
