#!/usr/bin/env bash
# Instruction mix of one W2 per-sample SGD step on the host, from callgrind (deterministic):
# instructions, vector fused multiply-adds and vector stores per step, and the time the
# multiply-adds alone need at a given number of FMA units. Shows how close a step is to the
# core's multiply-add throughput (README, "Speed on the host").
#
#   tests/bench/host_instruction_mix.sh [CXXFLAGS...]     (default -march=x86-64-v3)
#
# Needs valgrind, objdump and python3. Valgrind cannot run AVX-512 code.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(-march=x86-64-v3)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
g++ -std=c++17 -O2 -no-pie "${flags[@]}" -I"$root/include" -I"$here" "$here/w2_step_loop.cpp" -o "$work/loop"
valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file="$work/short" "$work/loop" >/dev/null 2>&1
valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file="$work/long" "$work/loop" x >/dev/null 2>&1
objdump -d --no-show-raw-insn "$work/loop" >"$work/disassembly"
mhz=$(sed -n 's/^cpu MHz[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo | head -1)
python3 - "$work" "${flags[*]}" "${mhz:-0}" <<'PY'
import collections, re, sys
work, flags, mhz = sys.argv[1], sys.argv[2], float(sys.argv[3])

def self_cost(path):
    """Instructions executed at each address of the program itself (callgrind self cost)."""
    cost = collections.Counter()
    names, in_program, address, after_call = {}, False, 0, False
    for line in open(path):
        if line.startswith("ob="):
            m = re.match(r"ob=\((\d+)\)\s*(.*)", line.strip())
            if m.group(2):
                names[m.group(1)] = m.group(2)
            in_program = names.get(m.group(1), "").endswith("/loop")
            continue
        if line.startswith("calls="):
            after_call = True  # the next cost line is the call's inclusive cost
            continue
        m = re.match(r"^(0x[0-9a-f]+|[+-]\d+|\*)\s+\S+\s+(\d+)", line)
        if not m:
            continue
        p = m.group(1)
        address = int(p, 16) if p.startswith("0x") else address + int(p) if p != "*" else address
        if after_call:
            after_call = False
            continue
        if in_program:
            cost[address] += int(m.group(2))
    return cost

mnemonic = {}
for line in open(work + "/disassembly"):
    m = re.match(r"\s+([0-9a-f]+):\s+(\S+)\s*(.*)", line)
    if m:
        mnemonic[int(m.group(1), 16)] = (m.group(2), m.group(3))
short, long_ = self_cost(work + "/short"), self_cost(work + "/long")
steps = 10000
count = collections.Counter()
for address, (op, args) in mnemonic.items():
    n = (long_[address] - short[address]) / steps
    if n == 0:
        continue
    count["instructions"] += n
    if re.match(r"vf(n?)m(add|sub)", op):
        count["fma"] += n
    if op.startswith("v") and re.search(r"%[xyz]mm\d+,\s*-?(0x[0-9a-f]+)?\(", args):
        count["vector_store"] += n
fma_ns = count["fma"] / 2 / (mhz / 1000) if mhz else float("nan")
print("W2 per-sample SGD step, g++ -O2 %s, callgrind (program code only, libm excluded):" % flags)
print("| instructions | vector FMAs | vector stores | FMA time at 2 per cycle, %.0f MHz |" % mhz)
print("|---|---|---|---|")
print("| %.0f | %.0f | %.0f | %.0f ns |" % (count["instructions"], count["fma"], count["vector_store"], fma_ns))
PY
