#!/usr/bin/env python3
"""Draws the training-curve figure of a device's console log (Python 3 standard library only).

    python3 examples/tools/log_to_svg.py console.log -o training.svg [--title "digits on the board"]

Reads the lines the classifier examples print once per epoch,

    epoch 3 loss=8.9527e-02 train_acc=0.9680 test_acc=0.9499

(`train_acc` and `test_acc` are optional; other lines, e.g. a serial terminal's noise, are
skipped) and writes the figure the examples write on the host (examples/common/figure.hpp):
mean loss per epoch on a log axis above training and test accuracy. Reads standard input
when the log is `-`. Fails when the log has no epoch line.
"""

import argparse
import math
import re
import sys

WIDTH = 640.0
PANEL_HEIGHT = 280.0
LEFT, RIGHT, TOP, BOTTOM = 78.0, 150.0, 34.0, 50.0
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
EPOCH_LINE = re.compile(r"epoch\s+(\d+)\s+(.*)")
FIELD = re.compile(r"([a-z_]+)=([-+0-9.eE]+|nan|inf)")


def parse(lines):
    """Epoch numbers and the values of each key, in the order of the log."""
    epochs, values = [], {}
    for line in lines:
        m = EPOCH_LINE.search(line)
        if not m:
            continue
        fields = dict(FIELD.findall(m.group(2)))
        if "loss" not in fields:
            continue
        epochs.append(int(m.group(1)))
        for key in ("loss", "train_acc", "test_acc"):
            if key in fields:
                values.setdefault(key, []).append((int(m.group(1)), float(fields[key])))
    return epochs, values


def nice_axis(low, high):
    """A range widened to whole multiples of a 1-2-5 step, about five ticks (as figure.hpp)."""
    if not high > low:
        pad = 1.0 if low == 0 else abs(low) * 0.1
        low, high = low - pad, high + pad
    raw = (high - low) / 5.0
    magnitude = 10.0 ** math.floor(math.log10(raw))
    fraction = raw / magnitude
    step = (1.0 if fraction <= 1 else 2.0 if fraction <= 2 else 5.0 if fraction <= 5 else 10.0) * magnitude
    return math.floor(low / step + 1e-9) * step, math.ceil(high / step - 1e-9) * step, step


def fmt(v):
    return "%g" % (0.0 if abs(v) < 1e-12 else v)


def panel(out, title, x_label, y_label, lines, log_y, y0):
    points = [(x, math.log10(y) if log_y else y) for _, pts in lines for x, y in pts
              if math.isfinite(y) and (y > 0 or not log_y)]
    if not points:
        points = [(0.0, 0.0), (1.0, 1.0)]
    xl, xh, xs = nice_axis(min(p[0] for p in points), max(p[0] for p in points))
    if log_y:
        yl, yh, ys = math.floor(min(p[1] for p in points)), math.ceil(max(p[1] for p in points)), 1.0
        yh = yh if yh > yl else yl + 1.0
    else:
        yl, yh, ys = nice_axis(min(p[1] for p in points), max(p[1] for p in points))
    pw, ph = WIDTH - LEFT - RIGHT, PANEL_HEIGHT - TOP - BOTTOM
    px, py = LEFT, y0 + TOP

    def sx(x):
        return px + (x - xl) / (xh - xl) * pw

    def sy(y):
        return py + ph - (y - yl) / (yh - yl) * ph

    out.append('<text x="%.1f" y="%.1f" text-anchor="middle" font-size="15" font-weight="bold">%s</text>'
               % (px + pw / 2, y0 + 20, title))
    out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#000"/>' % (px, py, pw, ph))
    t = xl
    while t <= xh + xs * 1e-6:
        out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>' % (sx(t), py, sx(t), py + ph))
        out.append('<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>' % (sx(t), py + ph + 16, fmt(t)))
        t += xs
    t = yl
    while t <= yh + ys * 1e-6:
        out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>' % (px, sy(t), px + pw, sy(t)))
        label = "1e%d" % round(t) if log_y else fmt(t)
        out.append('<text x="%.1f" y="%.1f" text-anchor="end">%s</text>' % (px - 6, sy(t) + 4, label))
        t += ys
    out.append('<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>' % (px + pw / 2, py + ph + 36, x_label))
    out.append('<text transform="translate(%.1f %.1f) rotate(-90)" text-anchor="middle">%s</text>'
               % (px - 52, py + ph / 2, y_label))
    for s, (name, pts) in enumerate(lines):
        color = COLORS[s % len(COLORS)]
        coords = " ".join("%.1f,%.1f" % (sx(x), sy(math.log10(y) if log_y else y)) for x, y in pts
                          if math.isfinite(y) and (y > 0 or not log_y))
        out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (color, coords))
        ly = py + 14 + 20.0 * s
        out.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2"/>'
                   % (px + pw + 12, ly - 4, px + pw + 36, ly - 4, color))
        out.append('<text x="%.1f" y="%.1f" text-anchor="start">%s</text>' % (px + pw + 42, ly, name))


def figure(values, title):
    panels = [("Loss per epoch", "epoch", "mean loss (log scale)", [("training", values["loss"])], True)]
    accuracy = [(name, values[key]) for key, name in (("train_acc", "training"), ("test_acc", "test"))
                if key in values]
    if accuracy:
        panels.append(("Accuracy per epoch", "epoch", "accuracy", accuracy, False))
    height = 30.0 + PANEL_HEIGHT * len(panels)
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           '<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" '
           'font-family="DejaVu Sans, Arial, sans-serif" font-size="12">' % (WIDTH, height, WIDTH, height),
           '<rect width="100%" height="100%" fill="#fff"/>',
           '<text x="%.1f" y="22" text-anchor="middle" font-size="17" font-weight="bold">%s</text>'
           % (WIDTH / 2, title.replace("&", "&amp;").replace("<", "&lt;"))]
    for k, (t, xl, yl, lines, log_y) in enumerate(panels):
        panel(out, t, xl, yl, lines, log_y, 30.0 + PANEL_HEIGHT * k)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description="Training-curve SVG from a microprop console log.")
    parser.add_argument("log", help="console log, or - for standard input")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--title", default="training curve")
    args = parser.parse_args(argv)
    if args.log == "-":
        lines = sys.stdin.read().splitlines()
    else:
        with open(args.log, errors="replace") as f:
            lines = f.read().splitlines()
    epochs, values = parse(lines)
    if not epochs:
        sys.exit("log_to_svg: no `epoch N loss=...` line in %s" % args.log)
    with open(args.output, "w", newline="\n") as f:
        f.write(figure(values, args.title))


if __name__ == "__main__":
    main(sys.argv[1:])
