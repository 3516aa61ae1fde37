#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.cpp as a libFuzzer target (clang++ -fsanitize=fuzzer,address,
# undefined; Debian's libFuzzer is in libclang-rt-14-dev) and runs each for a bounded time,
# starting from its committed seed corpus tests/fuzz/corpus/<target>/ (fuzz_blob_loader.cpp
# reads tests/fuzz/corpus/fuzz_blob_loader/). A new target needs only its .cpp and its corpus
# directory: this script finds targets by the glob.
#
#   tests/fuzz/run-fuzzers.sh [seconds in all]    (default $MICROPROP_FUZZ_SECONDS or 50)
#
# The time is split evenly between the targets, at least 10 s each. New inputs found during
# a run go to build/fuzz/<target>/corpus, never into the committed seeds; a crash leaves its
# input in build/fuzz/<target>/ (crash-*, leak-*, timeout-*). Prints the runs of each target;
# exits non-zero when a target fails to build, crashes, leaks, hangs or trips a sanitizer.
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"

total_seconds="${1:-${MICROPROP_FUZZ_SECONDS:-50}}"
cxx="${MICROPROP_FUZZ_CXX:-clang++}"
flags=(-std=c++17 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -fno-omit-frame-pointer -Wall -Wextra -Wpedantic -Werror -I"$root/include" -I"$root")

shopt -s nullglob
sources=(tests/fuzz/fuzz_*.cpp)
if [ ${#sources[@]} -eq 0 ]; then
    echo "fuzz: no tests/fuzz/fuzz_*.cpp"
    exit 1
fi
if ! command -v "$cxx" > /dev/null; then
    echo "fuzz: $cxx not found (tests/install-deps.sh installs clang and libclang-rt-14-dev)"
    exit 1
fi
seconds=$(( total_seconds / ${#sources[@]} ))
[ "$seconds" -ge 10 ] || seconds=10

status=0
summary=()
for source in "${sources[@]}"; do
    name="$(basename "$source" .cpp)"
    work="build/fuzz/$name"
    seeds="tests/fuzz/corpus/$name"
    mkdir -p "$work/corpus"
    if ! "$cxx" "${flags[@]}" "$source" -o "$work/$name" 2> "$work/build.log"; then
        cat "$work/build.log"
        echo "fuzz: $name: BUILD FAILED"
        summary+=("$name: build failed")
        status=1
        continue
    fi
    if [ ! -d "$seeds" ]; then
        echo "fuzz: $name: no seed corpus $seeds (starting from nothing)"
        seeds=""
    fi
    echo "=== fuzz: $name for ${seconds} s from ${seeds:-an empty corpus}"
    start=$(date +%s)
    # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: a leak or a runaway.
    "$work/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$work/" "$work/corpus" ${seeds:+"$seeds"} > "$work/run.log" 2>&1
    code=$?
    elapsed=$(( $(date +%s) - start ))
    runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$work/run.log" | tail -n 1)
    runs="${runs:-?}"
    if [ "$code" -ne 0 ]; then
        tail -n 60 "$work/run.log"
        echo "fuzz: $name: FAILED (exit $code) after $runs runs in ${elapsed} s; input and log in $work/"
        summary+=("$name: FAILED after $runs runs")
        status=1
    else
        echo "fuzz: $name: $runs runs in ${elapsed} s, no failure"
        summary+=("$name: $runs runs in ${elapsed} s, ok")
    fi
done
echo "=== fuzz summary"
printf '  %s\n' "${summary[@]}"
exit "$status"
