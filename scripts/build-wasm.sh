#!/usr/bin/env bash
# Builds the WebAssembly kernels committed under wasm/ (the ABI is described in wasm/README.md):
#   wasm/powerplant.wasm       the scalar kernels of native/src/scalar/, for any WebAssembly engine
#   wasm/powerplant-simd.wasm  the same exports plus SIMD128 kernels from wasm/src/, preferred where
#                              the engine validates SIMD128 (Node 20, current browsers)
# Needs clang with the wasm32 target and wasm-ld (Debian: clang-14, lld-14). No libc: the modules
# are freestanding and import nothing, so they instantiate the same in Node and in a Web Worker.
# Usage: scripts/build-wasm.sh [output-dir]   (default: wasm/)
set -euo pipefail
# Byte-identical output needs the sources in the same order everywhere: sort globs bytewise.
export LC_ALL=C

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/wasm}"
cc="${WASM_CC:-clang}"
mkdir -p "$out"

scalar_sources=("$root"/native/src/scalar/*.c "$root/wasm/src/runtime.c")
# Every wasm/src/*_simd128.c defines one exported kernel; the other files there are its helpers.
simd_kernels=("$root"/wasm/src/*_simd128.c)
simd_sources=()
for source in "$root"/wasm/src/*.c; do
  [[ "$source" == */runtime.c ]] || simd_sources+=("$source")
done
kernels=(pp_sha256_text pp_sha1_text pp_sha256d_header pp_sha512d_bitmessage pp_blake2b_nano)

cflags=(
  --target=wasm32 -std=c11 -O3 -nostdlib -ffreestanding
  # runtime.c defines memcpy/memset; keep the compiler from turning their loops into calls to themselves.
  -fno-builtin-memcpy -fno-builtin-memset
  -Wall -Wextra -Werror
  -I "$root/native/src"
)
ldflags=(-Wl,--no-entry -Wl,--strip-all -Wl,--export=pp_scratch)
for kernel in "${kernels[@]}"; do ldflags+=("-Wl,--export=${kernel}_scalar"); done

"$cc" "${cflags[@]}" "${ldflags[@]}" -o "$out/powerplant.wasm" "${scalar_sources[@]}"

simd_exports=()
for source in "${simd_kernels[@]}"; do
  simd_exports+=("-Wl,--export=pp_$(basename "$source" .c)")
done
"$cc" "${cflags[@]}" -msimd128 "${ldflags[@]}" "${simd_exports[@]}" -o "$out/powerplant-simd.wasm" \
  "${scalar_sources[@]}" "${simd_sources[@]}"

echo "built $out/powerplant.wasm and $out/powerplant-simd.wasm"
