#!/usr/bin/env bash
# The whole test suite: host (Release with asserts), host with ASan+UBSan, host with the
# portable reference kernels only, then every Cortex-M preset under QEMU (the Cortex-M4F
# also with the reference kernels and with 256 KB of RAM) and the real-board builds.
# Ends with one line `N passed, M failed` over every ctest test of every preset; the exit
# status is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tests/install-deps.sh || exit 1

start=$(date +%s)
status=0
logs=()
for preset in host host-asan host-reference; do
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
