#!/usr/bin/env python3
"""Reads and writes microprop weight blobs (format version 2) on a host.

The byte layout is documented at the top of include/microprop/serialize.hpp;
this script follows it field by field and uses the Python standard library only.

A network's layers are given as a comma-separated list of stages, one per dense
or tied layer, each with the activation that follows it (identity when omitted):

    3x4:tanh,4x2:sigmoid            dense<3, 4>, tanh, dense<4, 2>, sigmoid
    8x3:leaky_relu=1/100,tied0      dense<8, 3>, leaky_relu, tied<0>
    2x8:leaky_relu=0.25,8x1         a slope as a number (rounded to float32)

Commands:
    decode BLOB [--layers L]     print the header, check the CRC, and with --layers
                                 check the topology hash and list the parameters per layer
    encode --layers L --values V [--scalar float|double|q3_12] [--generation G] -o OUT
                                 write a weights-only blob from parameter values
                                 (V: a file of numbers separated by commas or white space;
                                 q3_12 rounds each to the nearest 1/4096 and refuses values
                                 outside [-8, 8))
    roundtrip BLOB --layers L [-o OUT]
                                 decode as above, check CRC and hash, re-encode from the decoded
                                 fields and values, and fail unless the bytes are identical
    upgrade V1BLOB --layers L [--generation G] -o OUT
                                 convert a version-1 ("MPW1") blob to version 2
    header BLOB --name NAME      print the blob as a C++ array (for committed test data)

BLOB may be a binary file or text holding the blob in hex, e.g. a device's
console output with a line `blob: 4d505732...` (use - for standard input).
Exit status: 0 when every check passed, 1 when one failed, 2 on bad usage.
"""
import argparse
import re
import struct
import sys
import zlib

MAGIC_PREFIX = b"MPW"
VERSION = 2
HEADER_BYTES = 32
TRAILER_BYTES = 4
SCALARS = {"float": (1, 4, "f"), "double": (2, 8, "d"), "q3_12": (3, 2, "h")}
# q3_12 (microprop::q3_12, fixed point) is stored as i16 raw values standing for raw / 4096.
FIXED_ONE = 4096
SCALAR_BY_KIND = {kind: (name, size, code) for name, (kind, size, code) in SCALARS.items()}
ACTIVATIONS = {"identity": 0, "sigmoid": 1, "tanh": 2, "relu": 3, "leaky_relu": 4, "softmax": 5}
OPTIMIZERS = {0: "none", 1: "sgd", 2: "momentum", 3: "adam",
              4: "consolidated_sgd", 5: "consolidated_momentum", 6: "consolidated_adam"}
# Optimizer state values per parameter; a consolidated kind (inner kind + 3) adds the
# importance F and the anchor weights theta* after the inner optimizer's state.
STATE_PER_PARAMETER = {0: 0, 1: 0, 2: 1, 3: 2, 4: 2, 5: 3, 6: 4}
CONSOLIDATED_KIND_OFFSET = 3
MAX_CONSOLIDATION_STRENGTH = 1e6
# The optimizer record of each kind: (field name, struct code).
RECORDS = {
    1: [("learning_rate", "f"), ("weight_decay", "f"), ("gradient_clip", "f")],
    2: [("learning_rate", "f"), ("momentum", "f"), ("weight_decay", "f"), ("gradient_clip", "f"),
        ("nesterov", "I")],
    3: [("learning_rate", "f"), ("beta1", "f"), ("beta2", "f"), ("epsilon", "f"), ("weight_decay", "f"),
        ("gradient_clip", "f"), ("beta1_power", "d"), ("beta2_power", "d")],
}
# A consolidated kind's record is its inner kind's, then the f32 consolidation strength.
for _inner in (1, 2, 3):
    RECORDS[_inner + CONSOLIDATED_KIND_OFFSET] = RECORDS[_inner] + [("consolidation_strength", "f")]
# A q3_12 trainer's record ends with its stochastic-rounding generator's state (xoshiro128**).
ROUNDING_STATE = [(f"rounding_state{k}", "I") for k in range(4)]


def record_fields_of(scalar, optimizer_kind):
    """The record's fields for this scalar type and optimizer kind (none without optimizer)."""
    fields = RECORDS.get(optimizer_kind, [])
    if fields and scalar == "q3_12":
        fields = fields + ROUNDING_STATE
    return fields


def to_stored(scalar, values):
    """Values as stored: q3_12 as raw integers (round to nearest, range checked)."""
    if scalar != "q3_12":
        return list(values)
    raw = [int(round(v * FIXED_ONE)) for v in values]
    for k, r in enumerate(raw):
        if not -32768 <= r <= 32767:
            raise BlobError(f"value {k} ({values[k]!r}) is outside q3_12's range [-8, 8)")
    return raw


def from_stored(scalar, stored):
    """Stored values as numbers (q3_12: raw / 4096, exact)."""
    return [r / FIXED_ONE for r in stored] if scalar == "q3_12" else list(stored)


class BlobError(Exception):
    """A blob or an argument that does not check out."""


def f32(value):
    """Rounds a Python float to binary32, as a C++ float would hold it."""
    return struct.unpack("<f", struct.pack("<f", value))[0]


def f32_bits(value):
    return struct.unpack("<I", struct.pack("<f", value))[0]


def fnv1a(words):
    h = 2166136261
    for word in words:
        for byte in struct.pack("<I", word & 0xFFFFFFFF):
            h = ((h ^ byte) * 16777619) & 0xFFFFFFFF
    return h


def parse_layers(text):
    """Stages of a layer list: dicts with inputs, outputs, activation, parameter, source, transposed."""
    stages = []
    for index, item in enumerate(part.strip() for part in text.split(",")):
        head, _, activation = item.partition(":")
        name, _, parameter_text = activation.partition("=")
        name = name or "identity"
        if name not in ACTIVATIONS:
            raise BlobError(f"unknown activation '{name}' in '{item}'")
        parameter = 0.0
        if parameter_text:
            if "/" in parameter_text:  # basic_leaky_relu<N, D>: float(N) / float(D) in float arithmetic
                numerator, denominator = (f32(float(v)) for v in parameter_text.split("/"))
                parameter = f32(numerator / denominator)
            else:
                parameter = f32(float(parameter_text))
        elif name == "leaky_relu":
            parameter = f32(f32(1.0) / f32(100.0))  # microprop::leaky_relu is basic_leaky_relu<1, 100>
        tied = re.fullmatch(r"tied(\d+)", head)
        dense = re.fullmatch(r"(\d+)x(\d+)", head)
        if tied:
            source = int(tied.group(1))
            if source >= len(stages) or stages[source]["transposed"]:
                raise BlobError(f"'{item}': tied layers name an earlier dense layer")
            stage = dict(inputs=stages[source]["outputs"], outputs=stages[source]["inputs"], source=source,
                         transposed=True)
        elif dense:
            stage = dict(inputs=int(dense.group(1)), outputs=int(dense.group(2)), source=index, transposed=False)
        else:
            raise BlobError(f"'{item}' is neither INxOUT nor tiedL")
        if stages and stages[-1]["outputs"] != stage["inputs"]:
            raise BlobError(f"'{item}': layer widths do not match ({stages[-1]['outputs']} then {stage['inputs']})")
        stage.update(activation=ACTIVATIONS[name], activation_name=name, parameter=parameter)
        stages.append(stage)
    offset = 0
    for stage in stages:  # parameter offsets, as in topology.hpp: weights [out][in], then biases
        if stage["transposed"]:
            stage["weight_offset"] = stages[stage["source"]]["weight_offset"]
        else:
            stage["weight_offset"] = offset
            offset += stage["inputs"] * stage["outputs"]
        stage["bias_offset"] = offset
        offset += stage["outputs"]
    return stages, offset


def topology_hash(stages, scalar):
    kind, size, _ = SCALARS[scalar]
    words = [VERSION, kind, size, len(stages)]
    for s in stages:
        words += [s["inputs"], s["outputs"], s["activation"], f32_bits(s["parameter"]), s["source"],
                  1 if s["transposed"] else 0]
    return fnv1a(words)


def topology_hash_v1(stages, scalar):
    """The version-1 hash: the slope quantised as uint32(slope * 1e6f + 0.5f) in float arithmetic."""
    words = [SCALARS[scalar][1]]
    for s in stages:
        words += [s["inputs"], s["outputs"], s["activation"], int(f32(f32(s["parameter"] * f32(1e6)) + 0.5))]
        if s["transposed"]:
            words.append(0x7ED00000 + s["source"])
    return fnv1a(words)


def read_blob(path):
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()
    if data.startswith(MAGIC_PREFIX):
        return data
    text = data.decode("ascii", errors="replace")
    match = re.search(r"blob:\s*([0-9a-fA-F]+)", text) or re.fullmatch(r"\s*([0-9a-fA-F]+)\s*", text)
    if not match or len(match.group(1)) % 2:
        raise BlobError(f"{path}: neither a binary blob nor a hex blob (a `blob: <hex>` line)")
    return bytes.fromhex(match.group(1))


def decode(blob):
    """The fields of a version-2 blob, after checking its magic, length, CRC and layout."""
    if len(blob) < 4:
        raise BlobError(f"{len(blob)} bytes: too small for a blob")
    if blob[:3] != MAGIC_PREFIX or blob[3:4] != b"%d" % VERSION:
        raise BlobError(f"magic {blob[:4]!r}: not a version-{VERSION} blob")
    if len(blob) < HEADER_BYTES + TRAILER_BYTES:
        raise BlobError(f"{len(blob)} bytes: shorter than a header")
    (_, length, topology, generation, parameter_count, scalar_kind, scalar_bytes, optimizer_kind, reserved,
     state_count, record_bytes) = struct.unpack_from("<4sIIIIBBBBII", blob)
    if length != len(blob):
        raise BlobError(f"the header says {length} bytes, the blob has {len(blob)}")
    crc_stored = struct.unpack_from("<I", blob, length - 4)[0]
    crc = zlib.crc32(blob[:-4]) & 0xFFFFFFFF
    if crc != crc_stored:
        raise BlobError(f"CRC-32 0x{crc_stored:08x} stored, 0x{crc:08x} computed")
    if scalar_kind not in SCALAR_BY_KIND or SCALAR_BY_KIND[scalar_kind][1] != scalar_bytes:
        raise BlobError(f"scalar kind {scalar_kind} of {scalar_bytes} bytes is unknown")
    if reserved != 0 or optimizer_kind not in OPTIMIZERS:
        raise BlobError(f"reserved byte {reserved}, optimizer kind {optimizer_kind}: invalid")
    scalar, _, code = SCALAR_BY_KIND[scalar_kind]
    record_fields = record_fields_of(scalar, optimizer_kind)
    record_format = "<" + "".join(code for _, code in record_fields)
    if record_bytes != struct.calcsize(record_format) or \
            state_count != parameter_count * STATE_PER_PARAMETER[optimizer_kind]:
        raise BlobError(f"optimizer kind {optimizer_kind} with {state_count} state values and a "
                        f"{record_bytes}-byte record: inconsistent")
    if HEADER_BYTES + (parameter_count + state_count) * scalar_bytes + record_bytes + TRAILER_BYTES != length:
        raise BlobError("the sections do not add up to the blob's length")
    offset = HEADER_BYTES
    parameters = from_stored(scalar, struct.unpack_from(f"<{parameter_count}{code}", blob, offset))
    offset += parameter_count * scalar_bytes
    state = from_stored(scalar, struct.unpack_from(f"<{state_count}{code}", blob, offset))
    offset += state_count * scalar_bytes
    record = dict(zip((name for name, _ in record_fields), struct.unpack_from(record_format, blob, offset)))
    return dict(length=length, topology=topology, generation=generation, scalar=scalar,
                optimizer=OPTIMIZERS[optimizer_kind], optimizer_kind=optimizer_kind, parameters=parameters,
                state=state, record=record, crc=crc)


def encode(scalar, topology, generation, parameters, optimizer_kind=0, state=(), record=None):
    """A version-2 blob from its fields; the inverse of decode()."""
    kind, size, code = SCALARS[scalar]
    record_fields = record_fields_of(scalar, optimizer_kind)
    record_format = "<" + "".join(c for _, c in record_fields)
    record_bytes = struct.calcsize(record_format) if record_fields else 0
    length = HEADER_BYTES + (len(parameters) + len(state)) * size + record_bytes + TRAILER_BYTES
    out = bytearray(struct.pack("<4sIIIIBBBBII", MAGIC_PREFIX + b"%d" % VERSION, length, topology, generation,
                                len(parameters), kind, size, optimizer_kind, 0, len(state), record_bytes))
    out += struct.pack(f"<{len(parameters)}{code}", *to_stored(scalar, parameters))
    out += struct.pack(f"<{len(state)}{code}", *to_stored(scalar, state))
    if record_fields:
        out += struct.pack(record_format, *(record[name] for name, _ in record_fields))
    out += struct.pack("<I", zlib.crc32(out) & 0xFFFFFFFF)
    return bytes(out)


def check_finite(values, what):
    for k, v in enumerate(values):
        if v != v or v in (float("inf"), float("-inf")):
            raise BlobError(f"{what} {k} is {v}: a blob holds finite values only")


def check_record(record):
    """Refuses a record the library's loader refuses: a NaN or infinite setting, a negative
    gradient_clip (blob_corrupt there), a Nesterov flag other than 0 and 1, a consolidation
    strength outside [0, 1e6], or an all-zero rounding state (q3_12)."""
    check_finite([v for name, v in record.items() if name != "nesterov"], "optimizer setting")
    if "rounding_state0" in record and not any(record[name] for name, _ in ROUNDING_STATE):
        raise BlobError("rounding state all zero: the generator would draw only zeros")
    if record.get("gradient_clip", 0.0) < 0.0:
        raise BlobError(f"gradient_clip {record['gradient_clip']!r}: negative")
    if record.get("nesterov", 0) > 1:
        raise BlobError(f"nesterov flag {record['nesterov']}: neither 0 nor 1")
    strength = record.get("consolidation_strength", 0.0)
    if not 0.0 <= strength <= MAX_CONSOLIDATION_STRENGTH:
        raise BlobError(f"consolidation_strength {strength!r}: outside [0, {MAX_CONSOLIDATION_STRENGTH:g}]")


def check_against_layers(fields, layers):
    stages, count = parse_layers(layers)
    expected = topology_hash(stages, fields["scalar"])
    if fields["topology"] != expected:
        raise BlobError(f"topology hash 0x{fields['topology']:08x} stored, 0x{expected:08x} for {layers} "
                        f"({fields['scalar']})")
    if len(fields["parameters"]) != count:
        raise BlobError(f"{len(fields['parameters'])} parameters stored, {layers} has {count}")
    return stages


def print_layers(stages, parameters):
    for index, s in enumerate(stages):
        name = f"tied<{s['source']}>" if s["transposed"] else f"dense<{s['inputs']}, {s['outputs']}>"
        print(f"layer {index}: {name}, {s['activation_name']}"
              + (f" (slope {s['parameter']!r})" if s["activation_name"] == "leaky_relu" else ""))
        if not s["transposed"]:
            for row in range(s["outputs"]):
                start = s["weight_offset"] + row * s["inputs"]
                print(f"  W[{row}] = " + " ".join(f"{v:.9g}" for v in parameters[start:start + s["inputs"]]))
        else:
            print(f"  W = layer {s['source']}'s, transposed")
        print("  b = " + " ".join(f"{v:.9g}" for v in parameters[s["bias_offset"]:s["bias_offset"] + s["outputs"]]))


def describe(fields, layers):
    """Prints a decoded blob's header (and its parameters per layer when the layers are known)."""
    print(f"version {VERSION}, {fields['length']} bytes, CRC-32 0x{fields['crc']:08x} ok")
    print(f"topology hash 0x{fields['topology']:08x}, generation {fields['generation']}, scalar {fields['scalar']}")
    print(f"{len(fields['parameters'])} parameters, optimizer {fields['optimizer']}, "
          f"{len(fields['state'])} optimizer state values")
    for name, value in fields["record"].items():
        print(f"  {name} = {value!r}")
    check_finite(fields["parameters"], "parameter")
    check_finite(fields["state"], "optimizer state value")
    check_record(fields["record"])
    if layers:
        stages = check_against_layers(fields, layers)
        print(f"topology hash matches {layers}")
        print_layers(stages, fields["parameters"])


def command_decode(args):
    describe(decode(read_blob(args.blob)), args.layers)


def command_encode(args):
    stages, count = parse_layers(args.layers)
    text = open(args.values).read()
    values = [float(v) for v in re.split(r"[,\s]+", text.strip()) if v]
    if len(values) != count:
        raise BlobError(f"{len(values)} values given, {args.layers} has {count} parameters")
    check_finite(values, "value")
    blob = encode(args.scalar, topology_hash(stages, args.scalar), args.generation, values)
    open(args.output, "wb").write(blob)
    print(f"wrote {len(blob)} bytes to {args.output}")


def command_roundtrip(args):
    blob = read_blob(args.blob)
    fields = decode(blob)
    describe(fields, args.layers)
    again = encode(fields["scalar"], fields["topology"], fields["generation"], fields["parameters"],
                   fields["optimizer_kind"], fields["state"], fields["record"])
    if again != blob:
        first = next(k for k in range(min(len(blob), len(again))) if blob[k] != again[k]) \
            if any(a != b for a, b in zip(blob, again)) else min(len(blob), len(again))
        raise BlobError(f"re-encoded blob differs from byte {first} on")
    if args.output:
        open(args.output, "wb").write(again)
    print(f"roundtrip: {len(blob)} bytes re-encoded identically; CRC-32 0x{fields['crc']:08x} and topology hash "
          f"0x{fields['topology']:08x} verified; generation {fields['generation']}")


def command_upgrade(args):
    data = read_blob(args.blob)
    stages, count = parse_layers(args.layers)
    if data[:4] != b"MPW1" or len(data) < 20:
        raise BlobError("not a version-1 blob")
    _, topology, parameter_count, scalar_bytes = struct.unpack_from("<4sIII", data)
    scalar = {4: "float", 8: "double"}.get(scalar_bytes)
    if scalar is None or parameter_count != count:
        raise BlobError(f"{parameter_count} parameters of {scalar_bytes} bytes do not fit {args.layers}")
    length = 16 + count * scalar_bytes + 4
    if len(data) < length or zlib.crc32(data[:length - 4]) & 0xFFFFFFFF != struct.unpack_from("<I", data,
                                                                                              length - 4)[0]:
        raise BlobError("version-1 blob too short or its CRC does not match")
    if topology != topology_hash_v1(stages, scalar):
        raise BlobError(f"version-1 topology hash 0x{topology:08x} does not match {args.layers}")
    values = list(struct.unpack_from(f"<{count}{SCALARS[scalar][2]}", data, 16))
    check_finite(values, "parameter")
    blob = encode(scalar, topology_hash(stages, scalar), args.generation, values)
    open(args.output, "wb").write(blob)
    print(f"wrote version-2 blob of {len(blob)} bytes to {args.output}")


def command_header(args):
    blob = read_blob(args.blob)
    print(f"// {len(blob)} bytes, written by examples/tools/microprop_blob.py")
    print(f"constexpr unsigned char {args.name}[{len(blob)}] = {{")
    for start in range(0, len(blob), 12):
        print("    " + " ".join(f"0x{b:02x}," for b in blob[start:start + 12]))
    print("};")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("decode")
    p.add_argument("blob")
    p.add_argument("--layers")
    p.set_defaults(run=command_decode)
    p = commands.add_parser("encode")
    p.add_argument("--layers", required=True)
    p.add_argument("--values", required=True)
    p.add_argument("--scalar", choices=sorted(SCALARS), default="float")
    p.add_argument("--generation", type=int, default=0)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=command_encode)
    p = commands.add_parser("roundtrip")
    p.add_argument("blob")
    p.add_argument("--layers", required=True)
    p.add_argument("-o", "--output")
    p.set_defaults(run=command_roundtrip)
    p = commands.add_parser("upgrade")
    p.add_argument("blob")
    p.add_argument("--layers", required=True)
    p.add_argument("--generation", type=int, default=0)
    p.add_argument("-o", "--output", required=True)
    p.set_defaults(run=command_upgrade)
    p = commands.add_parser("header")
    p.add_argument("blob")
    p.add_argument("--name", required=True)
    p.set_defaults(run=command_header)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except (BlobError, OSError) as error:
        print(f"microprop_blob: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
