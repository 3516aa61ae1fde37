#!/usr/bin/python3
"""Writes tests/golden/golden_values.hpp: forward and backward passes of a few
small networks, computed independently of microprop in numpy (float64).

Run:  /usr/bin/python3 tests/golden/generate_golden.py
(Debian: apt-get install python3-numpy.) The header is committed, so the tests
never need Python.

Independence: the backward pass here is the textbook chain rule with explicit
Jacobians taken at the pre-activations u (softmax: diag(y) - y y^T; the losses'
own dE/dy), not microprop's fused output deltas or its derivatives written in
terms of z. The script checks its own gradients against central differences
before writing anything.

Parameters and inputs are multiples of 1/1024 (exact in float), so float and
double networks load exactly the same values and the float tests measure
arithmetic only. Every ReLU-type pre-activation is kept at least 1e-2 away
from the kink, so float rounding cannot move a unit across it.

The second part reproduces microprop's documented initialisation bit for bit
(xoshiro128** seeded through splitmix32, see include/microprop/random.hpp;
Glorot/He uniform limits, see network.hpp), so a test can show that the same
seed gives the same weights on every platform.
"""

import os
import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden_values.hpp")

# ---------------------------------------------------------------------------
# Activations and their derivatives, as functions of the pre-activation u.

LEAKY_SLOPE = 1.0 / 8.0  # microprop::basic_leaky_relu<1, 8> (exact in float)


def act(kind, u):
    if kind == "identity":
        return u.copy()
    if kind == "sigmoid":
        return 1.0 / (1.0 + np.exp(-u))
    if kind == "tanh":
        return np.tanh(u)
    if kind == "relu":
        return np.where(u > 0, u, 0.0)
    if kind == "leaky_relu":
        return np.where(u > 0, u, LEAKY_SLOPE * u)
    if kind == "softmax":
        e = np.exp(u - u.max())
        return e / e.sum()
    raise ValueError(kind)


def act_jacobian(kind, u):
    """dz/du as a full matrix."""
    if kind == "softmax":
        y = act("softmax", u)
        return np.diag(y) - np.outer(y, y)
    if kind == "identity":
        d = np.ones_like(u)
    elif kind == "sigmoid":
        e = np.exp(-u)
        d = e / (1.0 + e) ** 2
    elif kind == "tanh":
        d = 1.0 / np.cosh(u) ** 2
    elif kind == "relu":
        d = np.where(u > 0, 1.0, 0.0)
    elif kind == "leaky_relu":
        d = np.where(u > 0, 1.0, LEAKY_SLOPE)
    else:
        raise ValueError(kind)
    return np.diag(d)


def loss_value(kind, y, d):
    if kind == "squared_error":
        return 0.5 * np.sum((y - d) ** 2)
    if kind == "cross_entropy":
        return -np.sum(d * np.log(y))
    if kind == "binary_cross_entropy":
        return -np.sum(d * np.log(y) + (1 - d) * np.log(1 - y))
    raise ValueError(kind)


def loss_grad(kind, y, d):
    """dE/dy."""
    if kind == "squared_error":
        return y - d
    if kind == "cross_entropy":
        return -d / y
    if kind == "binary_cross_entropy":
        return -d / y + (1 - d) / (1 - y)
    raise ValueError(kind)


# ---------------------------------------------------------------------------
# A network: list of (inputs, outputs, activation); parameters in microprop's
# documented order: W0 [out][in] row-major, b0, W1, b1, ...


def unpack(layers, theta):
    out = []
    k = 0
    for n_in, n_out, kind in layers:
        W = theta[k:k + n_in * n_out].reshape(n_out, n_in)
        k += n_in * n_out
        b = theta[k:k + n_out]
        k += n_out
        out.append((W, b, kind))
    assert k == len(theta)
    return out


def parameter_count(layers):
    return sum(i * o + o for i, o, _ in layers)


def forward(layers, theta, x):
    z = x
    us, zs = [], [x]
    for W, b, kind in unpack(layers, theta):
        u = W @ z + b
        z = act(kind, u)
        us.append(u)
        zs.append(z)
    return us, zs


def sample_loss_and_gradient(layers, theta, x, d, loss):
    us, zs = forward(layers, theta, x)
    y = zs[-1]
    E = loss_value(loss, y, d)
    params = unpack(layers, theta)
    grads = []
    g = loss_grad(loss, y, d)  # dE/dz^(L)
    for l in reversed(range(len(params))):
        W, b, kind = params[l]
        delta = act_jacobian(kind, us[l]).T @ g  # dE/du^(l)
        grads.append((np.outer(delta, zs[l]).ravel(), delta.copy()))
        g = W.T @ delta  # dE/dz^(l-1)
    grads.reverse()
    flat = np.concatenate([np.concatenate([gw, gb]) for gw, gb in grads])
    return y, E, flat, us


def batch_loss_and_gradient(layers, theta, xs, ds, loss):
    """Mean loss and mean gradient over the samples (DL 4.15 with 1/N)."""
    n = len(xs)
    ys, E, G = [], 0.0, np.zeros_like(theta)
    for x, d in zip(xs, ds):
        y, e, g, _ = sample_loss_and_gradient(layers, theta, x, d, loss)
        ys.append(y)
        E += e / n
        G += g / n
    return np.array(ys), E, G


def self_check(layers, theta, xs, ds, loss):
    """The numpy backprop against central differences (float64, h = 1e-6)."""
    _, _, G = batch_loss_and_gradient(layers, theta, xs, ds, loss)
    h = 1e-6
    for p in range(len(theta)):
        up = theta.copy()
        up[p] += h
        dn = theta.copy()
        dn[p] -= h
        num = (batch_loss_and_gradient(layers, up, xs, ds, loss)[1] -
               batch_loss_and_gradient(layers, dn, xs, ds, loss)[1]) / (2 * h)
        assert abs(num - G[p]) <= 1e-7 + 1e-6 * abs(num), (p, num, G[p])


def kink_margin(layers, theta, xs):
    margin = np.inf
    for x in xs:
        us, _ = forward(layers, theta, x)
        for (n_in, n_out, kind), u in zip(layers, us):
            if kind in ("relu", "leaky_relu"):
                margin = min(margin, np.abs(u).min())
    return margin


def grid(rng, shape, scale):
    """Uniform values in [-scale, scale] rounded to multiples of 1/1024."""
    return np.round(rng.uniform(-scale, scale, size=shape) * 1024.0) / 1024.0


def make_case(name, cxx_type, layers, loss, xs, ds, seed, comment):
    rng = np.random.default_rng(seed)
    # Draw parameters until every ReLU unit is clear of its kink.
    for _ in range(1000):
        parts = []
        for n_in, n_out, _ in layers:
            parts.append(grid(rng, n_in * n_out, 1.2 / np.sqrt(n_in)))
            parts.append(grid(rng, n_out, 0.5))
        theta = np.concatenate(parts)
        if kink_margin(layers, theta, xs) >= 1e-2:
            break
    else:
        raise RuntimeError("no parameters clear of the ReLU kinks for " + name)
    self_check(layers, theta, xs, ds, loss)
    ys, E, G = batch_loss_and_gradient(layers, theta, xs, ds, loss)
    assert len(theta) == parameter_count(layers)
    return dict(name=name, cxx_type=cxx_type, layers=layers, loss=loss, xs=np.array(xs), ds=np.array(ds),
                theta=theta, ys=ys, loss_value=E, gradient=G, comment=comment)


# ---------------------------------------------------------------------------
# microprop's initialisation, reproduced (random.hpp, network.hpp).

M32 = 0xFFFFFFFF


def rotl(x, k):
    return ((x << k) | (x >> (32 - k))) & M32


class Xoshiro128ss:
    def __init__(self, seed):
        z = seed & M32
        self.s = []
        for _ in range(4):
            z = (z + 0x9E3779B9) & M32
            t = z
            t = ((t ^ (t >> 16)) * 0x85EBCA6B) & M32
            t = ((t ^ (t >> 13)) * 0xC2B2AE35) & M32
            self.s.append(t ^ (t >> 16))

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M32, 7) * 9) & M32
        t = (s[1] << 9) & M32
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 11)
        return result


def initial_weights(layers, seed, dtype):
    """network<T, ...>(seed) with init_scheme::automatic: He before ReLU-type
    activations, Glorot elsewhere; U(-a, a) = low + (high - low) * u in T."""
    rng = Xoshiro128ss(seed)
    T = dtype
    out = []
    for n_in, n_out, kind in layers:
        he = kind in ("relu", "leaky_relu")
        fan = T(n_in if he else n_in + n_out)
        limit = np.sqrt(T(6) / fan).astype(T)
        low, high = T(-limit), T(limit)
        for _ in range(n_in * n_out):
            u = T(rng.next() >> 8) * T(np.float32(1.0 / 16777216.0))
            out.append(T(low + T(T(high - low) * u)))
        out.extend([T(0)] * n_out)
    return np.array(out, dtype=T)


# ---------------------------------------------------------------------------
# The cases.


def cases():
    out = []
    x3 = [0.625, -0.875, 0.375]
    out.append(make_case(
        "sigmoid_squared_error",
        "network<T, dense<3, 4>, sigmoid, dense<4, 2>, sigmoid>",
        [(3, 4, "sigmoid"), (4, 2, "sigmoid")], "squared_error",
        [np.array(x3)], [np.array([0.75, 0.125])], 1,
        "sigmoid hidden and output, squared error (general path through sigmoid')"))
    out.append(make_case(
        "tanh_relu_softmax_cross_entropy",
        "network<T, dense<4, 5>, tanh, dense<5, 4>, relu, dense<4, 3>, softmax>",
        [(4, 5, "tanh"), (5, 4, "relu"), (4, 3, "softmax")], "cross_entropy",
        [np.array([0.5, -1.25, 0.75, 0.25])], [np.array([0.0, 1.0, 0.0])], 2,
        "tanh and ReLU hidden, softmax output, cross-entropy, one-hot target"))
    out.append(make_case(
        "leaky_relu_sigmoid_binary_cross_entropy",
        "network<T, dense<3, 5>, basic_leaky_relu<1, 8>, dense<5, 2>, sigmoid>",
        [(3, 5, "leaky_relu"), (5, 2, "sigmoid")], "binary_cross_entropy",
        [np.array([-0.75, 1.125, 0.5])], [np.array([1.0, 0.25])], 3,
        "leaky ReLU (slope 1/8) hidden, sigmoid output, binary cross-entropy"))
    out.append(make_case(
        "three_hidden_layers",
        "network<T, dense<2, 4>, tanh, dense<4, 4>, sigmoid, dense<4, 3>, relu, dense<3, 2>>",
        [(2, 4, "tanh"), (4, 4, "sigmoid"), (4, 3, "relu"), (3, 2, "identity")], "squared_error",
        [np.array([0.875, -0.5])], [np.array([0.5, -0.25])], 4,
        "three hidden layers (tanh, sigmoid, ReLU), identity output, squared error"))
    out.append(make_case(
        "minibatch_of_4",
        "network<T, dense<3, 4>, tanh, dense<4, 3>, softmax>",
        [(3, 4, "tanh"), (4, 3, "softmax")], "cross_entropy",
        [np.array([0.5, -0.25, 1.0]), np.array([-1.0, 0.75, 0.125]),
         np.array([0.25, 0.5, -0.625]), np.array([-0.375, -0.875, 0.25])],
        [np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0]),
         np.array([0.25, 0.5, 0.25]), np.array([0.0, 1.0, 0.0])], 5,
        "minibatch of 4 (soft and one-hot targets): loss and gradient are the means over the batch"))
    return out


def fmt(values):
    return ", ".join(repr(float(v)) for v in np.ravel(values))


def write_header(all_cases, init_cases):
    lines = [
        "// generated by tests/golden/generate_golden.py (numpy " + np.__version__ + ", float64); do not edit.",
        "// Regenerate: /usr/bin/python3 tests/golden/generate_golden.py",
        "#ifndef MICROPROP_TESTS_GOLDEN_VALUES_HPP",
        "#define MICROPROP_TESTS_GOLDEN_VALUES_HPP",
        "",
        "#include <cstddef>",
        "#include <cstdint>",
        "",
        "namespace golden {",
        "",
    ]
    for c in all_cases:
        n = len(c["xs"])
        lines += [
            "/// " + c["comment"] + ".",
            "/// microprop::" + c["cxx_type"] + ", loss " + c["loss"] + ".",
            "struct " + c["name"] + " {",
            "    static constexpr std::size_t samples = %d;" % n,
            "    static constexpr double parameters[%d] = {%s};" % (len(c["theta"]), fmt(c["theta"])),
            "    static constexpr double inputs[%d] = {%s};  // [samples][inputs]" % (c["xs"].size, fmt(c["xs"])),
            "    static constexpr double targets[%d] = {%s};  // [samples][outputs]" % (c["ds"].size, fmt(c["ds"])),
            "    static constexpr double outputs[%d] = {%s};  // [samples][outputs]" % (c["ys"].size, fmt(c["ys"])),
            "    static constexpr double loss = %r;  // mean over the samples" % float(c["loss_value"]),
            "    static constexpr double gradient[%d] = {%s};  // mean over the samples" % (
                len(c["gradient"]), fmt(c["gradient"])),
            "};",
            "",
        ]
    for name, cxx_type, layers, seed in init_cases:
        f32 = initial_weights(layers, seed, np.float32)
        f64 = initial_weights(layers, seed, np.float64)
        lines += [
            "/// microprop::" + cxx_type + " constructed with seed %d (init_scheme::automatic):" % seed,
            "/// every parameter's bit pattern, float and double.",
            "struct " + name + " {",
            "    static constexpr std::uint32_t seed = %d;" % seed,
            "    static constexpr std::uint32_t float_bits[%d] = {%s};" % (
                len(f32), ", ".join("0x%08xu" % v for v in f32.view(np.uint32))),
            "    static constexpr std::uint64_t double_bits[%d] = {%s};" % (
                len(f64), ", ".join("0x%016xull" % v for v in f64.view(np.uint64))),
            "};",
            "",
        ]
    lines += ["}  // namespace golden", "", "#endif", ""]
    with open(OUT, "w") as f:
        f.write("\n".join(lines))


def main():
    init_cases = [
        ("init_seed_42", "network<T, dense<3, 4>, relu, dense<4, 2>, sigmoid>",
         [(3, 4, "relu"), (4, 2, "sigmoid")], 42),
    ]
    write_header(cases(), init_cases)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
