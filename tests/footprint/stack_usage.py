#!/usr/bin/env python3
"""Worst-case stack depth of a program from GCC's -fcallgraph-info=su output.

Reads every .ci file under the given directories (one per compiled source of
the program), builds the static call graph with each function's frame size,
and prints the deepest path from the entry point (main by default).

Functions compiled without -fcallgraph-info (newlib, libgcc) have no node.
With --elf, their frames and calls are read from the linked image's
disassembly instead (push/vpush/sub sp in the prologue, bl targets), so the
whole call tree is counted. What still cannot be followed (indirect calls,
recursion, symbols found nowhere) is listed as `unknown` and counts 0 bytes.

Interrupts: each --isr handler that exists in the program can fire at the
deepest point of the main path; it adds its own depth plus --exception-frame
bytes (what the core stacks on entry: 32 bytes, 104 with a lazily stacked FPU
context, plus 4 of alignment padding).

usage: stack_usage.py [--entry main] [--elf IMAGE] [--isr NAME --exception-frame B] DIR...
       -> `stack_bytes=N unknown=a,b`
"""
import argparse
import os
import re
import sys

NODE = re.compile(r'node: \{ title: "([^"]+)" label: "[^"]*\\n(\d+) bytes \(([^)]*)\)')
EDGE = re.compile(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')


def read_graph(directories):
    frames, calls, dynamic = {}, {}, set()
    for directory in directories:
        for root, _, files in os.walk(directory):
            for name in files:
                if not name.endswith(".ci"):
                    continue
                with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                    text = f.read()
                for title, size, kind in NODE.findall(text):
                    frames[title] = max(frames.get(title, 0), int(size))
                    if "dynamic" in kind:
                        dynamic.add(title)
                for source, target in EDGE.findall(text):
                    calls.setdefault(source, set()).add(target)
    return frames, calls, dynamic


PUSH = re.compile(r"\b(push|stmdb)(?:\.w)?\s+(?:sp!,\s*)?\{([^}]*)\}")
VPUSH = re.compile(r"\bvpush\s+\{([^}]*)\}")
PRE_DECREMENT = re.compile(r"\bstrd?(?:\.w)?\s+[^\[]*\[sp,\s*#-(\d+)\]!")
SUB_SP = re.compile(r"\bsub(?:\.w)?\s+sp,\s*(?:sp,\s*)?#(\d+)")
# bl/blx calls, and tail calls (b to another function's entry), counted as calls: an upper bound.
CALL = re.compile(r"\b(?:blx?|b(?:\.w|\.n)?)\s+[0-9a-f]+\s+<([^>+]+)>")
FUNCTION = re.compile(r"^[0-9a-f]+ <([^>]+)>:$")


def register_count(text):
    count = 0
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            first, last = part.split("-")
            count += int(last.strip()[1:]) - int(first.strip()[1:]) + 1
        elif part:
            count += 1
    return count


def read_binary(elf, objdump):
    """Frames and calls of every function in the image, from its disassembly."""
    import subprocess
    text = subprocess.run([objdump, "-d", "--no-show-raw-insn", elf], check=True,
                          capture_output=True, text=True).stdout
    frames, calls, current, in_prologue = {}, {}, None, False
    for line in text.splitlines():
        match = FUNCTION.match(line.strip())
        if match:
            current, in_prologue = match.group(1), True
            frames[current] = 0
            calls[current] = set()
            continue
        if current is None:
            continue
        call = CALL.search(line)
        if call:
            calls[current].add(call.group(1))
            in_prologue = False
            continue
        if not in_prologue:
            continue
        push = PUSH.search(line)
        vpush = VPUSH.search(line)
        sub = SUB_SP.search(line)
        if push:
            frames[current] += 4 * register_count(push.group(2))
        elif vpush:
            size = 8 if "d" in vpush.group(1) else 4
            frames[current] += size * register_count(vpush.group(1))
        elif sub:
            frames[current] += int(sub.group(1))
        elif PRE_DECREMENT.search(line):
            frames[current] += int(PRE_DECREMENT.search(line).group(1))
        elif re.search(r"\b(b|bx|cb|cbn)z?\b|\bb[a-z]{2}(\.n|\.w)?\s", line):
            in_prologue = False
    # Assembly routines often carry several names (__aeabi_dadd = __adddf3); objdump
    # labels an address with one of them, so copy its frame to the others.
    nm = objdump.replace("objdump", "nm")
    symbols = subprocess.run([nm, elf], check=True, capture_output=True, text=True).stdout
    by_address = {}
    for line in symbols.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TtWw":
            by_address.setdefault(parts[0], []).append(parts[2])
    for names in by_address.values():
        known = [n for n in names if n in frames]
        for name in names:
            if known and name not in frames:
                frames[name] = frames[known[0]]
                calls[name] = calls[known[0]]
    return frames, calls


def deepest(entry, frames, calls):
    unknown = set()
    memo = {}

    def visit(function, active):
        if function in active:
            unknown.add("recursion:" + function)
            return 0
        if function in memo:
            return memo[function]
        if function not in frames:
            unknown.add(function)
            return 0
        active.add(function)
        below = max((visit(callee, active) for callee in calls.get(function, ())), default=0)
        active.discard(function)
        memo[function] = frames[function] + below
        return memo[function]

    return visit(entry, set()), unknown


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entry", default="main")
    parser.add_argument("--elf", help="linked image, for functions without call-graph info")
    parser.add_argument("--objdump", default="arm-none-eabi-objdump")
    parser.add_argument("--isr", action="append", default=[], help="interrupt handler (repeatable)")
    parser.add_argument("--exception-frame", type=int, default=0, help="bytes stacked on exception entry")
    parser.add_argument("directories", nargs="+")
    args = parser.parse_args()
    frames, calls, dynamic = read_graph(args.directories)
    if args.elf:
        binary_frames, binary_calls = read_binary(args.elf, args.objdump)
        for name, size in binary_frames.items():
            if name not in frames:
                frames[name] = size
                calls[name] = binary_calls.get(name, set())
    if args.entry not in frames:
        print(f"stack_usage: no call graph for {args.entry} under {args.directories}", file=sys.stderr)
        return 1
    depth, unknown = deepest(args.entry, frames, calls)
    interrupt = 0
    for handler in args.isr:
        if handler in frames:
            handler_depth, handler_unknown = deepest(handler, frames, calls)
            interrupt = max(interrupt, handler_depth + args.exception_frame)
            unknown |= handler_unknown
    depth += interrupt
    flags = sorted(unknown) + sorted("dynamic:" + d for d in dynamic)
    print(f"stack_bytes={depth} unknown={','.join(flags) if flags else '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
