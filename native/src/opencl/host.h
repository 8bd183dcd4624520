/*
 * The OpenCL path: the kernels of native/opencl run on whatever OpenCL devices the machine
 * has, with the search contract of the CPU kernels (kernels.h). libOpenCL is opened with dlopen
 * when first asked for, so nothing links against it: a machine without OpenCL only learns why
 * pp_gpu_open failed. Used by the N-API addon (napi.c) and by the Node-less harness
 * (bench/opencl-check.c).
 */
#ifndef PP_OPENCL_HOST_H
#define PP_OPENCL_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "../kernels.h"

#define PP_GPU_MAX_DEVICES 16

typedef struct {
  char name[128];
  char platform[128];
  const char *type; /* "gpu", "cpu", "accelerator" or "other" */
  unsigned compute_units;
  unsigned clock_mhz;
} pp_gpu_info;

/* Opens `library` (NULL: $POWERPLANT_OPENCL_LIBRARY, else libOpenCL.so.1) and lists every device
 * of every platform. Only the first call does the work; later ones return its outcome. Returns the
 * number of devices, or -1 with *error saying why (no library, no platform). */
int pp_gpu_open(const char *library, const char **error);

/* A device listed by pp_gpu_open, or NULL past the end. */
const pp_gpu_info *pp_gpu_info_of(unsigned device);

/* Builds the kernels of `kernel_dir` (the native/opencl folder) for the device; only the first
 * call per device builds, later ones return its outcome. Returns NULL, or why not (with the
 * compiler's log). */
const char *pp_gpu_prepare(unsigned device, const char *kernel_dir);

/* The scans: kernels.h's contract (lowest passing nonce of [start, start + count), attempts up to
 * and including it), run as launches of about PP_GPU_LAUNCH_SECONDS each. Return NULL, or why the
 * scan failed (then *out is not set). Calls for one device are serialised; devices run in
 * parallel. */
const char *pp_gpu_text(unsigned device, int sha1, const uint8_t *prefix, size_t prefix_len,
                        const uint8_t *suffix, size_t suffix_len, unsigned width,
                        unsigned zero_bits, uint64_t start, uint64_t count, pp_result *out);
const char *pp_gpu_header(unsigned device, const uint8_t header[80], const uint8_t target_le[32],
                          uint64_t start, uint64_t count, pp_result *out);
const char *pp_gpu_bitmessage(unsigned device, const uint8_t initial_hash[64], uint64_t target,
                              uint64_t start, uint64_t count, pp_result *out);
const char *pp_gpu_nano(unsigned device, const uint8_t root[32], uint64_t threshold,
                        uint64_t start, uint64_t count, pp_result *out);

/* The launch size a family has settled on for the device (work-items per launch), for reports. */
uint32_t pp_gpu_launch_size(unsigned device, int family);

/* How long one launch aims to last, in seconds: short enough that a search stops soon after it is
 * cancelled, long enough that launch overhead stays small. */
#define PP_GPU_LAUNCH_SECONDS 0.02

/* Families as the launch tuning and pp_gpu_launch_size count them. */
enum { PP_GPU_SHA256_TEXT, PP_GPU_SHA1_TEXT, PP_GPU_HEADER, PP_GPU_BITMESSAGE, PP_GPU_NANO,
       PP_GPU_FAMILIES };

#endif
