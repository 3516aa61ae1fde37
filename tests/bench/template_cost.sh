#!/bin/sh
# Footprint and cost of templates on qemu-m4f (mps2-an386): flash of images training 1, 2 and 4
# different topologies (library share = image minus the same program training nothing), of W2
# frozen in flash (inference only, float and int8, and fine-tuning its head), static
# RAM and measured stack high-water mark of W2 training, and the host compile time of a
# 12-layer network. Writes the table into tests/bench/README.md between <!-- bench:templates:begin -->
# and <!-- bench:templates:end --> (and prints it).
#
#   tests/bench/template_cost.sh [--build-root DIR]      (default build/bench)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build_root="$root/build/bench"
[ "${1:-}" = "--build-root" ] && build_root="$2"
dir="$build_root/footprint-m4f"
out="$build_root/results"
mkdir -p "$out"
cmake --preset qemu-m4f -S "$root" -B "$dir" -DMICROPROP_BUILD_EXAMPLES=OFF -DMICROPROP_BUILD_BENCHMARKS=ON \
    -DMICROPROP_PORT_REPORT_STACK=ON >"$out/footprint.configure.log" 2>&1
targets=""
for n in 0 1 2 4; do targets="$targets footprint_$n footprint_size_$n"; done
for k in 1 2 3; do targets="$targets footprint_frozen_$k footprint_size_frozen_$k"; done
cmake --build "$dir" -j2 --target $targets >"$out/footprint.build.log" 2>&1 || { tail -30 "$out/footprint.build.log" >&2; exit 1; }
emulator=$(sed -n 's/^MICROPROP_BENCH_EMULATOR:INTERNAL=//p' "$dir/CMakeCache.txt" | tr ';' ' ')
size=$(sed -n 's/^CMAKE_SIZE:FILEPATH=//p' "$dir/CMakeCache.txt")
[ -n "$size" ] || size=arm-none-eabi-size
: > "$out/footprint.txt"
for t in $targets; do
    image="$dir/tests/bench/$t.elf"
    # text from size -B; data and bss from the .data and .bss sections alone (size -B would count
    # the .stack section, which fills the RAM the static data leaves, as bss)
    set -- $($size -B "$image" | tail -1)
    data=$($size -A "$image" | awk '$1 == ".data" { s += $2 } END { print s + 0 }')
    bss=$($size -A "$image" | awk '$1 == ".bss" { s += $2 } END { print s + 0 }')
    run=$($emulator "$image" 2>&1 | tr '\n' ' ')
    echo "$t text=$1 data=$data bss=$bss run: $run" >>"$out/footprint.txt"
done

# Host compile time of a 12-layer and a 2-layer network (same flags as the host preset).
cxx=${CXX:-c++}
t0=$(date +%s%N)
$cxx -std=c++17 -O2 -I"$root/include" -c "$here/two_layers.cpp" -o "$out/two_layers.o"
t1=$(date +%s%N)
$cxx -std=c++17 -O2 -I"$root/include" -c "$here/twelve_layers.cpp" -o "$out/twelve_layers.o"
t2=$(date +%s%N)
echo "compile two_ms=$(( (t1 - t0) / 1000000 )) twelve_ms=$(( (t2 - t1) / 1000000 )) cxx=$($cxx --version | head -1)" >>"$out/footprint.txt"

python3 "$here/bench_table.py" templates "$out/footprint.txt" --readme "$root/tests/bench/README.md"
