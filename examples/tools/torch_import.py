#!/usr/bin/env python3
"""Imports a microprop weight blob (saved on the device) into a PyTorch torch.nn.Sequential.

Runs on a PC with PyTorch (Debian: apt install python3-torch). A blob holds the parameters
and a hash of the network's shape, not the shape itself, so the layers are given in the
spelling of examples/tools/microprop_blob.py (torch_export.py prints it):

    torch_import.py BLOB --layers 64x32:relu,32x10:softmax [-o model.pt] [--print]
    torch_import.py HEAD_BLOB --layers 32x10:softmax --backbone pretrained.pt --freeze 1 -o tuned.pt

The second form rebuilds a network fine-tuned on the device (torch_export.py --freeze K): the
first K Linear layers and their activations come from the PyTorch model the backbone was
exported from, the rest from the head's blob (save_parameters(model.head(), ...)).

BLOB is a binary file or text with the blob in hex (e.g. a device's console output with a
`blob: 4d505732...` line). The CRC and the topology hash are checked first; a blob of a
training state (with optimizer section) gives its network. Each dense layer becomes a
torch.nn.Linear (float32) followed by ReLU, Sigmoid, Tanh, LeakyReLU(slope), Softmax(dim=-1)
or nothing (identity). Tied layers (microprop::tied) and double blobs are refused.
-o writes the module with torch.save(model, path); --print prints it and its parameters.
Exit status: 0 on success, 1 when the blob does not check out, 2 on bad usage.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import microprop_blob  # noqa: E402
import torch_export  # noqa: E402


def sequential_from_blob(blob, layers):
    """A torch.nn.Sequential holding the blob's parameters (bytes) for the --layers spelling."""
    import torch
    fields = microprop_blob.decode(blob)
    microprop_blob.check_finite(fields["parameters"], "parameter")
    stages = microprop_blob.check_against_layers(fields, layers)
    if fields["scalar"] != "float":
        raise microprop_blob.BlobError(f"a {fields['scalar']} blob: only float networks map to float32 torch modules")
    values = fields["parameters"]
    modules = []
    for index, s in enumerate(stages):
        if s["transposed"]:
            raise microprop_blob.BlobError(f"layer {index} is tied; torch.nn.Linear cannot share a transposed matrix")
        linear = torch.nn.Linear(s["inputs"], s["outputs"])
        count = s["inputs"] * s["outputs"]
        weight = torch.tensor(values[s["weight_offset"]:s["weight_offset"] + count], dtype=torch.float32)
        bias = torch.tensor(values[s["bias_offset"]:s["bias_offset"] + s["outputs"]], dtype=torch.float32)
        with torch.no_grad():
            linear.weight.copy_(weight.reshape(s["outputs"], s["inputs"]))
            linear.bias.copy_(bias)
        modules.append(linear)
        name = s["activation_name"]
        if name == "relu":
            modules.append(torch.nn.ReLU())
        elif name == "sigmoid":
            modules.append(torch.nn.Sigmoid())
        elif name == "tanh":
            modules.append(torch.nn.Tanh())
        elif name == "leaky_relu":
            modules.append(torch.nn.LeakyReLU(negative_slope=s["parameter"]))
        elif name == "softmax":
            modules.append(torch.nn.Softmax(dim=-1))
    return torch.nn.Sequential(*modules), fields


def with_backbone(head, backbone_model, freeze):
    """torch.nn.Sequential of backbone_model's modules up to its freeze-th Linear and the activation
    after it, then `head`'s; refuses a backbone whose output width is not the head's input width."""
    import torch
    stages = torch_export.stages_of(backbone_model)  # refuses what the exporter would refuse
    if not 0 < freeze < len(stages) + 1:
        raise microprop_blob.BlobError(f"--freeze {freeze}: the backbone model has {len(stages)} Linear layers")
    if stages[freeze - 1]["outputs"] != head[0].in_features:
        raise microprop_blob.BlobError(f"the backbone's layer {freeze - 1} gives {stages[freeze - 1]['outputs']} "
                                       f"values, the head takes {head[0].in_features}")
    kept, linears = [], 0
    for module in torch_export._flatten(backbone_model):
        if isinstance(module, (torch.nn.Identity, torch.nn.Dropout)):
            continue
        if isinstance(module, torch.nn.Linear):
            if linears == freeze:
                break
            linears += 1
        kept.append(module)
    return torch.nn.Sequential(*kept, *head)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("blob")
    parser.add_argument("--layers", required=True)
    parser.add_argument("-o", "--output", help="torch.save the module here")
    parser.add_argument("--print", action="store_true", help="print the module and its parameters")
    parser.add_argument("--backbone", help="the torch.save'd model whose first --freeze Linear layers go first")
    parser.add_argument("--freeze", type=int, default=0)
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("torch_import: PyTorch is not installed (Debian: apt install python3-torch)", file=sys.stderr)
        return 1
    if bool(args.backbone) != bool(args.freeze):
        parser.error("--backbone and --freeze go together")
    try:
        model, fields = sequential_from_blob(microprop_blob.read_blob(args.blob), args.layers)
        if args.backbone:
            model = with_backbone(model, torch_export.load_model(args.backbone), args.freeze)
    except (microprop_blob.BlobError, torch_export.ExportError, OSError) as error:
        print(f"torch_import: {error}", file=sys.stderr)
        return 1
    print(f"blob: generation {fields['generation']}, {len(fields['parameters'])} parameters, "
          f"optimizer {fields['optimizer']}; topology hash matches {args.layers}")
    if args.print:
        print(model)
        for name, value in model.state_dict().items():
            print(name, value.tolist())
    if args.output:
        torch.save(model, args.output)
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
