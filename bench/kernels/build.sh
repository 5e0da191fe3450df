#!/bin/sh
# Builds the benchmark kernels twice with clang-14 -O2: to wasm32 (kernels.wasm, run by Twill)
# (with bulk memory, so that clang turns memset into memory.fill rather than a libc call)
# and natively (libkernels.so, the baseline the benchmark calls through Panama).
# Usage: bench/kernels/build.sh OUTDIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/../target/kernels}
mkdir -p "$out/bin"
command -v clang-14 >/dev/null || { echo "build.sh: clang-14 is missing (apt-get install clang-14 lld-14)" >&2; exit 1; }
command -v wasm-ld-14 >/dev/null || { echo "build.sh: wasm-ld-14 is missing (apt-get install lld-14)" >&2; exit 1; }
# clang looks for a linker called wasm-ld; Debian names it wasm-ld-14.
ln -sf "$(command -v wasm-ld-14)" "$out/bin/wasm-ld"
PATH="$out/bin:$PATH" clang-14 --target=wasm32 -O2 -mbulk-memory -nostdlib -Wl,--no-entry -Wl,-z,stack-size=65536 \
    -o "$out/kernels.wasm" "$here/kernels.c"
clang-14 -O2 -shared -fPIC -o "$out/libkernels.so" "$here/kernels.c"
