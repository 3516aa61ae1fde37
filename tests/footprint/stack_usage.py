#!/usr/bin/env python3
"""Worst-case stack depth of a program from GCC's -fcallgraph-info=su output.

Reads every .ci file under the given directories (one per compiled source of
the program), builds the static call graph with each function's frame size,
and prints the deepest path from the entry point (main by default).

Calls into code compiled without -fcallgraph-info (newlib, libgcc) have no
node: they count 0 bytes and are listed as `unknown`, as are indirect calls
and recursion, so the figure is exact only when that list is empty or the
unknown callees are leaves with small frames (memcpy, __aeabi_* helpers).

usage: stack_usage.py [--entry main] DIR... -> prints `stack_bytes=N unknown=a,b`
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
    parser.add_argument("directories", nargs="+")
    args = parser.parse_args()
    frames, calls, dynamic = read_graph(args.directories)
    if args.entry not in frames:
        print(f"stack_usage: no call graph for {args.entry} under {args.directories}", file=sys.stderr)
        return 1
    depth, unknown = deepest(args.entry, frames, calls)
    flags = sorted(unknown) + sorted("dynamic:" + d for d in dynamic)
    print(f"stack_bytes={depth} unknown={','.join(flags) if flags else '-'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
