#!/bin/sh
# Builds tests/bench/sparse_bench.cpp (W2 pruned 0-90%: sparse<> against the frozen float and
# int8 stacks) for qemu-m4f and qemu-m0, runs it under QEMU -icount and writes the table into
# tests/bench/README.md between <!-- bench:sparse:begin --> and <!-- bench:sparse:end -->
# (and prints it). About a minute on a loaded machine.
#
#   tests/bench/run_sparse_bench.sh [--build-root DIR] [preset...]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_root="$root/build/bench"
presets=""
while [ $# -gt 0 ]; do
    case "$1" in
        --build-root) build_root="$2"; shift 2 ;;
        *) presets="$presets $1"; shift ;;
    esac
done
[ -n "$presets" ] || presets="qemu-m4f qemu-m0"
out="$build_root/results"
mkdir -p "$out"
for p in $presets; do
    dir="$build_root/$p"
    echo "== $p: configure and build sparse_bench in $dir" >&2
    cmake --preset "$p" -S "$root" -B "$dir" -DMICROPROP_BUILD_EXAMPLES=OFF -DMICROPROP_BUILD_BENCHMARKS=ON \
        >"$out/$p.sparse.configure.log" 2>&1 || { cat "$out/$p.sparse.configure.log" >&2; exit 1; }
    cmake --build "$dir" -j2 --target sparse_bench >"$out/$p.sparse.build.log" 2>&1 ||
        { tail -30 "$out/$p.sparse.build.log" >&2; exit 1; }
    emulator=$(sed -n 's/^MICROPROP_BENCH_EMULATOR:INTERNAL=//p' "$dir/CMakeCache.txt" | tr ';' ' ')
    $emulator "$dir/tests/bench/sparse_bench.elf" >"$out/$p.sparse.txt" 2>&1 ||
        { cat "$out/$p.sparse.txt" >&2; echo "sparse_bench failed on $p" >&2; exit 1; }
done
/usr/bin/python3 "$here/bench_table.py" sparse "$out" $presets --readme "$root/tests/bench/README.md"
