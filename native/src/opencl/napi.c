/*
 * The addon's OpenCL calls, flat and over buffers (src/engine/gpu.ts packs and checks the tasks):
 *
 *   openclDevices() → { devices: [{ name, platform, type, computeUnits, clockMhz }], error }
 *     error: why OpenCL is unusable (no library, no device), or null
 *   openclPrepare(device, kernelDir) → undefined; throws with the compiler's log when the kernels
 *     do not build. Builds once per device.
 *   openclScan(device, kernel, task, start, count, out) → found (boolean)
 *     kernel: a SearchTask['kernel'] name; task: its packed Uint8Array —
 *       text: width (u8), zeroBits (u16 LE), prefix length (u32 LE), prefix, suffix
 *       sha256d-header: header (80) || target (32, LE); sha512d-bitmessage: initialHash (64) ||
 *       target (u64 LE); blake2b-nano: root (32) || threshold (u64 LE)
 *     start: bigint; count: safe integer; out: BigUint64Array(2) ← [nonce, attempts]
 *
 * Scans block the calling thread (the engine's workers call them) for about count / rate.
 */
#include "napi.h"

#include <string.h>

#include "../scalar/common.h"
#include "host.h"

#define TEXT_HEADER_BYTES 7

static napi_value fail(napi_env env, int range, const char *message) {
  if (range)
    napi_throw_range_error(env, NULL, message);
  else
    napi_throw_type_error(env, NULL, message);
  return NULL;
}

static napi_value devices(napi_env env, napi_callback_info info) {
  (void)info;
  const char *error = NULL;
  const int count = pp_gpu_open(NULL, &error);
  napi_value result, list, value;
  if (napi_create_object(env, &result) != napi_ok ||
      napi_create_array_with_length(env, count > 0 ? (size_t)count : 0, &list) != napi_ok)
    return NULL;
  for (int d = 0; d < count; d++) {
    const pp_gpu_info *device = pp_gpu_info_of((unsigned)d);
    napi_value entry, name, platform, type, units, clock;
    if (napi_create_object(env, &entry) != napi_ok ||
        napi_create_string_utf8(env, device->name, NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_create_string_utf8(env, device->platform, NAPI_AUTO_LENGTH, &platform) != napi_ok ||
        napi_create_string_utf8(env, device->type, NAPI_AUTO_LENGTH, &type) != napi_ok ||
        napi_create_uint32(env, device->compute_units, &units) != napi_ok ||
        napi_create_uint32(env, device->clock_mhz, &clock) != napi_ok ||
        napi_set_named_property(env, entry, "name", name) != napi_ok ||
        napi_set_named_property(env, entry, "platform", platform) != napi_ok ||
        napi_set_named_property(env, entry, "type", type) != napi_ok ||
        napi_set_named_property(env, entry, "computeUnits", units) != napi_ok ||
        napi_set_named_property(env, entry, "clockMhz", clock) != napi_ok ||
        napi_set_element(env, list, (uint32_t)d, entry) != napi_ok)
      return NULL;
  }
  const napi_status made = error != NULL
                              ? napi_create_string_utf8(env, error, NAPI_AUTO_LENGTH, &value)
                              : napi_get_null(env, &value);
  if (made != napi_ok) return NULL;
  if (napi_set_named_property(env, result, "devices", list) != napi_ok ||
      napi_set_named_property(env, result, "error", value) != napi_ok)
    return NULL;
  return result;
}

static napi_value prepare(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  uint32_t device;
  char dir[4096];
  size_t length;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 2 ||
      napi_get_value_uint32(env, argv[0], &device) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], dir, sizeof dir, &length) != napi_ok)
    return fail(env, 0, "openclPrepare(device, kernelDir)");
  const char *error = pp_gpu_prepare(device, dir);
  if (error != NULL) napi_throw_error(env, NULL, error);
  return NULL;
}

/* The families by the names TypeScript gives them, in host.h's order. */
static const char *const KERNEL_NAMES[PP_GPU_FAMILIES] = {
    "sha256-text", "sha1-text", "sha256d-header", "sha512d-bitmessage", "blake2b-nano"};
/* The packed task's exact length, 0 for the text tasks (a header then any lengths). */
static const size_t TASK_BYTES[PP_GPU_FAMILIES] = {0, 0, 80 + 32, 64 + 8, 32 + 8};

/* Runs the packed task; NULL on success, else a message for a RangeError. */
static const char *run_task(uint32_t device, int family, const uint8_t *task, size_t length,
                            uint64_t start, uint64_t count, pp_result *out, const char **error) {
  *error = NULL;
  if (family == PP_GPU_SHA256_TEXT || family == PP_GPU_SHA1_TEXT) {
    if (length < TEXT_HEADER_BYTES) return "text task too short";
    const unsigned width = task[0], zero_bits = task[1] | task[2] << 8;
    const size_t prefix_len = pp_load_le32(task + 3);
    if (width < 1 || width > 19) return "width must be 1..19";
    if (zero_bits > (family == PP_GPU_SHA1_TEXT ? 160u : 256u)) return "zeroBits out of range";
    if (prefix_len > length - TEXT_HEADER_BYTES) return "prefix length past the task";
    uint64_t space = 1;
    for (unsigned i = 0; i < width; i++) space *= 10;
    if (start > space || count > space - start) return "start + count exceeds the nonce space";
    const uint8_t *prefix = task + TEXT_HEADER_BYTES;
    *error = pp_gpu_text(device, family == PP_GPU_SHA1_TEXT, prefix, prefix_len,
                         prefix + prefix_len, length - TEXT_HEADER_BYTES - prefix_len, width,
                         zero_bits, start, count, out);
    return NULL;
  }
  if (length != TASK_BYTES[family]) return "task has the wrong length for its kernel";
  const int fits = family == PP_GPU_HEADER ? start <= (1ull << 32) && count <= (1ull << 32) - start
                                           : count == 0 || count - 1 <= UINT64_MAX - start;
  if (!fits) return "start + count exceeds the nonce space";
  if (family == PP_GPU_HEADER)
    *error = pp_gpu_header(device, task, task + 80, start, count, out);
  else if (family == PP_GPU_BITMESSAGE)
    *error = pp_gpu_bitmessage(device, task, pp_load_le64(task + 64), start, count, out);
  else
    *error = pp_gpu_nano(device, task, pp_load_le64(task + 32), start, count, out);
  return NULL;
}

static napi_value scan(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  uint32_t device;
  char kernel[32];
  size_t kernel_len, task_len, out_len;
  napi_typedarray_type task_type, out_type;
  void *task, *out;
  uint64_t start;
  bool lossless = false;
  double count;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc != 6 ||
      napi_get_value_uint32(env, argv[0], &device) != napi_ok ||
      napi_get_value_string_utf8(env, argv[1], kernel, sizeof kernel, &kernel_len) != napi_ok ||
      napi_get_typedarray_info(env, argv[2], &task_type, &task_len, &task, NULL, NULL) != napi_ok ||
      task_type != napi_uint8_array ||
      napi_get_value_bigint_uint64(env, argv[3], &start, &lossless) != napi_ok ||
      napi_get_value_double(env, argv[4], &count) != napi_ok ||
      napi_get_typedarray_info(env, argv[5], &out_type, &out_len, &out, NULL, NULL) != napi_ok ||
      out_type != napi_biguint64_array || out_len != 2)
    return fail(env, 0,
                "openclScan(device, kernel, task: Uint8Array, start: bigint, count: number, "
                "out: BigUint64Array(2))");
  int family = 0;
  while (family < PP_GPU_FAMILIES && strcmp(kernel, KERNEL_NAMES[family]) != 0) family++;
  if (family == PP_GPU_FAMILIES) return fail(env, 1, "unknown kernel");
  if (!lossless) return fail(env, 1, "start must be a uint64");
  if (!(count >= 0 && count <= 9007199254740991.0) || count != (double)(uint64_t)count)
    return fail(env, 1, "count must be a non-negative safe integer");
  pp_result result;
  const char *error;
  const char *invalid = run_task(device, family, task_len != 0 ? task : (void *)"", task_len,
                                 start, (uint64_t)count, &result, &error);
  if (invalid != NULL) return fail(env, 1, invalid);
  if (error != NULL) {
    napi_throw_error(env, NULL, error);
    return NULL;
  }
  uint64_t *words = out;
  words[0] = result.found ? result.nonce : 0;
  words[1] = result.attempts;
  napi_value found;
  return napi_get_boolean(env, result.found != 0, &found) == napi_ok ? found : NULL;
}

napi_status pp_opencl_define(napi_env env, napi_value exports) {
  const napi_property_descriptor properties[] = {
      {"openclDevices", NULL, devices, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openclPrepare", NULL, prepare, NULL, NULL, NULL, napi_enumerable, NULL},
      {"openclScan", NULL, scan, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  return napi_define_properties(env, exports, sizeof properties / sizeof properties[0],
                                properties);
}
