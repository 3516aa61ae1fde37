#!/usr/bin/env python3
"""Pretrains the transfer example's digits networks in PyTorch and exports them for the device.

The PC's data are the first half of the digits training split (examples/data/digits_data.hpp)
with classes 0..6 only: it never sees a 7, 8 or 9. The device's own data are the second half of
the training split, all ten classes; both are tested on the test split. Two networks are trained
(Adam, cross-entropy on the logits, fixed seeds, one thread) and exported by
examples/tools/torch_export.py with their first layer frozen:

    pretrained_64_32_10.hpp    64-32-10 relu/softmax   (examples/transfer: fine-tune vs full training)
    pretrained_64_128_10.hpp   64-128-10 relu/softmax  (examples/transfer_wide: too big to train fully
                                                        in the micro:bit's 16 KB, fine-tuned in it)
    device_split.hpp           the device's training indices

Run on a PC with PyTorch (Debian: apt install python3-torch); the outputs are committed, so no
build runs this:  /usr/bin/python3 examples/transfer/pretrain.py [--save DIR]
(--save DIR also torch.saves the two models as DIR/pretrained_64_N_10.pt, e.g. for
examples/tools/torch_import.py --backbone).
"""
import os
import re
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import torch_export  # noqa: E402

SEED = 20261206
PC_CLASSES = 7  # the PC trains on classes 0..6
EPOCHS = 40
DATA_HEADER = os.path.join(HERE, "..", "data", "digits_data.hpp")


def header_array(text, name):
    body = re.search(r"\b" + name + r"\[[^\]]*\](?:\[[^\]]*\])? = \{(.*?)\};", text, re.S).group(1)
    return [int(v) for v in re.findall(r"\d+", body)]


def load_digits():
    text = open(DATA_HEADER).read()
    pixels = torch.tensor(header_array(text, "pixels"), dtype=torch.float32).reshape(-1, 64) / 16.0
    labels = torch.tensor(header_array(text, "labels"), dtype=torch.long)
    return pixels, labels, header_array(text, "train_index"), header_array(text, "test_index")


def accuracy(model, x, y):
    with torch.no_grad():
        return float((model(x).argmax(dim=1) == y).float().mean())


def pretrain(hidden, x, y):
    torch.manual_seed(SEED + hidden)
    model = torch.nn.Sequential(torch.nn.Linear(64, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.003)
    loss = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(SEED)
    for _ in range(EPOCHS):
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x), 32):
            batch = order[start:start + 32]
            optimizer.zero_grad()
            loss(model(x[batch]), y[batch]).backward()
            optimizer.step()
    return torch.nn.Sequential(*model, torch.nn.Softmax(dim=-1)).eval()


def main():
    save_dir = sys.argv[sys.argv.index("--save") + 1] if "--save" in sys.argv[1:-1] else None
    torch.set_num_threads(1)
    pixels, labels, train_index, test_index = load_digits()
    half = len(train_index) // 2
    pc_index = [i for i in train_index[:half] if labels[i] < PC_CLASSES]
    device_index = train_index[half:]
    test_x, test_y = pixels[test_index], labels[test_index]
    pytorch_accuracy = {}
    for hidden in (32, 128):
        model = pretrain(hidden, pixels[pc_index], labels[pc_index])
        name = f"pretrained_64_{hidden}_10"
        seen = test_y < PC_CLASSES
        print(f"{name}: {len(pc_index)} PC images of classes 0..{PC_CLASSES - 1}; test accuracy "
              f"{accuracy(model, test_x[seen], test_y[seen]):.4f} on those classes, "
              f"{accuracy(model, test_x, test_y):.4f} on all ten")
        with torch.no_grad():
            pytorch_accuracy[hidden] = int((model(test_x).argmax(dim=1) == test_y).sum())
        text = torch_export.header_text(torch_export.stages_of(model), name, name, freeze=1,
                                        source="examples/transfer/pretrain.py", int8=hidden == 128)
        with open(os.path.join(HERE, name + ".hpp"), "w") as out:
            out.write(text)
        if save_dir:
            torch.save(model, os.path.join(save_dir, name + ".pt"))
    lines = ["// Written by examples/transfer/pretrain.py -- do not edit.",
             "// The device's own training images: the second half of digits_data.hpp's train_index",
             f"// (the PC pretrained on classes 0..{PC_CLASSES - 1} of the first half).",
             "#ifndef TRANSFER_DEVICE_SPLIT_HPP", "#define TRANSFER_DEVICE_SPLIT_HPP", "", "#include <cstddef>",
             "#include <cstdint>", "", "namespace device_split {", "",
             f"/// Classes the PC pretrained on: 0..pc_classes - 1.\nstatic constexpr std::size_t pc_classes = {PC_CLASSES};",
             f"/// Images the PC pretrained on.\nstatic constexpr std::size_t pc_count = {len(pc_index)};",
             "/// Test images PyTorch classified right with each pretrained network (float32, as exported).",
             f"static constexpr std::size_t pytorch_test_correct_64_32_10 = {pytorch_accuracy[32]};",
             f"static constexpr std::size_t pytorch_test_correct_64_128_10 = {pytorch_accuracy[128]};",
             "/// Indices into microprop_data::digits of the device's training images.",
             f"static constexpr std::uint16_t device_index[{len(device_index)}] = {{"]
    for start in range(0, len(device_index), 20):
        lines.append("    " + ",".join(str(v) for v in device_index[start:start + 20]) + ",")
    lines += ["};", "", "}  // namespace device_split", "", "#endif", ""]
    with open(os.path.join(HERE, "device_split.hpp"), "w") as out:
        out.write("\n".join(lines))
    print(f"device: {len(device_index)} training images of all ten classes; test split {len(test_index)} images")


if __name__ == "__main__":
    main()
