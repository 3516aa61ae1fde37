#!/bin/sh
# Builds and runs the host benchmark (microprop, FANN 2.2, Eigen 3, plain loops; Google
# Benchmark, median of 5 repetitions) and writes the table into README.md between
# <!-- bench:host:begin --> and <!-- bench:host:end --> (and prints it).
#
#   tests/bench/run_host_bench.sh [--build-dir DIR]     (default build/bench/host)
#
# Needs libbenchmark-dev, libfann-dev and libeigen3-dev; the build skips host_bench with a
# message when one is missing. Times are wall-clock on a shared machine: run it on a quiet one.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
dir="$root/build/bench/host"
[ "${1:-}" = "--build-dir" ] && dir="$2"
cmake --preset host -S "$root" -B "$dir" -DMICROPROP_BUILD_EXAMPLES=OFF -DMICROPROP_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$dir" -j2 --target host_bench
"$dir/tests/bench/host_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_min_time=0.2 --benchmark_out="$dir/host_bench.json" --benchmark_out_format=json
python3 "$here/bench_table.py" host "$dir/host_bench.json" --readme "$root/README.md"
