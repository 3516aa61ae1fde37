#!/usr/bin/env bash
# Cross builds for CI: configures, builds and tests every qemu-* preset (each
# test image runs under qemu-system-arm through ctest) and builds the
# real-board presets, then prints one summary line per preset.
#
#   bash tests/ci-targets.sh                    # all of them
#   bash tests/ci-targets.sh qemu-m4f qemu-m0   # some of them
#
# Build trees: build/<preset> (as in CMakePresets.json), or
# $MICROPROP_BUILD_ROOT/<preset> when that is set. Jobs: $MICROPROP_JOBS (2).
# Exit status: 0 when every step of every preset passed.
set -uo pipefail
cd "$(dirname "$0")/.."

qemu_presets=(qemu-m0 qemu-m3 qemu-m4f qemu-m4f-reference qemu-m4f-256k qemu-m7 qemu-m33 qemu-m55 qemu-netduinoplus2 qemu-stm32vldiscovery)
board_presets=(nucleo-f446re nrf52840dk)
jobs="${MICROPROP_JOBS:-2}"
root="${MICROPROP_BUILD_ROOT:-build}"

if [ $# -gt 0 ]; then presets=("$@"); else presets=("${qemu_presets[@]}" "${board_presets[@]}"); fi

for tool in arm-none-eabi-gcc qemu-system-arm cmake ctest; do
    if ! command -v "$tool" >/dev/null; then
        echo "ci-targets: $tool not found (apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi" \
             "libstdc++-arm-none-eabi-newlib qemu-system-arm)" >&2
        exit 2
    fi
done

summary=()
failed=0
all_start=$SECONDS
for preset in "${presets[@]}"; do
    dir="$root/$preset"
    mkdir -p "$dir"
    log="$dir/ci-targets.log"
    : >"$log"
    echo "=== $preset ($dir)"
    status="ok"
    tests="-"
    start=$SECONDS
    # Real boards cannot run the test images here: CI builds their examples only (the preset
    # itself still builds the tests, to flash them by hand), which proves each port links.
    # qemu-m4f-256k is qemu-m4f with a 256 KB RAM region: what it alone shows is that W3 trains
    # in place there (bench_w3_in_256k); the rest would repeat qemu-m4f.
    extra=()
    targets=()
    ctest_filter=()
    [[ "$preset" == qemu-* ]] || extra=(-DMICROPROP_BUILD_TESTS=OFF -DMICROPROP_BUILD_BENCHMARKS=OFF)
    if [ "$preset" = qemu-m4f-256k ]; then
        targets=(--target bench_w3)
        ctest_filter=(-R bench_w3_in_256k)
    fi
    if ! cmake --preset "$preset" -B "$dir" "${extra[@]}" >>"$log" 2>&1; then
        status="CONFIGURE FAILED"
    elif ! cmake --build "$dir" -j "$jobs" "${targets[@]}" >>"$log" 2>&1; then
        status="BUILD FAILED"
    fi
    build_s=$((SECONDS - start))
    test_s=0
    if [ "$status" = ok ] && [[ "$preset" == qemu-* ]]; then
        start=$SECONDS
        if ! ctest --test-dir "$dir" -j "$jobs" --output-on-failure "${ctest_filter[@]}" >>"$log" 2>&1; then
            status="TESTS FAILED"
        fi
        test_s=$((SECONDS - start))
        tests=$(grep -Eo '[0-9]+ tests failed out of [0-9]+' "$log" | tail -1 |
                awk '{print ($6 - $1) "/" $6 " passed"}')
        [ -n "$tests" ] || tests="?"
        # The power-cut test's count of cut points (tests/device/check_power_cut.cmake).
        cut_summary="$dir/tests/device/power_cut_device.summary"
        if [ -f "$cut_summary" ]; then tests="$tests; $(cat "$cut_summary")"; fi
    elif [ "$status" = ok ]; then
        images=$(find "$dir" -name '*.elf' | wc -l)
        hexes=$(find "$dir" -name '*.hex' | wc -l)
        tests="build only: $images .elf, $hexes .hex"
    fi
    if [ "$status" != ok ]; then
        failed=1
        echo "--- $preset: $status; last lines of $log:"
        grep -E 'error|Error|overflowed|FAILED|Failed|\*\*\*' "$log" | tail -25
    fi
    summary+=("$(printf '%-22s %-17s build %4ss  test %4ss  %s' "$preset" "$status" "$build_s" "$test_s" "$tests")")
done

echo
echo "=== Cortex-M summary ($((SECONDS - all_start)) s, $jobs jobs)"
printf '%s\n' "${summary[@]}"
exit $failed
