#!/usr/bin/env bash
# Where the time of one W2 per-sample SGD step goes on this host, from measurements only:
#   - instructions, vector fused multiply-adds, vector loads and vector stores of the step
#     (callgrind, deterministic: two runs of 10,000 and 20,000 steps, the difference divided
#     by 10,000, so set-up is excluded; program code only, libm not counted);
#   - the core's clock while busy, the step's time, and how many 256-bit FMAs, loads and
#     stores the core completes per cycle (w2_step_loop clock / time / rates);
#   - from those, instructions per cycle and the time each kind of operation alone needs.
# Shows how close the step is to the core's limits (README, "Speed on the host").
#
#   tests/bench/host_instruction_mix.sh [CXXFLAGS...]     (default -march=x86-64-v3)
#
# Needs valgrind, objdump and python3, on x86-64. Valgrind cannot run AVX-512 code.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(-march=x86-64-v3)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
g++ -std=c++17 -O2 -no-pie "${flags[@]}" -I"$root/include" -I"$here" "$here/w2_step_loop.cpp" -o "$work/loop"
valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file="$work/short" "$work/loop" >/dev/null 2>&1
valgrind --tool=callgrind --dump-instr=yes --callgrind-out-file="$work/long" "$work/loop" long >/dev/null 2>&1
objdump -d --no-show-raw-insn "$work/loop" >"$work/disassembly"
mhz=$("$work/loop" clock)
step_ns=$("$work/loop" time)
read -r fma_rate load_rate store_rate < <("$work/loop" rates "$mhz")
python3 - "$work" "${flags[*]}" "$mhz" "$step_ns" "$fma_rate" "$load_rate" "$store_rate" <<'PY'
import collections, re, sys
work, flags = sys.argv[1], sys.argv[2]
mhz, step_ns, fma_rate, load_rate, store_rate = map(float, sys.argv[3:8])

def self_cost(path):
    """Instructions executed at each address of the program itself (callgrind self cost)."""
    cost = collections.Counter()
    names, in_program, address, after_call = {}, False, 0, False
    for line in open(path):
        # Callgrind names an object once, at its first mention, which may be a callee's (cob=).
        m = re.match(r"(c?ob)=\((\d+)\)\s*(.*)", line.strip())
        if m:
            if m.group(3):
                names[m.group(2)] = m.group(3)
            if m.group(1) == "ob":
                in_program = names.get(m.group(2), "").endswith("/loop")
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
vector_register = r"%[xyz]mm\d+"
for address, (op, args) in mnemonic.items():
    n = (long_[address] - short[address]) / steps
    if n == 0:
        continue
    count["instructions"] += n
    if re.match(r"vf(n?)m(add|sub)", op):
        count["fma"] += n
    if op.startswith("v") and "(" in args:
        # AT&T order: the destination is last, so a memory operand last is a store.
        if re.search(vector_register + r",\s*-?(0x[0-9a-f]+)?\([^)]*\)$", args):
            count["vector_store"] += n
        else:
            count["vector_load"] += n
cycles = step_ns * mhz / 1000

def ns(operations, per_cycle):
    return operations / per_cycle / (mhz / 1000)

print("W2 per-sample SGD step, g++ -O2 %s; counts from callgrind (program code only, libm excluded),"
      " time and clock measured on this machine:" % flags)
print("| instructions | vector FMAs | vector loads | vector stores | clock (busy) | step | cycles | instructions per cycle |")
print("|---|---|---|---|---|---|---|---|")
print("| %.0f | %.0f | %.0f | %.0f | %.0f MHz | %.1f ns | %.0f | %.2f |" % (
    count["instructions"], count["fma"], count["vector_load"], count["vector_store"], mhz, step_ns, cycles,
    count["instructions"] / cycles))
print()
print("Measured 256-bit throughput: %g FMAs, %g loads, %g stores per cycle. Time each kind alone needs at"
      " that rate: FMAs %.0f ns, vector loads %.0f ns, vector stores %.0f ns." % (fma_rate, load_rate, store_rate,
          ns(count["fma"], fma_rate), ns(count["vector_load"], load_rate), ns(count["vector_store"], store_rate)))
PY
