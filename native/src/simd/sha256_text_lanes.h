/* The SHA-256 text search for any vector width: text_scan_lanes.h with SHA-256 as its hash. The
 * including kernel includes its decimal lanes first (text_lanes_avx2.h or text_lanes_avx512.h). */
#ifndef PP_SIMD_SHA256_TEXT_LANES_H
#define PP_SIMD_SHA256_TEXT_LANES_H

#include "sha256_lanes.h"

#define PP_TEXT_WORDS 8
#define PP_TEXT_IV PP_SHA256_IV
#define text_compress_scalar pp_sha256_compress

#define PP_TEXT_ROUND_CONSTANTS 64
#define text_lanes_constants sha256_lanes_constants
#define text_lanes_compress sha256_lanes_compress
#define PP_TEXT_ROUNDS 64
#define text_schedule_scalar pp_sha256_schedule
#define text_lanes_compress_scheduled sha256_lanes_compress_scheduled
#define text_lanes_compress_scheduled_pair sha256_lanes_compress_scheduled_pair

#include "text_scan_lanes.h"

#endif
