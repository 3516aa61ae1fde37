#!/usr/bin/env python3
"""Exports a PyTorch torch.nn.Sequential to microprop: a C++ header and/or a weight blob.

Runs on a PC with PyTorch (Debian: apt install python3-torch); the library itself never
needs it. The model is a torch.nn.Sequential (nested Sequentials are flattened) of

    torch.nn.Linear                  -> microprop::dense<in, out> (bias=False exports zero biases)
    torch.nn.ReLU                    -> microprop::relu
    torch.nn.Sigmoid                 -> microprop::sigmoid
    torch.nn.Tanh                    -> microprop::tanh
    torch.nn.LeakyReLU(s)            -> microprop::basic_leaky_relu<N, D> with float(N)/float(D)
                                        equal to s as a float (0 < s < 1), e.g. 0.01 -> <1, 100>
    torch.nn.Softmax(dim=-1 or 1)    -> microprop::softmax (last module only)
    torch.nn.Identity, torch.nn.Dropout
                                     -> nothing (Dropout is the identity at inference; the
                                        device does not train with dropout)

Anything else (Conv*, BatchNorm*, LogSoftmax, ELU, GELU, Flatten, ...), an activation
before the first Linear, two activations in a row, a softmax that is not last or not over
the last dimension, or a non-finite weight is refused with a message naming the module.

Commands (MODEL is a file written by torch.save(model), the whole module, not a state_dict):
    torch_export.py header MODEL --name NAME [--namespace NS] [--freeze K [--int8]] -o OUT.hpp
        a header declaring NS::network (the microprop network type), NS::parameters (every
        weight and bias as a constexpr float array in microprop's parameter order: layer 0's
        weights [out][in] row-major, layer 0's biases, layer 1's ...) and NS::load(net).
        With --freeze K the first K Linear layers become NS::backbone, a microprop::frozen stack
        (include/microprop/frozen.hpp) over NS::backbone_parameters in flash, the rest
        NS::head (a network) with its pretrained NS::head_parameters and NS::load(head),
        NS::model = microprop::fine_tuned<backbone, head>, and NS::network all layers as one
        trainable network (for comparisons). --int8 adds NS::backbone8 (int8 weights with a float
        scale per output row, quantized by the C++ compiler) and NS::model8.
    torch_export.py blob MODEL [--generation G] -o OUT.bin
        a weights-only blob (format MPW2, include/microprop/serialize.hpp) that
        microprop::load_parameters accepts for the same network type; prints its --layers
        spelling for examples/tools/microprop_blob.py and torch_import.py.

Python use: `import torch_export; stages = torch_export.stages_of(model)`, then
`header_text(stages, ...)` or `blob_bytes(stages)`.
Exit status: 0 on success, 1 when the model cannot be mapped, 2 on bad usage.
"""
import argparse
import fractions
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import microprop_blob  # noqa: E402  (the format's single host-side implementation)


class ExportError(Exception):
    """A model microprop cannot represent; the message names the module."""


f32 = microprop_blob.f32  # rounds to binary32, as a C++ float holds it


def leaky_slope_fraction(slope):
    """(N, D) with 0 < N < D and float(N) / float(D) == float32(slope) in float arithmetic,
    with the first small D that does it; microprop spells the slope as basic_leaky_relu<N, D>."""
    target = f32(slope)
    if not 0.0 < target < 1.0:
        raise ExportError(f"LeakyReLU(negative_slope={slope}): microprop needs 0 < slope < 1")
    for limit in (10, 100, 1000, 10 ** 4, 10 ** 5, 10 ** 6, 10 ** 7, 2 ** 31 - 1):
        guess = fractions.Fraction(target).limit_denominator(limit)
        n, d = guess.numerator, guess.denominator
        if 0 < n < d <= 2 ** 31 - 1 and f32(f32(float(n)) / f32(float(d))) == target:
            return n, d
    raise ExportError(f"LeakyReLU(negative_slope={slope}): no int fraction N/D gives this float slope")


def _flatten(module):
    import torch
    if isinstance(module, torch.nn.Sequential):
        for child in module:
            yield from _flatten(child)
    else:
        yield module


def stages_of(model):
    """The model as a list of stages, one per Linear: dict(inputs, outputs, weight (list of rows),
    bias (list), activation (microprop name), slope (float or None), fraction ((N, D) or None),
    module (its index and repr, for messages))."""
    import torch
    if not isinstance(model, torch.nn.Sequential):
        raise ExportError(f"{type(model).__name__}: only a torch.nn.Sequential can be exported")
    simple = {torch.nn.ReLU: "relu", torch.nn.Sigmoid: "sigmoid", torch.nn.Tanh: "tanh"}
    modules = list(_flatten(model))
    stages = []
    for index, module in enumerate(modules):
        where = f"module {index} ({module!r})"
        if isinstance(module, (torch.nn.Identity, torch.nn.Dropout)):
            continue
        if isinstance(module, torch.nn.Linear):
            if stages and stages[-1]["outputs"] != module.in_features:
                raise ExportError(f"{where}: takes {module.in_features} inputs, the layer before gives "
                                  f"{stages[-1]['outputs']}")
            weight = module.weight.detach().to(torch.float32).cpu()
            bias = (module.bias.detach().to(torch.float32).cpu() if module.bias is not None
                    else torch.zeros(module.out_features))
            if not bool(torch.isfinite(weight).all()) or not bool(torch.isfinite(bias).all()):
                raise ExportError(f"{where}: has a NaN or infinite weight or bias")
            stages.append(dict(inputs=module.in_features, outputs=module.out_features,
                               weight=weight.tolist(), bias=bias.tolist(), activation="identity",
                               slope=None, fraction=None, module=where))
            continue
        name, slope, fraction = None, None, None
        if type(module) in simple:
            name = simple[type(module)]
        elif isinstance(module, torch.nn.LeakyReLU):
            name, fraction = "leaky_relu", leaky_slope_fraction(module.negative_slope)
            slope = f32(f32(float(fraction[0])) / f32(float(fraction[1])))
        elif isinstance(module, torch.nn.Softmax):
            if module.dim not in (-1, 1):
                raise ExportError(f"{where}: microprop's softmax runs over the features (dim=-1 or 1), "
                                  f"not dim={module.dim}")
            if index != len(modules) - 1 and not all(
                    isinstance(m, (torch.nn.Identity, torch.nn.Dropout)) for m in modules[index + 1:]):
                raise ExportError(f"{where}: softmax may only be the last module")
            name = "softmax"
        else:
            hint = {"BatchNorm1d": " (fold it into the Linear before it first)",
                    "LogSoftmax": " (use Softmax; microprop's cross_entropy takes the softmax output)"}
            raise ExportError(f"{where}: {type(module).__name__} has no microprop counterpart"
                              + hint.get(type(module).__name__, "")
                              + "; supported: Linear, ReLU, Sigmoid, Tanh, LeakyReLU, Softmax, Identity, Dropout")
        if not stages:
            raise ExportError(f"{where}: an activation before the first Linear has no microprop counterpart")
        if stages[-1]["activation"] != "identity":
            raise ExportError(f"{where}: a second activation after one Linear has no microprop counterpart")
        stages[-1].update(activation=name, slope=slope, fraction=fraction)
    if not stages:
        raise ExportError("the model has no Linear layer")
    return stages


def layers_spelling(stages):
    """The --layers spelling of examples/tools/microprop_blob.py, e.g. 64x32:relu,32x10:softmax."""
    parts = []
    for s in stages:
        text = f"{s['inputs']}x{s['outputs']}"
        if s["activation"] != "identity":
            text += ":" + s["activation"]
        if s["fraction"]:
            text += f"={s['fraction'][0]}/{s['fraction'][1]}"
        parts.append(text)
    return ",".join(parts)


def type_spelling(stages, scalar="float"):
    """The microprop::network<...> type of the stages."""
    parts = [scalar]
    for s in stages:
        parts.append(f"microprop::dense<{s['inputs']}, {s['outputs']}>")
        if s["fraction"]:
            parts.append(f"microprop::basic_leaky_relu<{s['fraction'][0]}, {s['fraction'][1]}>")
        elif s["activation"] != "identity":
            parts.append(f"microprop::{s['activation']}")
    return "microprop::network<" + ", ".join(parts) + ">"


def parameter_vector(stages):
    """Every weight and bias in microprop's order (network.hpp): per layer W[out][in], then b."""
    values = []
    for s in stages:
        for row in s["weight"]:
            values += row
        values += s["bias"]
    return [f32(v) for v in values]


def blob_bytes(stages, generation=0):
    """A weights-only MPW2 blob of the stages, byte for byte what microprop::save_parameters writes."""
    parsed, count = microprop_blob.parse_layers(layers_spelling(stages))
    values = parameter_vector(stages)
    assert len(values) == count
    return microprop_blob.encode("float", microprop_blob.topology_hash(parsed, "float"), generation, values)


def float_literal(value):
    """A C++ float literal that reads back as exactly this float32 value."""
    text = f"{value:.9g}"
    if "e" not in text and "." not in text and "n" not in text:
        text += ".0"
    return text + "f"


def array_text(name, values, doc, type_name=None, per_line=6):
    type_name = type_name or f"std::array<float, {len(values)}>"
    lines = [f"/// {doc}", f"static constexpr {type_name} {name} = {{{{"]
    for start in range(0, len(values), per_line):
        lines.append("    " + " ".join(float_literal(v) + "," for v in values[start:start + per_line]))
    lines.append("}};")
    return "\n".join(lines)


def header_text(stages, name, namespace=None, freeze=0, source="a torch.nn.Sequential", int8=False):
    """The C++ header (see the module docstring). With freeze=K > 0 the first K Linear layers
    become a microprop::frozen backbone over constexpr parameters (flash; include/microprop/frozen.hpp)
    and the rest a trainable head network; `model` is fine_tuned<backbone, head>. With int8 also
    backbone8 (int8 weights, one float scale per output row, quantized by the compiler) and model8."""
    namespace = namespace or name
    guard = (f"{namespace.upper()}_{name.upper()}_HPP" if namespace != name else f"{name.upper()}_HPP").replace(":", "_")
    if not 0 <= freeze < len(stages):
        raise ExportError(f"--freeze {freeze}: the model has {len(stages)} Linear layers; at least the last "
                          "must stay trainable")
    frozen, trainable = stages[:freeze], stages[freeze:]
    trainable_name, array_name = ("head", "head_parameters") if frozen else ("network", "parameters")
    out = [f"// {name}: exported from {source} by examples/tools/torch_export.py -- do not edit.",
           f"// Layers (microprop_blob.py --layers): {layers_spelling(stages)}"
           + (f"; the first {freeze} frozen" if freeze else ""),
           "// The arrays are static constexpr: const storage, in flash on a microcontroller.",
           f"#ifndef {guard}", f"#define {guard}", "", "#include <array>", "#include <cstddef>"] + (["#include <cstdint>"] if int8 else []) + ["",
           "#include <microprop/microprop.hpp>"] + (["#include <microprop/frozen.hpp>"] if frozen else []) + [
           "", f"namespace {namespace} {{", ""]
    if frozen:
        backbone_type = type_spelling(frozen).replace("microprop::network<", "microprop::frozen<", 1)
        out += [f"/// The model's first {freeze} dense layer{'s' if freeze > 1 else ''}, frozen: inference only, parameters in flash.",
                f"using backbone = {backbone_type};",
                array_text("backbone_parameters", parameter_vector(frozen),
                           "The frozen layers' weights and biases in microprop's parameter order.",
                           "backbone::parameters_type"),
                "static_assert(backbone::check(backbone_parameters) == microprop::status::ok,",
                "              \"The exported frozen parameters are not all finite.\");", ""]
        if int8:
            out += ["/// The same frozen layers with int8 weights and one float scale per output row.",
                    f"using backbone8 = {backbone_type.replace('microprop::frozen<float,', 'microprop::frozen<std::int8_t,', 1)};",
                    "/// backbone_parameters quantized at compile time (per row: scale = max |w| / 127).",
                    "static constexpr backbone8::parameters_type backbone8_parameters = "
                    "backbone8::quantize(backbone_parameters);", ""]
    out += [f"/// The {'trainable layers after the frozen ones' if frozen else 'network'}, as PyTorch's modules.",
            f"using {trainable_name} = {type_spelling(trainable)};",
            array_text(array_name, parameter_vector(trainable),
                       f"{'The pretrained head' if frozen else 'Weights and biases'} in microprop's parameter order "
                       f"({trainable_name}::parameters())."),
            f"static_assert({array_name}.size() == {trainable_name}::parameter_count,",
            "              \"The exported parameter count differs from the network type's.\");", ""]
    if frozen:
        out += ["/// The frozen backbone feeding the trainable head.",
                "using model = microprop::fine_tuned<backbone, head>;"]
        if int8:
            out += ["/// The int8 backbone feeding the same head.", "using model8 = microprop::fine_tuned<backbone8, head>;"]
        out += [
                "/// The same layers as one trainable network (for comparing with full training).",
                f"using network = {type_spelling(stages)};", ""]
    out += [f"/// Copies the exported {array_name} into `net` ({trainable_name}::parameter_bytes bytes).",
            f"inline void load({trainable_name}& net)",
            "{",
            "    auto target = net.parameters();",
            f"    for (std::size_t k = 0; k < {array_name}.size(); ++k) target[k] = {array_name}[k];",
            "}", "",
            f"}}  // namespace {namespace}", "", "#endif", ""]
    return "\n".join(out)


def load_model(path):
    import torch
    try:
        try:  # PyTorch 2.6 and later load only tensors unless told that the file is trusted
            model = torch.load(path, map_location="cpu", weights_only=False)
        except TypeError:  # PyTorch before 1.13 has no weights_only
            model = torch.load(path, map_location="cpu")
    except Exception as error:  # torch raises many kinds; name the file either way
        raise ExportError(f"{path}: torch.load failed: {error}")
    if isinstance(model, dict):
        raise ExportError(f"{path}: holds a state_dict; save the module itself (torch.save(model, path))")
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("header", help="write a C++ header")
    p.add_argument("model")
    p.add_argument("--name", required=True, help="names the header's guard and, by default, its namespace")
    p.add_argument("--namespace")
    p.add_argument("--freeze", type=int, default=0, help="the first K Linear layers become a frozen backbone in flash")
    p.add_argument("--int8", action="store_true", help="with --freeze: also backbone8/model8, int8 weights per-row scaled")
    p.add_argument("-o", "--output", required=True)
    p = commands.add_parser("blob", help="write a weights-only MPW2 blob")
    p.add_argument("model")
    p.add_argument("--generation", type=int, default=0)
    p.add_argument("-o", "--output", required=True)
    args = parser.parse_args(argv)
    try:
        stages = stages_of(load_model(args.model))
        if args.command == "header":
            if args.int8 and not args.freeze:
                raise ExportError("--int8 applies to the frozen layers: give --freeze K too")
            text = header_text(stages, args.name, args.namespace, args.freeze, os.path.basename(args.model), args.int8)
            with open(args.output, "w") as out:
                out.write(text)
            print(f"wrote {args.output}: {type_spelling(stages)}")
        else:
            blob = blob_bytes(stages, args.generation)
            with open(args.output, "wb") as out:
                out.write(blob)
            print(f"wrote {len(blob)} bytes to {args.output}; layers {layers_spelling(stages)}")
    except (ExportError, microprop_blob.BlobError, OSError) as error:
        print(f"torch_export: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
