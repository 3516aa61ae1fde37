#!/usr/bin/env python3
"""Writes tests/torch/torch_roundtrip_model.hpp: a random torch.nn.Sequential with every activation
torch and microprop share, exported by examples/tools/torch_export.py, with golden inputs, PyTorch's
output of every Linear+activation stage for them, and the weights-only blob the exporter writes.

PyTorch evaluates the exported float32 parameters in float64 (model.double()), so the goldens do not
depend on the host's float32 summation order and the C++ test's tolerance covers only microprop's
float32 rounding. Deterministic (fixed seeds): `--check` regenerates in memory and fails unless the
committed header is identical (ctest torch_export_regenerates). Exit 77 when torch is missing.

    /usr/bin/python3 tests/torch/make_torch_roundtrip.py [--check]
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "tools"))
try:
    import torch
except ImportError:
    print("make_torch_roundtrip: PyTorch is not importable (Debian: apt install python3-torch); skipped")
    sys.exit(77)
import torch_export  # noqa: E402

OUTPUT = os.path.join(HERE, "torch_roundtrip_model.hpp")
SEED = 20261206
SAMPLES = 8


def build_model():
    """6 -> 8 tanh -> 8 leaky(0.2) -> 7 sigmoid -> 7 relu -> 5 (identity) -> 4 softmax, with Dropout
    and Identity modules the exporter drops, and biases made larger than PyTorch's default so that
    the ReLU and leaky-ReLU layers have units on both sides of zero."""
    torch.manual_seed(SEED)
    model = torch.nn.Sequential(
        torch.nn.Linear(6, 8), torch.nn.Tanh(),
        torch.nn.Linear(8, 8), torch.nn.LeakyReLU(0.2),
        torch.nn.Linear(8, 7), torch.nn.Sigmoid(), torch.nn.Dropout(0.1),
        torch.nn.Sequential(torch.nn.Linear(7, 7), torch.nn.ReLU()),
        torch.nn.Linear(7, 5), torch.nn.Identity(),
        torch.nn.Linear(5, 4), torch.nn.Softmax(dim=-1))
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.Linear):
                module.weight.mul_(2.0)
                module.bias.uniform_(-0.5, 0.5)
    return model.eval()


def stage_outputs(model, inputs):
    """The output after each Linear and its activation, in float64 from the float32 parameters."""
    outputs, x = [], inputs.double()
    modules = list(torch_export._flatten(model.double()))
    for index, module in enumerate(modules):
        x = module(x)
        following = modules[index + 1] if index + 1 < len(modules) else None
        is_activation = not isinstance(module, (torch.nn.Linear, torch.nn.Dropout, torch.nn.Identity))
        if isinstance(module, torch.nn.Linear) and not (following is not None and not isinstance(
                following, (torch.nn.Linear, torch.nn.Dropout, torch.nn.Identity))):
            outputs.append(x)  # a Linear without an activation after it
        elif is_activation:
            outputs.append(x)
    return outputs


def c_array(kind, name, values, per_line=6, doc=""):
    lines = ([f"/// {doc}"] if doc else []) + [f"static constexpr {kind} {name}[{len(values)}] = {{"]
    for start in range(0, len(values), per_line):
        lines.append("    " + " ".join(f"{v}," for v in values[start:start + per_line]))
    return "\n".join(lines + ["};"])


def generate():
    model = build_model()
    stages = torch_export.stages_of(model)
    text = torch_export.header_text(stages, "torch_roundtrip", "torch_roundtrip",
                                    source="tests/torch/make_torch_roundtrip.py")
    generator = torch.Generator().manual_seed(SEED + 1)
    inputs = (torch.rand(SAMPLES, 6, generator=generator) * 4.0 - 2.0).float()
    outputs = stage_outputs(model, inputs)
    assert len(outputs) == len(stages)
    blob = torch_export.blob_bytes(stages, generation=16)
    extra = [f"/// The layers in microprop_blob.py's --layers spelling.\n"
             f"static constexpr char layers[] = \"{torch_export.layers_spelling(stages)}\";",
             f"/// Golden samples.\nstatic constexpr std::size_t sample_count = {SAMPLES};",
             c_array("float", "inputs", [torch_export.float_literal(v) for v in inputs.flatten().tolist()],
                     doc="sample_count inputs of network::input_size values, uniform in [-2, 2)")]
    for index, out in enumerate(outputs):
        extra.append(c_array("double", f"stage{index}_outputs", [f"{v:.17g}" for v in out.flatten().tolist()], 4,
                             doc=f"PyTorch (float64) after Linear {index} and its activation, per sample"))
    extra.append("/// Every stage's golden outputs, indexed by layer.\nstatic constexpr const double* stage_outputs[] = {"
                 + ", ".join(f"stage{k}_outputs" for k in range(len(outputs))) + "};")
    extra.append(c_array("unsigned char", "exported_blob", [f"0x{b:02x}" for b in blob], 12,
                         doc="torch_export.py blob --generation 16: what microprop::save_parameters must write"))
    closing = "}  // namespace torch_roundtrip"
    return text.replace(closing, "\n\n".join(extra) + "\n\n" + closing)


def main():
    text = generate()
    if "--check" in sys.argv[1:]:
        committed = open(OUTPUT).read()
        if committed != text:
            print(f"make_torch_roundtrip: {OUTPUT} differs from what the exporter writes now; regenerate it")
            return 1
        print(f"make_torch_roundtrip: {OUTPUT} is exactly what the exporter writes (torch {torch.__version__})")
        return 0
    with open(OUTPUT, "w") as out:
        out.write(text)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
