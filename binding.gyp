{
  "targets": [
    {
      "target_name": "powerplant",
      "sources": [
        "native/src/addon.c",
        "native/src/dispatch.c",
        # One file per SIMD kernel family; each function carries its own target attribute.
        "<!@(ls native/src/simd/*.c)",
        # The portable kernels, shared with the WebAssembly build.
        "<!@(ls native/src/scalar/*.c)",
        # The OpenCL host: opens libOpenCL.so.1 with dlopen at run time, so no link-time dependency.
        "<!@(ls native/src/opencl/*.c)"
      ],
      # Node-API version 8 (Node 12.22+): the ABI-stable subset the addon uses.
      "defines": ["NAPI_VERSION=8"],
      "cflags_c": [
        "-std=c11",
        # Release speed; the kernels rely on full unrolling of their round loops.
        "-O3",
        "-Wall",
        "-Wextra"
        # Deliberately no -march=native and no global -mavx2/-msha: SIMD code is enabled per
        # function and chosen by CPUID at load, so one build runs on any x86-64 (and elsewhere
        # the x86 files compile to nothing and the scalar kernels run).
      ],
      "xcode_settings": {
        "OTHER_CFLAGS": ["-std=c11", "-O3", "-Wall", "-Wextra"]
      }
    }
  ]
}
