#!/bin/sh
# Runs one bare-metal image under qemu-system-arm; used by ctest as
# CROSSCOMPILING_EMULATOR (set per board with QEMU_MACHINE in ports/cortex-m/board.cmake,
# beside which the package installs this script).
#
#   tests/qemu/run-qemu.sh --machine mps2-an386 [--cpu cortex-m4] [--timeout 600] <image.elf>
#
# The console (first UART) goes to stdout; the image ends with semihosting
# SYS_EXIT_EXTENDED, so this script's exit status is the program's. -icount
# shift=6 makes virtual time advance 64 ns per instruction: the boards'
# counters then count instructions exactly and every run is identical.
# Exit status 124 means the timeout (seconds; default $MICROPROP_QEMU_TIMEOUT
# or 590, below ctest's 600) expired. stdin is /dev/null and there is no
# -nographic, so a killed QEMU never leaves the terminal in raw mode.
set -eu

machine=""
cpu=""
timeout="${MICROPROP_QEMU_TIMEOUT:-590}"
qemu="${QEMU_SYSTEM_ARM:-qemu-system-arm}"
while [ $# -gt 0 ]; do
    case "$1" in
        --machine) machine="$2"; shift 2 ;;
        --cpu) cpu="$2"; shift 2 ;;
        --timeout) timeout="$2"; shift 2 ;;
        --) shift; break ;;
        -*) echo "run-qemu.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
if [ -z "$machine" ] || [ $# -lt 1 ]; then
    echo "usage: run-qemu.sh --machine <qemu machine> [--cpu <cpu>] [--timeout <s>] <image.elf>" >&2
    exit 2
fi
image="$1"
if [ ! -f "$image" ]; then
    echo "run-qemu.sh: no image $image" >&2
    exit 2
fi

set -- -M "$machine" ${cpu:+-cpu "$cpu"} \
    -display none -monitor none -serial stdio \
    -semihosting-config enable=on,target=native \
    -icount shift=6 \
    -kernel "$image"

status=0
timeout --kill-after=5 "$timeout" "$qemu" "$@" </dev/null || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "run-qemu.sh: $image did not exit within ${timeout}s (QEMU killed)" >&2
fi
exit "$status"
