#!/usr/bin/env bash
# Builds and runs the OpenCL check (bench/opencl-check.c): gcc and an OpenCL runtime, no Node.
#   bench/opencl-check.sh [--device N] [--seconds S] [--lanes N] [--rounds N] [--library PATH]
# A container that has the vendor's OpenCL driver but no ICD file (NVIDIA's often lack
# /etc/OpenCL/vendors/nvidia.icd): OPENCL_VENDOR_LIBRARY=libnvidia-opencl.so.1 bench/opencl-check.sh
# writes one into a private folder and points the ICD loader (libOpenCL.so.1) at it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
gcc -std=c11 -O2 -Wall -Wextra -pthread -o "$build/opencl-check" "$root/bench/opencl-check.c" \
  "$root/native/src/opencl/host.c" "$root"/native/src/scalar/*.c -ldl
if [ -n "${OPENCL_VENDOR_LIBRARY:-}" ]; then
  mkdir "$build/vendors"
  printf '%s\n' "$OPENCL_VENDOR_LIBRARY" >"$build/vendors/vendor.icd"
  export OCL_ICD_VENDORS="$build/vendors"
fi
"$build/opencl-check" --kernels "$root/native/opencl" "$@"
