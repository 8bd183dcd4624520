/*
 * OpenCL host code. The few OpenCL types, constants and entry points used are declared here
 * (values from the Khronos headers) and resolved from the library with dlsym, so building needs
 * no OpenCL headers and running needs no OpenCL at all.
 */
#define _POSIX_C_SOURCE 200809L
#include "host.h"

#include <dlfcn.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../scalar/blake2b.h"
#include "../scalar/common.h"
#include "../scalar/sha1.h"
#include "../scalar/sha256.h"
#include "../scalar/sha512.h"

typedef int32_t cl_int;
typedef uint32_t cl_uint;
typedef uint64_t cl_ulong;
typedef cl_ulong cl_bitfield;
typedef struct cl_opaque *cl_platform_id, *cl_device_id, *cl_context, *cl_command_queue,
    *cl_program, *cl_kernel, *cl_mem, *cl_event;

#define CL_SUCCESS 0
#define CL_TRUE 1
#define CL_PLATFORM_NAME 0x0902
#define CL_DEVICE_TYPE_CPU (1 << 1)
#define CL_DEVICE_TYPE_GPU (1 << 2)
#define CL_DEVICE_TYPE_ACCELERATOR (1 << 3)
#define CL_DEVICE_TYPE_ALL 0xFFFFFFFF
#define CL_DEVICE_TYPE 0x1000
#define CL_DEVICE_MAX_COMPUTE_UNITS 0x1002
#define CL_DEVICE_MAX_CLOCK_FREQUENCY 0x100C
#define CL_DEVICE_NAME 0x102B
#define CL_MEM_READ_WRITE (1 << 0)
#define CL_MEM_READ_ONLY (1 << 2)
#define CL_PROGRAM_BUILD_LOG 0x1183
#define CL_KERNEL_WORK_GROUP_SIZE 0x11B0

/* The entry points, each as a name and a function pointer filled by dlsym. */
#define PP_CL_FUNCTIONS(X)                                                                         \
  X(clGetPlatformIDs, cl_int, (cl_uint, cl_platform_id *, cl_uint *))                              \
  X(clGetPlatformInfo, cl_int, (cl_platform_id, cl_uint, size_t, void *, size_t *))                \
  X(clGetDeviceIDs, cl_int, (cl_platform_id, cl_bitfield, cl_uint, cl_device_id *, cl_uint *))     \
  X(clGetDeviceInfo, cl_int, (cl_device_id, cl_uint, size_t, void *, size_t *))                    \
  X(clCreateContext, cl_context,                                                                   \
    (const intptr_t *, cl_uint, const cl_device_id *, void *, void *, cl_int *))                   \
  X(clCreateCommandQueue, cl_command_queue, (cl_context, cl_device_id, cl_bitfield, cl_int *))     \
  X(clCreateProgramWithSource, cl_program,                                                         \
    (cl_context, cl_uint, const char **, const size_t *, cl_int *))                                \
  X(clBuildProgram, cl_int,                                                                        \
    (cl_program, cl_uint, const cl_device_id *, const char *, void *, void *))                     \
  X(clGetProgramBuildInfo, cl_int, (cl_program, cl_device_id, cl_uint, size_t, void *, size_t *))  \
  X(clCreateKernel, cl_kernel, (cl_program, const char *, cl_int *))                               \
  X(clGetKernelWorkGroupInfo, cl_int,                                                              \
    (cl_kernel, cl_device_id, cl_uint, size_t, void *, size_t *))                                  \
  X(clCreateBuffer, cl_mem, (cl_context, cl_bitfield, size_t, void *, cl_int *))                   \
  X(clReleaseMemObject, cl_int, (cl_mem))                                                          \
  X(clSetKernelArg, cl_int, (cl_kernel, cl_uint, size_t, const void *))                            \
  X(clEnqueueWriteBuffer, cl_int,                                                                  \
    (cl_command_queue, cl_mem, cl_uint, size_t, size_t, const void *, cl_uint, const cl_event *,   \
     cl_event *))                                                                                  \
  X(clEnqueueReadBuffer, cl_int,                                                                   \
    (cl_command_queue, cl_mem, cl_uint, size_t, size_t, void *, cl_uint, const cl_event *,         \
     cl_event *))                                                                                  \
  X(clEnqueueNDRangeKernel, cl_int,                                                                \
    (cl_command_queue, cl_kernel, cl_uint, const size_t *, const size_t *, const size_t *,         \
     cl_uint, const cl_event *, cl_event *))

#define PP_CL_DECLARE(name, result, params) static result(*name) params;
PP_CL_FUNCTIONS(PP_CL_DECLARE)

/* The .cl files, concatenated in this order after the constant tables into one program. */
static const char *const KERNEL_FILES[] = {
    "common.cl",         "sha2.cl",   "sha256.cl",          "sha1.cl",        "text.cl",
    "sha256d_header.cl", "sha512.cl", "sha512d_bitmessage.cl", "blake2b_nano.cl"};
static const char *const KERNEL_NAMES[PP_GPU_FAMILIES] = {
    "pp_sha256_text", "pp_sha1_text", "pp_sha256d_header", "pp_sha512d_bitmessage",
    "pp_blake2b_nano"};

/* Launches are whole work-groups of this many work-items, or of the most the kernel allows on the
 * device when that is less. A fixed group size also spares runtimes that compile a kernel per group
 * size (POCL) a compilation per launch. */
#define LAUNCH_GRANULE 256u
#define FIRST_LAUNCH_SIZE (1u << 14)
#define MAX_LAUNCH_SIZE (1u << 30)
#define PARAMS_BYTES 256

typedef struct {
  pp_gpu_info info;
  cl_device_id id;
  cl_platform_id platform;
  pthread_mutex_t lock; /* one scan at a time: the buffers below are the device's only ones */
  int prepared; /* 0: not tried, 1: built, -1: failed (prepare_error says why; not retried) */
  cl_context context;
  cl_command_queue queue;
  cl_kernel kernels[PP_GPU_FAMILIES];
  size_t group_size[PP_GPU_FAMILIES];
  cl_mem params, hit, tail;
  size_t tail_capacity;
  uint32_t launch_size[PP_GPU_FAMILIES];
  char prepare_error[8192]; /* why the kernels did not build, with the compiler's log */
} gpu_device;

static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
static int opened;         /* pp_gpu_open has run */
static int device_count;   /* its outcome */
static const char *open_error;
static char open_error_text[256];
static gpu_device devices[PP_GPU_MAX_DEVICES];

static const char *device_type_name(cl_bitfield type) {
  if (type & CL_DEVICE_TYPE_GPU) return "gpu";
  if (type & CL_DEVICE_TYPE_ACCELERATOR) return "accelerator";
  if (type & CL_DEVICE_TYPE_CPU) return "cpu";
  return "other";
}

static int load_library(const char *library) {
  if (library == NULL) library = getenv("POWERPLANT_OPENCL_LIBRARY");
  if (library == NULL || library[0] == '\0') library = "libOpenCL.so.1";
  void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (handle == NULL) {
    snprintf(open_error_text, sizeof open_error_text, "OpenCL unavailable: %s", dlerror());
    return 0;
  }
#define PP_CL_RESOLVE(name, result, params)                                                        \
  if ((*(void **)&name = dlsym(handle, #name)) == NULL) {                                          \
    snprintf(open_error_text, sizeof open_error_text, "OpenCL unavailable: %s lacks %s", library,  \
             #name);                                                                               \
    return 0;                                                                                      \
  }
  PP_CL_FUNCTIONS(PP_CL_RESOLVE)
  return 1;
}

static void list_devices(void) {
  cl_platform_id platforms[8];
  cl_uint platform_count = 0;
  if (clGetPlatformIDs(8, platforms, &platform_count) != CL_SUCCESS) platform_count = 0;
  for (cl_uint p = 0; p < platform_count && p < 8; p++) {
    cl_device_id ids[PP_GPU_MAX_DEVICES];
    cl_uint found = 0;
    if (clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, PP_GPU_MAX_DEVICES, ids, &found) !=
        CL_SUCCESS)
      continue;
    for (cl_uint d = 0; d < found && d < PP_GPU_MAX_DEVICES && device_count < PP_GPU_MAX_DEVICES;
         d++) {
      gpu_device *device = &devices[device_count++];
      device->id = ids[d];
      device->platform = platforms[p];
      pthread_mutex_init(&device->lock, NULL);
      cl_bitfield type = 0;
      cl_uint units = 0, clock = 0;
      clGetDeviceInfo(ids[d], CL_DEVICE_TYPE, sizeof type, &type, NULL);
      clGetDeviceInfo(ids[d], CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units, NULL);
      clGetDeviceInfo(ids[d], CL_DEVICE_MAX_CLOCK_FREQUENCY, sizeof clock, &clock, NULL);
      clGetDeviceInfo(ids[d], CL_DEVICE_NAME, sizeof device->info.name - 1, device->info.name,
                      NULL);
      clGetPlatformInfo(platforms[p], CL_PLATFORM_NAME, sizeof device->info.platform - 1,
                        device->info.platform, NULL);
      device->info.type = device_type_name(type);
      device->info.compute_units = units;
      device->info.clock_mhz = clock;
      for (int f = 0; f < PP_GPU_FAMILIES; f++) device->launch_size[f] = FIRST_LAUNCH_SIZE;
    }
  }
}

int pp_gpu_open(const char *library, const char **error) {
  pthread_mutex_lock(&open_lock);
  if (!opened) {
    opened = 1;
    if (load_library(library)) {
      list_devices();
      if (device_count == 0)
        snprintf(open_error_text, sizeof open_error_text, "OpenCL has no platform or device");
    }
    open_error = device_count > 0 ? NULL : open_error_text;
  }
  pthread_mutex_unlock(&open_lock);
  if (error != NULL) *error = open_error;
  return open_error == NULL ? device_count : -1;
}

const pp_gpu_info *pp_gpu_info_of(unsigned device) {
  return opened && device < (unsigned)device_count ? &devices[device].info : NULL;
}

uint32_t pp_gpu_launch_size(unsigned device, int family) {
  return device < (unsigned)device_count ? devices[device].launch_size[family] : 0;
}

/* A growing program source; `failed` once an allocation or a file did not work out. */
typedef struct {
  char *text;
  size_t length, capacity;
  int failed;
} source_text;

static char *reserve(source_text *source, size_t more) {
  if (source->failed) return NULL;
  if (source->length + more + 1 > source->capacity) {
    const size_t capacity = 2 * (source->length + more + 1);
    char *grown = realloc(source->text, capacity);
    if (grown == NULL) {
      source->failed = 1;
      return NULL;
    }
    source->text = grown;
    source->capacity = capacity;
  }
  return source->text + source->length;
}

static void append(source_text *source, const char *text) {
  const size_t length = strlen(text);
  char *at = reserve(source, length);
  if (at == NULL) return;
  memcpy(at, text, length + 1);
  source->length += length;
}

/* `__constant TYPE NAME[count] = {...};` from a C table of `width`-byte unsigned integers. */
static void append_table(source_text *source, const char *type, const char *name,
                         const void *values, size_t count, size_t width) {
  char item[40];
  append(source, "__constant ");
  append(source, type);
  append(source, " ");
  append(source, name);
  snprintf(item, sizeof item, "[%zu] = {", count);
  append(source, item);
  for (size_t i = 0; i < count; i++) {
    const uint8_t *at = (const uint8_t *)values + i * width;
    const uint64_t value = width == 1   ? *at
                           : width == 4 ? *(const uint32_t *)at
                                        : *(const uint64_t *)at;
    snprintf(item, sizeof item, "%s0x%" PRIx64 "%s", i ? ", " : "", value, width == 8 ? "ul" : "u");
    append(source, item);
  }
  append(source, "};\n");
}

static void append_file(source_text *source, const char *dir, const char *file) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  FILE *stream = fopen(path, "rb");
  long size = -1;
  if (stream != NULL && fseek(stream, 0, SEEK_END) == 0) size = ftell(stream);
  char *at = size >= 0 ? reserve(source, (size_t)size + 1) : NULL;
  if (at == NULL || fseek(stream, 0, SEEK_SET) != 0 ||
      fread(at, 1, (size_t)size, stream) != (size_t)size) {
    source->failed = 1;
  } else {
    source->length += (size_t)size;
    append(source, "\n");
  }
  if (stream != NULL) fclose(stream);
}

/* The program: the constant tables, then the kernel files of `dir`; NULL when one is unreadable. */
static char *kernel_source(const char *dir) {
  source_text source = {0};
  append_table(&source, "uint", "PP_SHA256_K", PP_SHA256_K, 64, 4);
  append_table(&source, "uint", "PP_SHA256_IV", PP_SHA256_IV, 8, 4);
  append_table(&source, "uint", "PP_SHA1_K", PP_SHA1_K, 4, 4);
  append_table(&source, "ulong", "PP_SHA512_K", PP_SHA512_K, 80, 8);
  append_table(&source, "ulong", "PP_SHA512_IV", PP_SHA512_IV, 8, 8);
  append_table(&source, "uchar", "PP_BLAKE2B_SIGMA", PP_BLAKE2B_SIGMA, 12 * 16, 1);
  char h0[64];
  snprintf(h0, sizeof h0, "#define PP_BLAKE2B_NANO_H0 0x%" PRIx64 "ul\n",
           PP_BLAKE2B_IV[0] ^ PP_BLAKE2B_NANO_PARAM);
  append(&source, h0);
  for (size_t i = 0; i < sizeof KERNEL_FILES / sizeof KERNEL_FILES[0]; i++)
    append_file(&source, dir, KERNEL_FILES[i]);
  if (!source.failed) return source.text;
  free(source.text);
  return NULL;
}

/* Context, queue, program, kernels and buffers of one device; 0 with its prepare_error filled. */
static int build_device(gpu_device *device, const char *kernel_dir) {
  char *source = kernel_source(kernel_dir);
  if (source == NULL) {
    snprintf(device->prepare_error, sizeof device->prepare_error,
             "cannot read the OpenCL kernels in %s", kernel_dir);
    return 0;
  }
  cl_int status = CL_SUCCESS;
  const intptr_t properties[] = {0x1084 /* CL_CONTEXT_PLATFORM */, (intptr_t)device->platform, 0};
  device->context = clCreateContext(properties, 1, &device->id, NULL, NULL, &status);
  if (status == CL_SUCCESS)
    device->queue = clCreateCommandQueue(device->context, device->id, 0, &status);
  cl_program program = NULL;
  if (status == CL_SUCCESS) {
    const char *sources[] = {source};
    program = clCreateProgramWithSource(device->context, 1, sources, NULL, &status);
  }
  free(source);
  if (status != CL_SUCCESS) {
    snprintf(device->prepare_error, sizeof device->prepare_error,
             "OpenCL setup failed (error %d)", status);
    return 0;
  }
  status = clBuildProgram(program, 1, &device->id, "", NULL, NULL);
  if (status != CL_SUCCESS) {
    int written = snprintf(device->prepare_error, sizeof device->prepare_error,
                           "OpenCL kernels did not build (error %d):\n", status);
    clGetProgramBuildInfo(program, device->id, CL_PROGRAM_BUILD_LOG,
                          sizeof device->prepare_error - (size_t)written - 1,
                          device->prepare_error + written, NULL);
    return 0;
  }
  for (int f = 0; f < PP_GPU_FAMILIES && status == CL_SUCCESS; f++) {
    device->kernels[f] = clCreateKernel(program, KERNEL_NAMES[f], &status);
    size_t most = 0;
    if (status == CL_SUCCESS)
      status = clGetKernelWorkGroupInfo(device->kernels[f], device->id, CL_KERNEL_WORK_GROUP_SIZE,
                                        sizeof most, &most, NULL);
    device->group_size[f] = most == 0 || most > LAUNCH_GRANULE ? LAUNCH_GRANULE : most;
  }
  if (status == CL_SUCCESS)
    device->params = clCreateBuffer(device->context, CL_MEM_READ_ONLY, PARAMS_BYTES, NULL, &status);
  if (status == CL_SUCCESS)
    device->hit =
        clCreateBuffer(device->context, CL_MEM_READ_WRITE, sizeof(cl_uint), NULL, &status);
  if (status != CL_SUCCESS) {
    snprintf(device->prepare_error, sizeof device->prepare_error,
             "OpenCL kernels unusable (error %d)", status);
    return 0;
  }
  return 1;
}

const char *pp_gpu_prepare(unsigned index, const char *kernel_dir) {
  if (pp_gpu_info_of(index) == NULL) return "no such OpenCL device";
  gpu_device *device = &devices[index];
  pthread_mutex_lock(&device->lock);
  if (device->prepared == 0) device->prepared = build_device(device, kernel_dir) ? 1 : -1;
  const char *error = device->prepared == 1 ? NULL : device->prepare_error;
  pthread_mutex_unlock(&device->lock);
  return error;
}

static double seconds_now(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
}

/* Sets the arguments that change per launch and returns how many nonces from `launch_start` this
 * launch may cover (at most `most`). */
typedef uint32_t (*launch_setup)(gpu_device *device, void *context, uint64_t launch_start,
                                 uint32_t most);

/* Runs [start, start + count) as launches. Every kernel takes (hit, count, ...). */
static const char *run_launches(gpu_device *device, int family, launch_setup setup,
                                void *context, uint64_t start, uint64_t count, pp_result *out) {
  cl_kernel kernel = device->kernels[family];
  if (clSetKernelArg(kernel, 0, sizeof(cl_mem), &device->hit) != CL_SUCCESS)
    return "OpenCL: cannot set the kernel's arguments";
  for (uint64_t done = 0; done < count;) {
    const uint64_t left = count - done;
    const uint32_t most = left < device->launch_size[family] ? (uint32_t)left
                                                             : device->launch_size[family];
    const uint32_t launch = setup(device, context, start + done, most);
    const cl_uint none = 0xffffffffu;
    cl_uint hit = none;
    const size_t group = device->group_size[family];
    const size_t global = (launch + group - 1) / group * group;
    const double began = seconds_now();
    if (launch == 0 ||
        clSetKernelArg(kernel, 1, sizeof(cl_uint), &launch) != CL_SUCCESS ||
        clEnqueueWriteBuffer(device->queue, device->hit, CL_TRUE, 0, sizeof hit, &none, 0, NULL,
                             NULL) != CL_SUCCESS ||
        clEnqueueNDRangeKernel(device->queue, kernel, 1, NULL, &global, &group, 0, NULL, NULL) !=
            CL_SUCCESS ||
        clEnqueueReadBuffer(device->queue, device->hit, CL_TRUE, 0, sizeof hit, &hit, 0, NULL,
                            NULL) != CL_SUCCESS)
      return "OpenCL: a launch failed";
    const double elapsed = seconds_now() - began;
    if (launch == device->launch_size[family] && elapsed > 0) {
      /* Aim the next launches at PP_GPU_LAUNCH_SECONDS, growing at most 4x a step. */
      double next = launch * (PP_GPU_LAUNCH_SECONDS / elapsed);
      if (next > 4.0 * launch) next = 4.0 * launch;
      if (next > MAX_LAUNCH_SIZE) next = MAX_LAUNCH_SIZE;
      if (next < LAUNCH_GRANULE) next = LAUNCH_GRANULE;
      device->launch_size[family] = (uint32_t)next / LAUNCH_GRANULE * LAUNCH_GRANULE;
    }
    if (hit != none) {
      pp_result_found(out, start + done + hit, done + hit + 1);
      return NULL;
    }
    done += launch;
  }
  pp_result_none(out, count);
  return NULL;
}

static const char *write_params(gpu_device *device, const void *bytes, size_t length) {
  return clEnqueueWriteBuffer(device->queue, device->params, CL_TRUE, 0, length, bytes, 0, NULL,
                              NULL) == CL_SUCCESS
             ? NULL
             : "OpenCL: cannot write the task";
}

/* Takes the device for one scan; NULL with *error set when it is not usable. */
static gpu_device *claim(unsigned index, const char **error) {
  if (pp_gpu_info_of(index) == NULL) {
    *error = "no such OpenCL device";
    return NULL;
  }
  gpu_device *device = &devices[index];
  pthread_mutex_lock(&device->lock);
  if (device->prepared != 1) {
    pthread_mutex_unlock(&device->lock);
    *error = "OpenCL device not prepared";
    return NULL;
  }
  return device;
}

/* ---- text ---- */

/* The padded message of a text scan, laid out once; each launch rewrites the digits that stay
 * fixed over it, folds the blocks before the varying ones into a midstate and sends the rest. */
typedef struct {
  int sha1;
  uint8_t *message; /* prefix || digits || suffix || padding */
  size_t padded_len;
  size_t digits_at; /* where the digits start in message */
  unsigned width;
  unsigned varying; /* low digits that vary within a launch: min(width, 9) */
  uint32_t *words;  /* scratch: the tail as big-endian words */
} text_scan;

static uint32_t text_setup(gpu_device *device, void *context, uint64_t launch_start,
                           uint32_t most) {
  text_scan *scan = context;
  uint32_t span = 1; /* 10^varying */
  for (unsigned i = 0; i < scan->varying; i++) span *= 10;
  const uint32_t first = (uint32_t)(launch_start % span);
  /* Fixed digits: launch_start's high digits; the varying ones stay zero bytes for the kernel. */
  uint64_t high = launch_start / span;
  for (unsigned i = scan->width; i-- > 0;) {
    const int varies = i >= scan->width - scan->varying;
    scan->message[scan->digits_at + i] = varies ? 0 : (uint8_t)('0' + high % 10);
    if (!varies) high /= 10;
  }
  const size_t varying_at = scan->digits_at + scan->width - scan->varying;
  const size_t midstate_blocks = varying_at / 64;
  uint32_t state[8];
  memcpy(state, scan->sha1 ? PP_SHA1_IV : PP_SHA256_IV, (scan->sha1 ? 5 : 8) * sizeof state[0]);
  for (size_t b = 0; b < midstate_blocks; b++)
    (scan->sha1 ? pp_sha1_compress : pp_sha256_compress)(state, scan->message + 64 * b);
  const size_t tail_bytes = scan->padded_len - 64 * midstate_blocks;
  for (size_t i = 0; i < tail_bytes / 4; i++)
    scan->words[i] = pp_load_be32(scan->message + 64 * midstate_blocks + 4 * i);

  if (tail_bytes > device->tail_capacity) {
    if (device->tail != NULL) clReleaseMemObject(device->tail);
    cl_int status;
    device->tail = clCreateBuffer(device->context, CL_MEM_READ_ONLY, tail_bytes, NULL, &status);
    device->tail_capacity = status == CL_SUCCESS ? tail_bytes : 0;
    if (status != CL_SUCCESS) device->tail = NULL;
  }
  const cl_uint tail_blocks = (cl_uint)(tail_bytes / 64);
  const cl_uint digits_at = (cl_uint)(varying_at - 64 * midstate_blocks);
  const cl_uint digits = scan->varying;
  cl_kernel kernel = device->kernels[scan->sha1 ? PP_GPU_SHA1_TEXT : PP_GPU_SHA256_TEXT];
  if (device->tail == NULL || write_params(device, state, sizeof state) != NULL ||
      clEnqueueWriteBuffer(device->queue, device->tail, CL_TRUE, 0, tail_bytes, scan->words, 0,
                           NULL, NULL) != CL_SUCCESS ||
      clSetKernelArg(kernel, 2, sizeof(cl_mem), &device->params) != CL_SUCCESS ||
      clSetKernelArg(kernel, 3, sizeof(cl_mem), &device->tail) != CL_SUCCESS ||
      clSetKernelArg(kernel, 4, sizeof tail_blocks, &tail_blocks) != CL_SUCCESS ||
      clSetKernelArg(kernel, 5, sizeof digits_at, &digits_at) != CL_SUCCESS ||
      clSetKernelArg(kernel, 6, sizeof digits, &digits) != CL_SUCCESS ||
      clSetKernelArg(kernel, 7, sizeof first, &first) != CL_SUCCESS)
    return 0;
  /* Never past the next multiple of 10^varying: the fixed digits would change. */
  return span - first < most ? span - first : most;
}

const char *pp_gpu_text(unsigned index, int sha1, const uint8_t *prefix, size_t prefix_len,
                        const uint8_t *suffix, size_t suffix_len, unsigned width,
                        unsigned zero_bits, uint64_t start, uint64_t count, pp_result *out) {
  const char *error = NULL;
  gpu_device *device = claim(index, &error);
  if (device == NULL) return error;
  const size_t message_len = prefix_len + width + suffix_len;
  text_scan scan = {.sha1 = sha1, .width = width, .varying = width < 9 ? width : 9,
                    .digits_at = prefix_len, .padded_len = (message_len + 8) / 64 * 64 + 64};
  scan.message = calloc(scan.padded_len, 1);
  scan.words = malloc(scan.padded_len);
  if (scan.message == NULL || scan.words == NULL) {
    error = "out of memory for an OpenCL text scan";
  } else {
    memcpy(scan.message, prefix, prefix_len);
    memcpy(scan.message + prefix_len + width, suffix, suffix_len);
    scan.message[message_len] = 0x80;
    const uint64_t bits = (uint64_t)message_len * 8;
    for (int i = 0; i < 8; i++) scan.message[scan.padded_len - 1 - i] = (uint8_t)(bits >> (8 * i));
    const cl_uint zero = zero_bits;
    cl_kernel kernel = device->kernels[sha1 ? PP_GPU_SHA1_TEXT : PP_GPU_SHA256_TEXT];
    if (clSetKernelArg(kernel, 8, sizeof zero, &zero) != CL_SUCCESS)
      error = "OpenCL: cannot set the kernel's arguments";
    else
      error = run_launches(device, sha1 ? PP_GPU_SHA1_TEXT : PP_GPU_SHA256_TEXT, text_setup, &scan,
                           start, count, out);
  }
  free(scan.message);
  free(scan.words);
  pthread_mutex_unlock(&device->lock);
  return error;
}

/* ---- fixed-size tasks: the nonce is the last kernel argument ---- */

typedef struct {
  int family;
  cl_uint start_arg;
  int start_is_32_bits; /* the header's nonce space is 2^32 */
} counter_scan;

static uint32_t counter_setup(gpu_device *device, void *context, uint64_t launch_start,
                              uint32_t most) {
  const counter_scan *scan = context;
  const cl_uint start32 = (cl_uint)launch_start;
  const cl_int status =
      scan->start_is_32_bits
          ? clSetKernelArg(device->kernels[scan->family], scan->start_arg, sizeof start32, &start32)
          : clSetKernelArg(device->kernels[scan->family], scan->start_arg, sizeof launch_start,
                           &launch_start);
  return status == CL_SUCCESS ? most : 0;
}

/* Sends the task's constant words and runs the scan; `value` (when value_size != 0) is the
 * kernel's third argument (a target or threshold) after the params buffer. */
static const char *counter_run(unsigned index, int family, const void *params, size_t params_len,
                               const void *value, size_t value_size, uint64_t start,
                               uint64_t count, pp_result *out) {
  const char *error = NULL;
  gpu_device *device = claim(index, &error);
  if (device == NULL) return error;
  const counter_scan scan = {family, value_size != 0 ? 4 : 3, family == PP_GPU_HEADER};
  cl_kernel kernel = device->kernels[family];
  error = write_params(device, params, params_len);
  if (error == NULL &&
      (clSetKernelArg(kernel, 2, sizeof(cl_mem), &device->params) != CL_SUCCESS ||
       (value_size != 0 && clSetKernelArg(kernel, 3, value_size, value) != CL_SUCCESS)))
    error = "OpenCL: cannot set the kernel's arguments";
  if (error == NULL)
    error = run_launches(device, family, counter_setup, (void *)&scan, start, count, out);
  pthread_mutex_unlock(&device->lock);
  return error;
}

const char *pp_gpu_header(unsigned index, const uint8_t header[80], const uint8_t target_le[32],
                          uint64_t start, uint64_t count, pp_result *out) {
  /* midstate of bytes 0..63 (8), bytes 64..75 as big-endian words (3), target words (8). */
  uint32_t params[19];
  memcpy(params, PP_SHA256_IV, sizeof PP_SHA256_IV);
  pp_sha256_compress(params, header);
  for (int i = 0; i < 3; i++) params[8 + i] = pp_load_be32(header + 64 + 4 * i);
  for (int i = 0; i < 8; i++) params[11 + i] = pp_load_le32(target_le + 4 * i);
  return counter_run(index, PP_GPU_HEADER, params, sizeof params, NULL, 0, start, count, out);
}

const char *pp_gpu_bitmessage(unsigned index, const uint8_t initial_hash[64], uint64_t target,
                              uint64_t start, uint64_t count, pp_result *out) {
  uint64_t words[8];
  for (int i = 0; i < 8; i++) words[i] = pp_load_be64(initial_hash + 8 * i);
  return counter_run(index, PP_GPU_BITMESSAGE, words, sizeof words, &target, sizeof target, start,
                     count, out);
}

const char *pp_gpu_nano(unsigned index, const uint8_t root[32], uint64_t threshold,
                        uint64_t start, uint64_t count, pp_result *out) {
  /* The working vector with round 0's nonce-free columns folded (16), the root words (4). */
  uint64_t params[20];
  pp_blake2b_nano_fold(root, params);
  for (int i = 0; i < 4; i++) params[16 + i] = pp_load_le64(root + 8 * i);
  return counter_run(index, PP_GPU_NANO, params, sizeof params, &threshold, sizeof threshold,
                     start, count, out);
}
