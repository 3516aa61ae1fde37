#!/usr/bin/env bash
# The whole test suite: host (Release with asserts), host with ASan+UBSan, host with the
# portable reference kernels only, then every Cortex-M preset under QEMU (the Cortex-M4F
# twice: optimised and reference kernels) and the real-board builds. Exit status is non-zero if any fails.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/install-deps.sh

start=$(date +%s)
for preset in host host-asan host-reference; do
    echo "=== ${preset}: configure, build, test"
    cmake --preset "$preset" > /dev/null
    cmake --build --preset "$preset"
    ctest --preset "$preset"
done
echo "=== host presets done in $(( $(date +%s) - start )) s"

if [ -f tests/ci-targets.sh ]; then
    bash tests/ci-targets.sh
fi
echo "=== all done in $(( $(date +%s) - start )) s"
