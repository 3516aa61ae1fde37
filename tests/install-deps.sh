#!/usr/bin/env bash
# Installs what building and testing microprop needs on Debian 12 (idempotent).
# The library itself needs nothing but a C++17 compiler; these are for the tests,
# the Cortex-M builds under QEMU and the benchmarks.
set -euo pipefail
packages=(
    cmake make g++ python3 python3-numpy
    python3-torch  # examples/tools/torch_export.py, torch_import.py and their ctests
    clang libclang-rt-14-dev
    gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib binutils-arm-none-eabi
    qemu-system-arm
    libbenchmark-dev libfann-dev libeigen3-dev valgrind
    clang libclang-rt-14-dev  # tests/fuzz/run-fuzzers.sh: clang++ and its libFuzzer runtime
    doxygen librsvg2-bin
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all packages present"
    exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
