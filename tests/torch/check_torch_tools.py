#!/usr/bin/env python3
"""ctest torch_import_roundtrip: the PyTorch scripts against a microprop image.

Runs test_torch_roundtrip (through the port's emulator when given), which trains the exported
network on the device and prints its blob and its float outputs (bit patterns) for the golden
inputs. Then:
  1. torch_import.py's sequential_from_blob() loads the blob; PyTorch's outputs (float64 from the
     float32 parameters) match the device's within 1e-6 * (1 + |torch|), and the untrained
     export's outputs do not (so the comparison can fail);
  2. torch_export.py exports that Sequential back to a blob byte for byte equal to the device's
     (generation aside);
  3. the blob with one parameter byte changed is refused (CRC);
  4. the exporter refuses, naming the module, every model it cannot map;
  5. the command lines: torch_export.py blob of the imported model saved with torch.save, then
     torch_import.py of that blob, write the same module again; torch_import.py of a head blob
     (the last four layers) with --backbone (the first two) gives the whole network back.
Exit 0 when all hold, 1 otherwise, 77 when torch is not importable (ctest reports it skipped).

    check_torch_tools.py [--emulator CMD@@ARG@@...] PROGRAM
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_torch_roundtrip  # noqa: E402  (exits 77 when torch is not importable; puts examples/tools on the path)
torch = make_torch_roundtrip.torch
import microprop_blob  # noqa: E402
import torch_export  # noqa: E402
import torch_import  # noqa: E402

TOLERANCE = 1e-6
failures = []


def check(condition, message):
    print(("ok: " if condition else "FAILED: ") + message)
    if not condition:
        failures.append(message)


def golden_inputs():
    text = open(os.path.join(HERE, "torch_roundtrip_model.hpp")).read()
    body = re.search(r"float inputs\[(\d+)\] = \{(.*?)\};", text, re.S)
    values = [float(v.rstrip("f")) for v in re.findall(r"[-0-9.e+]+f", body.group(2))]
    return torch.tensor(values, dtype=torch.float32).reshape(-1, 6)


def worst_error(model, inputs, device_outputs):
    with torch.no_grad():
        reference = model.double()(inputs.double())
    scaled = (torch.tensor(device_outputs, dtype=torch.float64) - reference).abs() / (1 + reference.abs())
    return float(scaled.max())


def refusals():
    """(model, words the message must contain) that the exporter must refuse."""
    nn = torch.nn
    bad_weight = nn.Linear(3, 2)
    with torch.no_grad():
        bad_weight.weight[1, 2] = float("nan")
    return [
        (nn.Sequential(nn.Conv1d(1, 2, 3)), "Conv1d"),
        (nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4)), "BatchNorm1d"),
        (nn.Sequential(nn.Linear(3, 4), nn.LogSoftmax(dim=1)), "LogSoftmax"),
        (nn.Sequential(nn.Linear(3, 4), nn.ELU()), "ELU"),
        (nn.Sequential(nn.Linear(3, 4), nn.Softmax(dim=1), nn.Linear(4, 2)), "softmax may only be the last"),
        (nn.Sequential(nn.Linear(3, 4), nn.Softmax(dim=0)), "dim=0"),
        (nn.Sequential(nn.ReLU(), nn.Linear(3, 4)), "before the first Linear"),
        (nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Tanh()), "second activation"),
        (nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(1.5)), "0 < slope < 1"),
        (nn.Sequential(nn.Linear(3, 4), nn.Linear(5, 2)), "takes 5 inputs"),
        (nn.Sequential(bad_weight), "NaN or infinite"),
        (nn.Linear(3, 4), "only a torch.nn.Sequential"),
    ]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--emulator", default="")
    parser.add_argument("program")
    args = parser.parse_args()
    command = [part for part in args.emulator.split("@@") if part] + [args.program]
    run = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    output = run.stdout.decode("ascii", errors="replace")
    check(run.returncode == 0, f"{' '.join(command)} exited with status {run.returncode}")
    header = re.search(r"torch-import layers=(\S+) blob=([0-9a-f]+)", output)
    outputs = [[struct.unpack(">f", bytes.fromhex(word))[0] for word in line.split(",")]
               for line in re.findall(r"torch-import output=([0-9a-f,]+)", output)]
    if not header or not outputs:
        print(output)
        check(False, "the program printed no torch-import lines")
        return 1
    layers, blob = header.group(1), bytes.fromhex(header.group(2))
    inputs = golden_inputs()

    model, fields = torch_import.sequential_from_blob(blob, layers)
    print(model)
    worst = worst_error(model, inputs, outputs)
    check(worst <= TOLERANCE, f"imported blob: largest |device - torch| / (1 + |torch|) = {worst:.2e} "
                              f"(tolerance {TOLERANCE:g}) over {len(outputs)} samples")
    untrained = worst_error(make_torch_roundtrip.build_model(), inputs, outputs)
    check(untrained > 100 * TOLERANCE, f"the untrained export differs from the device's outputs by {untrained:.2e} "
                                       "(the comparison can fail)")

    again = torch_export.blob_bytes(torch_export.stages_of(model), generation=fields["generation"])
    check(again == blob, f"torch_export.py writes the imported model back as the device's {len(blob)}-byte blob")

    damaged = bytearray(blob)
    damaged[40] ^= 0x01
    try:
        torch_import.sequential_from_blob(bytes(damaged), layers)
        check(False, "a blob with byte 40 changed was imported")
    except microprop_blob.BlobError as error:
        check("CRC" in str(error), f"a blob with byte 40 changed is refused: {error}")
    try:
        torch_import.sequential_from_blob(blob, layers.replace("relu,", "tanh,", 1))
        check(False, "the blob was imported with another layer list")
    except microprop_blob.BlobError as error:
        check("topology hash" in str(error), f"another layer list is refused: {error}")

    for bad, words in refusals():
        try:
            torch_export.stages_of(bad)
            check(False, f"the exporter accepted {bad!r}")
        except torch_export.ExportError as error:
            check(words in str(error), f"refused: {error}")
    check(torch_export.leaky_slope_fraction(0.01) == (1, 100), "LeakyReLU(0.01) is basic_leaky_relu<1, 100>")

    tools = os.path.join(HERE, "..", "..", "examples", "tools")
    with tempfile.TemporaryDirectory() as work:
        saved, exported, imported = (os.path.join(work, name) for name in ("model.pt", "model.bin", "back.pt"))
        torch.save(model.float(), saved)
        commands = [[sys.executable, os.path.join(tools, "torch_export.py"), "blob", saved, "-o", exported],
                    [sys.executable, os.path.join(tools, "torch_export.py"), "header", saved, "--name", "cli",
                     "--freeze", "2", "--int8", "-o", os.path.join(work, "cli.hpp")],
                    [sys.executable, os.path.join(tools, "torch_import.py"), exported, "--layers", layers,
                     "-o", imported]]
        for command in commands:
            done = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            check(done.returncode == 0, f"{os.path.basename(command[1])} {command[2]}: "
                                        f"{done.stdout.decode(errors='replace').strip()}")
        again = torch_export.stages_of(torch_export.load_model(imported))
        check(torch_export.blob_bytes(again, fields["generation"]) == blob,
              "the command lines' export and import give the device's blob back")
        stages = torch_export.stages_of(model)
        head_blob = os.path.join(work, "head.bin")
        with open(head_blob, "wb") as out:
            out.write(torch_export.blob_bytes(stages[2:]))
        rebuilt = os.path.join(work, "rebuilt.pt")
        done = subprocess.run([sys.executable, os.path.join(tools, "torch_import.py"), head_blob, "--layers",
                               torch_export.layers_spelling(stages[2:]), "--backbone", saved, "--freeze", "2",
                               "-o", rebuilt], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        check(done.returncode == 0, f"torch_import.py HEAD --backbone --freeze 2: {done.stdout.decode(errors='replace').strip()}")
        if done.returncode == 0:
            whole = torch_export.stages_of(torch_export.load_model(rebuilt))
            check(torch_export.blob_bytes(whole) == torch_export.blob_bytes(stages),
                  "the backbone's two layers and the head's blob make the device's network again")
        done = subprocess.run([sys.executable, os.path.join(tools, "torch_import.py"), head_blob, "--layers",
                               torch_export.layers_spelling(stages[2:]), "--backbone", saved, "--freeze", "3",
                               "-o", rebuilt], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        check(done.returncode == 1 and b"the head takes 8" in done.stdout,
              f"a backbone of the wrong width is refused: {done.stdout.decode(errors='replace').strip()}")
        header = open(os.path.join(work, "cli.hpp")).read()
        check("using backbone = microprop::frozen<float, microprop::dense<6, 8>, microprop::tanh, "
              "microprop::dense<8, 8>, microprop::basic_leaky_relu<1, 5>>;" in header and
              "using model8 = microprop::fine_tuned<backbone8, head>;" in header,
              "--freeze 2 --int8 declares the two-layer backbone, its int8 form and model8")
    print(f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
