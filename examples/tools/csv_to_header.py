#!/usr/bin/env python3
"""Turns a CSV file into a C++ header that microprop's dataset views read (include/microprop/data.hpp).

    python3 examples/tools/csv_to_header.py data.csv -o data.hpp --namespace my_data [options]

Python 3 standard library only. The header holds `static constexpr` arrays (const storage:
flash on a microcontroller) in the format data.hpp documents:

    sample_count, feature_count, class_count (or output_count)
    features[sample_count][feature_count]    float, or std::uint8_t with --uint8
    feature_scale[], feature_offset[]        with --uint8: feature j is scale[j] * q + offset[j]
    labels[sample_count]                     class indices (classification)
    targets[sample_count][output_count]      target values (--regression)
    feature_mean[], feature_std[]            with --standardize: over the training split
    split_seed, train_count, test_count, train_index[], test_index[]

Use it on the device as

    const auto all = microprop::classification_view<float, my_data::class_count>(my_data::features, my_data::labels);
    // with --uint8:       .with_coding(my_data::feature_scale, my_data::feature_offset)
    // with --standardize: .standardized(&stats), stats = feature_statistics<float, F>::from(my_data::feature_mean,
    //                                                                                          my_data::feature_std)
    const auto train = all.subset(my_data::train_index);

Options:
    --label-column K    column of the class label or regression target (default -1: the last);
                        labels may be integers 0..K-1 or names (numbered in sorted order)
    --regression        the label column(s) hold real-valued targets (see --target-columns)
    --target-columns N  with --regression: the last N columns are targets (default 1)
    --skip-rows N       header rows to skip (default 0); iris.csv needs 1
    --minmax            scale every feature to 0..1 on the host (min and max over all rows)
    --standardize       also write the training split's per-feature mean and population std
                        (of the values as decoded on the device)
    --uint8             store features as 8-bit codes: q = round((x - min_j) / step_j), 255 steps
                        between each feature's min and max; decoding error <= step_j / 2
    --test-fraction F   share of each class held out as the test split (default 0.2; 0: none)
    --seed S            seed of the split's xorshift32 (default 1)

The split is stratified for classification: for each class in turn its rows are shuffled and
round(F * class size) of them go to the test split; the training rows of all classes are then
shuffled together (so classes interleave) and the test rows sorted. Regression splits shuffle
all rows once. The same seed gives the same split on every machine and Python version
(tests/data/generate_datasets.py made the examples' iris and digits splits this way).
"""

import argparse
import math
import os
import re
import sys


class Xorshift32:
    """Marsaglia's xorshift32; the seed is mixed once so that 0 is allowed."""

    def __init__(self, seed):
        self.state = (seed * 0x9E3779B1 + 0x7F4A7C15) & 0xFFFFFFFF or 1

    def next(self):
        x = self.state
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        self.state = x
        return x

    def below(self, bound):
        return (self.next() * bound) >> 32

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def stratified_split(labels, seed, test_fraction):
    """Per class: shuffle, round(test_fraction * size) to test; then shuffle train, sort test."""
    rng = Xorshift32(seed)
    train, test = [], []
    for c in sorted(set(labels)):
        members = [i for i, y in enumerate(labels) if y == c]
        rng.shuffle(members)
        n_test = int(math.floor(test_fraction * len(members) + 0.5))
        test += members[:n_test]
        train += members[n_test:]
    rng.shuffle(train)
    test.sort()
    return train, test


def random_split(count, seed, test_fraction):
    rng = Xorshift32(seed)
    rows = list(range(count))
    rng.shuffle(rows)
    n_test = int(math.floor(test_fraction * count + 0.5))
    return rows[n_test:], sorted(rows[:n_test])


def float_literal(v):
    """A C++ float literal: always a '.' or an exponent before the 'f' (never `0f`)."""
    if not math.isfinite(v):
        raise ValueError("not a finite number: %r" % v)
    text = "%.9g" % v
    if "e" not in text and "." not in text:
        text += ".0"
    return text + "f"


def c_array(values, per_line, indent="    "):
    lines = []
    for k in range(0, len(values), per_line):
        lines.append(indent + ", ".join(values[k:k + per_line]) + ",")
    return "\n".join(lines)


def index_type(count):
    return "std::uint8_t" if count <= 256 else "std::uint16_t" if count <= 65536 else "std::uint32_t"


def fail(message):
    sys.exit("csv_to_header: " + message)


def read_rows(path, skip_rows):
    with open(path, newline="") as f:
        lines = [line.strip() for line in f]
    rows = []
    for number, line in enumerate(lines[skip_rows:], start=skip_rows + 1):
        if not line:
            continue
        rows.append((number, [cell.strip() for cell in line.split(",")]))
    if not rows:
        fail("%s has no data rows" % path)
    width = len(rows[0][1])
    for number, row in rows:
        if len(row) != width:
            fail("%s line %d has %d columns, the first data row %d" % (path, number, len(row), width))
    return rows, width


def to_float(text, path, number):
    try:
        value = float(text)
    except ValueError:
        fail("%s line %d: '%s' is not a number" % (path, number, text))
    if not math.isfinite(value):
        fail("%s line %d: '%s' is not finite" % (path, number, text))
    return value


def build(args):
    rows, width = read_rows(args.csv, args.skip_rows)
    outputs = args.target_columns if args.regression else 1
    if args.regression:
        target_cols = list(range(width - outputs, width))
    else:
        label_col = args.label_column % width if -width <= args.label_column < width else None
        if label_col is None:
            fail("--label-column %d is outside the %d columns" % (args.label_column, width))
        target_cols = [label_col]
    feature_cols = [c for c in range(width) if c not in target_cols]
    if not feature_cols:
        fail("no feature columns left")
    features = [[to_float(r[c], args.csv, n) for c in feature_cols] for n, r in rows]
    n = len(features)
    f = len(feature_cols)

    class_names = None
    if args.regression:
        targets = [[to_float(r[c], args.csv, number) for c in target_cols] for number, r in rows]
        train, test = random_split(n, args.seed, args.test_fraction)
    else:
        raw = [r[target_cols[0]] for _, r in rows]
        if all(re.fullmatch(r"[0-9]+(\.0*)?", v) for v in raw):
            labels = [int(float(v)) for v in raw]
        else:
            class_names = sorted(set(raw))
            labels = [class_names.index(v) for v in raw]
        if max(labels) > 255:
            fail("more than 256 classes")
        classes = max(labels) + 1
        train, test = stratified_split(labels, args.seed, args.test_fraction)

    if args.minmax:
        for j in range(f):
            lo = min(x[j] for x in features)
            hi = max(x[j] for x in features)
            span = hi - lo if hi > lo else 1.0
            for x in features:
                x[j] = (x[j] - lo) / span

    scale = offset = None
    decoded = features
    if args.uint8:
        scale, offset, codes = [], [], [[0] * f for _ in range(n)]
        for j in range(f):
            lo = min(x[j] for x in features)
            hi = max(x[j] for x in features)
            step = (hi - lo) / 255.0 if hi > lo else 1.0
            scale.append(step)
            offset.append(lo)
            for i in range(n):
                codes[i][j] = min(255, max(0, int(math.floor((features[i][j] - lo) / step + 0.5))))
        # What the device decodes (in float), for the statistics below.
        decoded = [[scale[j] * codes[i][j] + offset[j] for j in range(f)] for i in range(n)]

    mean = std = None
    if args.standardize:
        if not train:
            fail("--standardize needs a non-empty training split")
        mean = [sum(decoded[i][j] for i in train) / len(train) for j in range(f)]
        std = [math.sqrt(sum((decoded[i][j] - mean[j]) ** 2 for i in train) / len(train)) for j in range(f)]
        std = [s if s > 0 else 1.0 for s in std]

    ns = args.namespace
    guard = re.sub(r"[^A-Za-z0-9]+", "_", ns + "_HPP").upper()
    source = os.path.basename(args.csv)
    out = []
    out.append("// Generated by examples/tools/csv_to_header.py from %s -- do not edit." % source)
    out.append("// Options: %s" % " ".join(args.argv))
    out.append("// All arrays are static constexpr: const storage, so they stay in flash on a microcontroller.")
    out.append("#ifndef %s" % guard)
    out.append("#define %s" % guard)
    out.append("")
    out.append("#include <cstddef>")
    out.append("#include <cstdint>")
    out.append("")
    out.append("namespace %s {" % ns)
    out.append("")
    out.append("static constexpr std::size_t sample_count = %d;" % n)
    out.append("static constexpr std::size_t feature_count = %d;" % f)
    if args.regression:
        out.append("static constexpr std::size_t output_count = %d;" % outputs)
    else:
        names = "  // " + ", ".join(class_names) if class_names else ""
        out.append("static constexpr std::size_t class_count = %d;%s" % (classes, names))
    if args.uint8:
        out.append("/// Feature j of a sample is feature_scale[j] * code + feature_offset[j].")
        out.append("static constexpr std::uint8_t features[sample_count][feature_count] = {")
        for row in codes:
            out.append("    {%s}," % ", ".join(str(q) for q in row))
        out.append("};")
        out.append("static constexpr float feature_scale[feature_count] = {%s};" % ", ".join(map(float_literal, scale)))
        out.append("static constexpr float feature_offset[feature_count] = {%s};"
                   % ", ".join(map(float_literal, offset)))
    else:
        out.append("static constexpr float features[sample_count][feature_count] = {")
        for row in features:
            out.append("    {%s}," % ", ".join(map(float_literal, row)))
        out.append("};")
    if args.regression:
        out.append("static constexpr float targets[sample_count][output_count] = {")
        for row in targets:
            out.append("    {%s}," % ", ".join(map(float_literal, row)))
        out.append("};")
    else:
        out.append("static constexpr std::uint8_t labels[sample_count] = {")
        out.append(c_array([str(y) for y in labels], 30))
        out.append("};")
    if args.standardize:
        out.append("/// Mean and (population) standard deviation of each decoded feature over the training split.")
        out.append("static constexpr float feature_mean[feature_count] = {%s};" % ", ".join(map(float_literal, mean)))
        out.append("static constexpr float feature_std[feature_count] = {%s};" % ", ".join(map(float_literal, std)))
    itype = index_type(n)
    out.append("/// Seed of the script's xorshift32 that chose the split.")
    out.append("static constexpr std::uint32_t split_seed = %du;" % args.seed)
    out.append("static constexpr std::size_t train_count = %d;" % len(train))
    out.append("static constexpr std::size_t test_count = %d;" % len(test))
    # A zero-length array is not C++: an empty split gets one unused entry and its count says 0.
    out.append("/// Training samples (rows of the arrays above), shuffled.")
    out.append("static constexpr %s train_index[%s] = {" % (itype, "train_count" if train else "1"))
    out.append(c_array([str(i) for i in train], 20) if train else "    0,")
    out.append("};")
    out.append("/// Test samples, ascending.")
    out.append("static constexpr %s test_index[%s] = {" % (itype, "test_count" if test else "1"))
    out.append(c_array([str(i) for i in test], 20) if test else "    0,")
    out.append("};")
    out.append("")
    out.append("}  // namespace %s" % ns)
    out.append("")
    out.append("#endif")
    return "\n".join(out) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description="CSV to a microprop data header (see the module docstring).")
    parser.add_argument("csv")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--namespace", required=True, help="C++ namespace, e.g. my_data or app::data")
    parser.add_argument("--label-column", type=int, default=-1)
    parser.add_argument("--regression", action="store_true")
    parser.add_argument("--target-columns", type=int, default=1)
    parser.add_argument("--skip-rows", type=int, default=0)
    parser.add_argument("--minmax", action="store_true")
    parser.add_argument("--standardize", action="store_true")
    parser.add_argument("--uint8", action="store_true")
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    args.argv = [os.path.basename(a) if a == args.csv or a == args.output else a for a in argv]
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(::[A-Za-z_][A-Za-z0-9_]*)*", args.namespace):
        fail("--namespace '%s' is not a C++ namespace name" % args.namespace)
    if not 0.0 <= args.test_fraction < 1.0:
        fail("--test-fraction must be in [0, 1)")
    if not 0 <= args.seed < 2 ** 32:
        fail("--seed must fit 32 bits")
    text = build(args)
    with open(args.output, "w", newline="\n") as f:
        f.write(text)


if __name__ == "__main__":
    main(sys.argv[1:])
