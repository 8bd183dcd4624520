/* The OpenCL part of the addon's N-API surface (napi.c). */
#ifndef PP_OPENCL_NAPI_H
#define PP_OPENCL_NAPI_H

#include <node_api.h>

/* Adds openclDevices, openclPrepare and openclScan to the addon's exports. */
napi_status pp_opencl_define(napi_env env, napi_value exports);

#endif
