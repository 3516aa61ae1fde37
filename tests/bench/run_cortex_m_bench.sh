#!/bin/sh
# Builds the instruction-count benchmarks for every qemu-* core, runs them under
# QEMU -icount and writes the table into tests/bench/README.md between
# <!-- bench:cortex-m:begin --> and <!-- bench:cortex-m:end --> (and prints it).
#
#   tests/bench/run_cortex_m_bench.sh [--update-baseline] [--fixed-only] [--build-root DIR] [preset...]
#
# Default presets: qemu-m0 qemu-m3 qemu-m4f qemu-m7 qemu-m33 qemu-m55 (Helium), plus qemu-m4f with the
# reference kernels (MICROPROP_FORCE_REFERENCE_KERNELS=ON) for comparison. Build trees
# go to DIR/<preset> (default build/bench). --update-baseline rewrites
# tests/bench/baseline_m4f.txt from the qemu-m4f run.
#
# The q3_12 fixed-point programs (bench_fixed_w1/2/3, fixed_point_bench.cpp) run with the float
# ones and give the table's "q3_12" rows. --fixed-only builds and runs only them (default
# presets qemu-m0 qemu-m3 qemu-m4f qemu-m7 qemu-m33) and replaces only the q3_12 rows of the
# table, leaving the float rows as they are.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_root="$root/build/bench"
update_baseline=0
fixed_only=0
presets=""
while [ $# -gt 0 ]; do
    case "$1" in
        --update-baseline) update_baseline=1; shift ;;
        --fixed-only) fixed_only=1; shift ;;
        --build-root) build_root="$2"; shift 2 ;;
        *) presets="$presets $1"; shift ;;
    esac
done
fixed_targets="bench_fixed_w1 bench_fixed_w2 bench_fixed_w3"
if [ "$fixed_only" = 1 ]; then
    [ -n "$presets" ] || presets="qemu-m0 qemu-m3 qemu-m4f qemu-m7 qemu-m33"
    targets="$fixed_targets"
    suffix=".fixed"
else
    [ -n "$presets" ] || presets="qemu-m0 qemu-m3 qemu-m4f qemu-m7 qemu-m33 qemu-m55 qemu-m4f-reference"
    targets="bench_w1 bench_w2 bench_w3 bench_w4 bench_w5 bench_w2_noskip"
    suffix=""
fi
out="$build_root/results"
mkdir -p "$out"

for p in $presets; do
    preset=${p%-reference}
    extra=""
    [ "$p" = "$preset" ] || extra="-DMICROPROP_FORCE_REFERENCE_KERNELS=ON"
    dir="$build_root/$p"
    echo "== $p: configure and build in $dir" >&2
    cmake --preset "$preset" -S "$root" -B "$dir" -DMICROPROP_BUILD_EXAMPLES=OFF -DMICROPROP_BUILD_BENCHMARKS=ON \
        $extra >"$out/$p.configure.log" 2>&1 || { cat "$out/$p.configure.log" >&2; exit 1; }
    # The reference-kernel build has no fixed-point counterpart (the q3_12 kernels are integer code).
    these_targets=$targets
    [ "$fixed_only" = 1 ] || [ "$p" != "$preset" ] || these_targets="$targets $fixed_targets"
    cmake --build "$dir" -j2 --target $these_targets >"$out/$p$suffix.build.log" 2>&1 || { tail -30 "$out/$p$suffix.build.log" >&2; exit 1; }
    emulator=$(sed -n 's/^MICROPROP_BENCH_EMULATOR:INTERNAL=//p' "$dir/CMakeCache.txt" | tr ';' ' ')
    : > "$out/$p$suffix.txt"
    for t in $these_targets; do
        image="$dir/tests/bench/$t.elf"
        echo "== $p: $t" >&2
        $emulator "$image" >>"$out/$p$suffix.txt" 2>&1 || { cat "$out/$p$suffix.txt" >&2; echo "$t failed on $p" >&2; exit 1; }
    done
done

if [ "$fixed_only" = 1 ]; then
    python3 "$here/bench_table.py" cortex-m-fixed "$out" $presets --readme "$root/tests/bench/README.md"
    exit 0
fi
python3 "$here/bench_table.py" cortex-m "$out" $presets --readme "$root/tests/bench/README.md"
if [ "$update_baseline" = 1 ]; then
    python3 "$here/bench_table.py" baseline "$out/qemu-m4f.txt" "$here/baseline_m4f.txt"
fi
