#!/usr/bin/env bash
# The README's first command: install the tools, then build the digits example for an
# emulated Cortex-M4F (ARM MPS2+ AN386) and watch it train there under QEMU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tests/install-deps.sh
cmake --preset qemu-m4f > /dev/null
cmake --build --preset qemu-m4f --target example_digits
echo "=== running build/qemu-m4f/examples/example_digits.elf on qemu-system-arm -M mps2-an386"
exec tests/qemu/run-qemu.sh --machine mps2-an386 --cpu cortex-m4 build/qemu-m4f/examples/example_digits.elf
