#!/usr/bin/env bash
# Footprint of the training examples on every emulated core, written into tests/bench/README.md
# between <!-- footprint:begin --> and <!-- footprint:end --> (and printed):
#   flash      .text + .ARM.exidx + .data (code, constants, the data sets, initial values)
#   RAM        .data + .bss (static RAM; the stack is the rest of the RAM region)
#   stack      worst case from GCC's call graph (-fcallgraph-info=su; newlib/libgcc from the
#              image's disassembly), from Reset_Handler, plus the SysTick interrupt on top
#              (tests/footprint/stack_usage.py)
#   stack hw   measured high-water mark of the painted stack under QEMU (MICROPROP_PORT_REPORT_STACK)
#   insn/sample  instructions per training step (train_sample / train_batch, per sample) under
#              QEMU -icount shift=6, where an instruction takes 64 ns of virtual time
#
#   bash tests/footprint/footprint.sh [--fixed-only | --only a,b,...] [preset...]
#   (default: every qemu-* core preset)
#
# Every example is measured in float and, for xor, iris and digits, in q3_12 fixed point
# (<name>_fixed); transfer, transfer_wide and infer_only on the M0 and M4F they were made for.
# --fixed-only builds and measures only the fixed-point examples, --only the examples named,
# and each replaces just those rows of the table, keeping the others as they are. Fine-tuning
# examples report instructions per step as fine_tune_insn (their one training loop of note).
set -euo pipefail
cd "$(dirname "$0")/../.."

fixed_only=0
only=""
if [ "${1:-}" = "--fixed-only" ]; then
    fixed_only=1
    shift
elif [ "${1:-}" = "--only" ]; then
    only="$2"
    shift 2
fi
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(qemu-m0 qemu-m3 qemu-m4f qemu-m7 qemu-m33 qemu-stm32vldiscovery)
fixed_examples=(xor_fixed iris_fixed digits_fixed)
transfer_examples=(transfer transfer_wide infer_only)  # measured on qemu-m0 and qemu-m4f
if [ -n "$only" ]; then
    IFS=, read -r -a examples <<< "$only"
elif [ "$fixed_only" = 1 ]; then
    examples=("${fixed_examples[@]}")
else
    examples=(xor sine iris digits anomaly "${fixed_examples[@]}" "${transfer_examples[@]}")
fi
jobs="${MICROPROP_JOBS:-2}"
size_tool=arm-none-eabi-size

section_sum() {  # section_sum <elf> <section>... -> sum of their sizes (size -A)
    local elf=$1; shift
    "$size_tool" -A "$elf" | awk -v want=" $* " '
        { name = $1 } index(want, " " name " ") { total += $2 } END { print total + 0 }'
}

rows=()
for preset in "${presets[@]}"; do
    dir="build/footprint-$preset"
    echo "=== $preset" >&2
    cmake --preset "$preset" -B "$dir" -DMICROPROP_STACK_USAGE=ON -DMICROPROP_PORT_REPORT_STACK=ON \
        -DMICROPROP_BUILD_TESTS=OFF -DMICROPROP_BUILD_BENCHMARKS=OFF > "$dir.configure.log" 2>&1 \
        || { cat "$dir.configure.log" >&2; exit 1; }
    targets=()
    if [ "$fixed_only" = 1 ] || [ -n "$only" ]; then
        for name in "${examples[@]}"; do
            grep -q "example $name skipped" "$dir.configure.log" || targets+=(--target "example_$name")
        done
    fi
    cmake --build "$dir" -j "$jobs" "${targets[@]}" > "$dir.build.log" 2>&1 || { tail -30 "$dir.build.log" >&2; exit 1; }
    port_objects=$(find "$dir" -type d -name 'microprop_port.dir' | head -1)
    case "$preset" in  # bytes the core stacks on exception entry (+4 alignment)
        qemu-m4f|qemu-m7|qemu-m33|qemu-netduinoplus2) exception_frame=108 ;;
        *) exception_frame=36 ;;
    esac
    for name in "${examples[@]}"; do
        if [[ " ${transfer_examples[*]} " == *" $name "* ]] && [[ "$preset" != qemu-m0 && "$preset" != qemu-m4f ]]; then
            continue
        fi
        elf="$dir/examples/example_$name.elf"
        if [ ! -f "$elf" ]; then
            if grep -q "example $name skipped.*MICROPROP_PORT_SKIP_EXAMPLES" "$dir.configure.log"; then
                rows+=("| $name | $preset | does not fit the flash (listed in the port's MICROPROP_PORT_SKIP_EXAMPLES) | | | | |")
                continue
            fi
            needed=$(grep -o "example $name skipped[^)]*" "$dir.configure.log" | grep -o 'needs [0-9]* bytes' | grep -o '[0-9]*' || true)
            rows+=("| $name | $preset | does not fit: needs ${needed:-?} B of RAM | | | | |")
            continue
        fi
        flash=$(section_sum "$elf" .text .ARM.exidx .ARM.extab .data)
        ram=$(section_sum "$elf" .data .bss)
        stack=$(python3 tests/footprint/stack_usage.py --entry Reset_Handler --elf "$elf" \
                --isr SysTick_Handler --exception-frame "$exception_frame" \
                "$dir/examples/CMakeFiles/example_$name.dir" "$port_objects" \
                | sed -n 's/^stack_bytes=\([0-9]*\).*/\1/p')
        output=$(ctest --test-dir "$dir" -R "^example_${name}\$" -V 2>&1 || true)
        high_water=$(printf '%s\n' "$output" | sed -n 's/.*stack_high_water=\([0-9]*\).*/\1/p' | tail -1)
        us=$(printf '%s\n' "$output" | sed -n 's/.*result:.* us_per_sample=\([0-9.]*\).*/\1/p' | tail -1)
        insn=$(python3 -c "print(round(float('${us:-0}') * 1000 / 64))")
        if [ -z "$us" ]; then  # fine-tuning examples count instructions themselves
            insn=$(printf '%s\n' "$output" | sed -n 's/.*result:.* fine_tune_insn=\([0-9]*\).*/\1/p' | tail -1)
            [ -n "$insn" ] || insn="–"
        fi
        passed=$(printf '%s\n' "$output" | grep -q '100% tests passed' && echo yes || echo "NO")
        rows+=("| $name | $preset | $flash | $ram | ${stack:-?} | ${high_water:-?} | $insn | $passed |")
    done
done

table=$(
    echo "| example | preset | flash (B) | static RAM (B) | stack, worst case (B) | stack, measured (B) | instructions / training sample | goal met |"
    echo "|---|---|---:|---:|---:|---:|---:|:---:|"
    printf '%s\n' "${rows[@]}"
    echo
    echo "Generated by \`tests/footprint/footprint.sh\` with $(arm-none-eabi-gcc --version | head -1) and $(qemu-system-arm --version | head -1)."
)
printf '%s\n' "$table"

python3 - "$table" "$fixed_only" "$only" <<'PY'
import re, sys
table, fixed_only, only = sys.argv[1], sys.argv[2] == "1", [n for n in sys.argv[3].split(",") if n]
path = "tests/bench/README.md"
text = open(path, encoding="utf-8").read()
begin, end = "<!-- footprint:begin -->", "<!-- footprint:end -->"
if begin not in text:
    text += "\n" + begin + "\n" + end + "\n"
if fixed_only or only:
    # Keep the other rows; put each preset's new rows right after its other rows.
    replaced = (lambda name: name in only) if only else (lambda name: name.endswith("_fixed"))
    row_name = lambda l: l.split("|")[1].strip()
    is_replaced = lambda l: l.startswith("| ") and not l.startswith("| example ") and replaced(row_name(l))
    old = re.search(re.escape(begin) + "\n(.*?)" + re.escape(end), text, flags=re.S).group(1).split("\n")
    new_rows = [l for l in table.split("\n") if is_replaced(l)]
    row_preset = lambda l: l.split("|")[2].strip()
    kept = [l for l in old if not is_replaced(l)]
    merged = []
    for k, line in enumerate(kept):
        merged.append(line)
        is_row = line.startswith("| ") and not line.startswith("| example ")
        next_preset = row_preset(kept[k + 1]) if k + 1 < len(kept) and kept[k + 1].startswith("| ") else None
        if is_row and row_preset(line) != next_preset:
            merged.extend(l for l in new_rows if row_preset(l) == row_preset(line))
    table = "\n".join(merged).strip("\n")
text = re.sub(re.escape(begin) + ".*?" + re.escape(end), lambda _: begin + "\n" + table + "\n" + end, text, flags=re.S)
open(path, "w", encoding="utf-8").write(text)
PY
