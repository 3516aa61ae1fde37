#!/usr/bin/env bash
# The whole test suite: host (Release with asserts), host with ASan+UBSan, host with Clang
# (ASan+UBSan), host with the portable reference kernels only, host with AVX-512 where the CPU
# has it, the libFuzzer targets of tests/fuzz (about a minute), the API reference
# (Doxygen, warnings as errors), then every Cortex-M preset under QEMU (the Cortex-M4F
# also with the reference kernels and with 256 KB of RAM) and the real-board builds.
# Ends with one line `N passed, M failed` over every ctest test of every preset; the exit
# status is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tests/install-deps.sh || exit 1

start=$(date +%s)
status=0
logs=()
# The 16-lane vector kernels run where this CPU can execute them
# (x86-64-v4: AVX-512 F/BW/CD/DQ/VL); elsewhere they are reported as skipped.
cpu_flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
has_flags() { for f in "$@"; do [[ " $cpu_flags " == *" $f "* ]] || return 1; done; }
host_presets=(host host-asan host-clang host-reference)
# host-avx2 (-march=x86-64-v3) is not run: the plain host build already runs the same 8-lane
# AVX2 + FMA kernels through run-time dispatch on such a CPU, and CI's 45 minutes are tight.
if has_flags avx512f avx512bw avx512cd avx512dq avx512vl; then host_presets+=(host-avx512); else echo "=== host-avx512: skipped (CPU lacks AVX-512)"; fi
for preset in "${host_presets[@]}"; do
    echo "=== ${preset}: configure, build, test"
    log="build/${preset}-ctest.log"
    if ! cmake --preset "$preset" > /dev/null || ! cmake --build --preset "$preset"; then
        echo "=== ${preset}: BUILD FAILED"
        status=1
        continue
    fi
    ctest --preset "$preset" 2>&1 | tee "$log"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
    logs+=("$log")
done
echo "=== host presets done in $(( $(date +%s) - start )) s"

# libFuzzer targets (tests/fuzz/fuzz_*.cpp) for about a minute in all, from their committed seeds.
fuzz_start=$(date +%s)
echo "=== fuzz: tests/fuzz/run-fuzzers.sh"
bash tests/fuzz/run-fuzzers.sh || { echo "=== fuzz: FAILED"; status=1; }
echo "=== fuzz done in $(( $(date +%s) - fuzz_start )) s"
# API reference from include/ (tests/doxygen/Doxyfile): any Doxygen warning fails the run.
echo "=== doxygen: API reference, warnings as errors"
bash tests/doxygen/run_doxygen.sh || { echo "=== doxygen: FAILED"; status=1; }

bash tests/ci-targets.sh || status=1
for preset_dir in build/qemu-*/; do
    [ -f "${preset_dir}ci-targets.log" ] && logs+=("${preset_dir}ci-targets.log")
done
echo "=== all done in $(( $(date +%s) - start )) s"

# ctest's summary of each run: "NN% tests passed, F tests failed out of T".
read -r passed failed < <(cat "${logs[@]}" | awk '
    /tests passed, [0-9]+ tests? failed out of [0-9]+/ {
        for (i = 1; i <= NF; ++i) if ($i == "out") { total = $(i + 2); fails = $(i - 3) }
        p += total - fails; f += fails
    }
    END { print p + 0, f + 0 }')
[ "$failed" -eq 0 ] || status=1
echo "${passed} passed, ${failed} failed"
exit "$status"
