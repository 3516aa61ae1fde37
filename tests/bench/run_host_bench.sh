#!/usr/bin/env bash
# Builds and runs the host benchmark (microprop, FANN 2.2, Eigen 3, plain loops; Google
# Benchmark, median of 5 repetitions) once per set of build flags, and writes the tables into
# tests/bench/README.md between <!-- bench:host:begin --> and <!-- bench:host:end --> (and prints them):
#   - the x86-64 baseline flags, twice: as they come (Eigen's SSE2 packets; microprop's run-time
#     dispatch picks its AVX2 + FMA kernels where the CPU has them), and with
#     MICROPROP_RUNTIME_DISPATCH=0 (microprop's 4-lane SSE2 kernels);
#   - -march=x86-64-v3 (AVX2 + FMA: 8-lane kernels) when this CPU has it;
#   - -march=x86-64-v4 (AVX-512) when this CPU has it, twice: with the default 8-lane kernels
#     and with MICROPROP_SIMD_WIDE_512=1 (16 lanes).
# microprop, Eigen and the plain loops are compiled with the same flags in each run.
#
#   tests/bench/run_host_bench.sh [--build-dir DIR]     (default build/bench; one subfolder per flags)
#
# Needs libbenchmark-dev, libfann-dev and libeigen3-dev; the build skips host_bench with a
# message when one is missing. Times are wall-clock on a shared machine: run it on a quiet one.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir="$root/build/bench"
[ "${1:-}" = "--build-dir" ] && dir="$2"
flags_line=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
has() { for f in "$@"; do case " $flags_line " in *" $f "*) ;; *) return 1 ;; esac; done; }

runs=()
bench() {  # bench <subfolder> <label> <CXX flags>
    cmake --preset host -S "$root" -B "$dir/$1" -DMICROPROP_BUILD_EXAMPLES=OFF -DMICROPROP_BUILD_BENCHMARKS=ON \
        "-DCMAKE_CXX_FLAGS=$3" >/dev/null
    cmake --build "$dir/$1" -j2 --target host_bench
    "$dir/$1/tests/bench/host_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
        --benchmark_min_time=0.2 --benchmark_out="$dir/$1/host_bench.json" --benchmark_out_format=json
    runs+=("$2=$dir/$1/host_bench.json")
}
bench host "x86-64 baseline (no -march; microprop dispatches to AVX2 + FMA at run time)" ""
bench host-sse2 "x86-64 baseline with MICROPROP_RUNTIME_DISPATCH=0 (SSE2 kernels only)" "-DMICROPROP_RUNTIME_DISPATCH=0"
if has avx2 fma bmi2 movbe; then bench host-avx2 "-march=x86-64-v3 (AVX2, FMA)" "-march=x86-64-v3"; fi
if has avx512f avx512bw avx512cd avx512dq avx512vl; then
    bench host-avx512 "-march=x86-64-v4 (AVX-512; 8-lane kernels, the default)" "-march=x86-64-v4"
    bench host-avx512-wide "-march=x86-64-v4 with MICROPROP_SIMD_WIDE_512=1 (16-lane kernels)" \
        "-march=x86-64-v4 -DMICROPROP_SIMD_WIDE_512=1"
fi
python3 "$here/bench_table.py" host "${runs[@]}" --readme "$root/tests/bench/README.md"
