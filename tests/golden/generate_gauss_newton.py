#!/usr/bin/python3
"""Writes tests/golden/gauss_newton_values.hpp: each loss's Gauss-Newton matrix
G = J^T Lambda J of a few small two-layer networks, computed independently of
microprop in numpy (float64).

Run:  /usr/bin/python3 tests/golden/generate_gauss_newton.py
The header is committed, so the tests never need Python.

Independence: J = da/dtheta (a the output pre-activations) is written out by the
chain rule for a = W2 h(W1 x + b1) + b2 and checked here against central
differences of a; Lambda is taken from the definitions of the losses
(squared error: diag(f'(a)^2), the Hessian of 1/2 ||f(a) - d||^2 without its
f''(a)(y - d) term; binary cross-entropy after a sigmoid: diag(y (1 - y));
cross-entropy after a softmax: sum(d) (diag(y) - y y^T)), and for the matched
pairs checked here against central differences of the loss's gradient over a.
Nothing uses microprop's backward pass or its factorisation of Lambda.

Parameters and inputs are multiples of 1/1024 (exact in float and double).
Parameter order is microprop's: W1 [out][in] row-major, b1, W2, b2.
"""

import os
import numpy as np

from generate_golden import act  # the activations as functions of u (no microprop code)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gauss_newton_values.hpp")


def act_prime(kind, u):
    if kind == "identity":
        return np.ones_like(u)
    if kind == "sigmoid":
        s = act("sigmoid", u)
        return s * (1.0 - s)
    if kind == "tanh":
        return 1.0 - np.tanh(u) ** 2
    raise ValueError(kind)


def quantised(values):
    return np.round(np.asarray(values) * 1024.0) / 1024.0


def unpack(theta, n_in, n_hidden, n_out):
    o = 0
    w1 = theta[o:o + n_hidden * n_in].reshape(n_hidden, n_in); o += n_hidden * n_in
    b1 = theta[o:o + n_hidden]; o += n_hidden
    w2 = theta[o:o + n_out * n_hidden].reshape(n_out, n_hidden); o += n_out * n_hidden
    b2 = theta[o:o + n_out]
    return w1, b1, w2, b2


def preactivation(theta, x, shape, hidden):
    w1, b1, w2, b2 = unpack(theta, *shape)
    return w2 @ act(hidden, w1 @ x + b1) + b2


def jacobian(theta, x, shape, hidden):
    """da/dtheta by the chain rule, K x P."""
    n_in, n_hidden, n_out = shape
    w1, b1, w2, b2 = unpack(theta, *shape)
    u = w1 @ x + b1
    z = act(hidden, u)
    hp = act_prime(hidden, u)
    p = theta.size
    j = np.zeros((n_out, p))
    for k in range(n_out):
        row = []
        # dA_k / dW1[j, i] = W2[k, j] h'(u_j) x_i; dA_k / db1[j] = W2[k, j] h'(u_j)
        row.extend(np.outer(w2[k] * hp, x).ravel())
        row.extend(w2[k] * hp)
        # dA_k / dW2[k', j] = delta_kk' z_j; dA_k / db2[k'] = delta_kk'
        block = np.zeros((n_out, n_hidden))
        block[k] = z
        row.extend(block.ravel())
        row.extend(np.eye(n_out)[k])
        j[k] = row
    return j


def loss_value(loss, output, a, d):
    y = act(output, a)
    if loss == "squared_error":
        return 0.5 * np.sum((y - d) ** 2)
    if loss == "binary_cross_entropy":
        return -np.sum(d * np.log(y) + (1 - d) * np.log(1 - y))
    if loss == "cross_entropy":
        return -np.sum(d * np.log(y))
    raise ValueError(loss)


def curvature(loss, output, a, d):
    y = act(output, a)
    if loss == "squared_error":
        return np.diag(act_prime(output, a) ** 2)
    if loss == "binary_cross_entropy":
        return np.diag(y * (1 - y))
    if loss == "cross_entropy":
        return d.sum() * (np.diag(y) - np.outer(y, y))
    raise ValueError(loss)


def check_jacobian(theta, x, shape, hidden, j):
    h = 1e-6
    for q in range(theta.size):
        up = theta.copy(); up[q] += h
        down = theta.copy(); down[q] -= h
        numeric = (preactivation(up, x, shape, hidden) - preactivation(down, x, shape, hidden)) / (2 * h)
        assert np.max(np.abs(numeric - j[:, q])) < 1e-8, ("jacobian", q)


def check_curvature(loss, output, a, d, m):
    h = 1e-4
    n = a.size
    numeric = np.zeros((n, n))
    for r in range(n):
        for c in range(n):
            def f(dr, dc):
                b = a.copy(); b[r] += dr; b[c] += dc
                return loss_value(loss, output, b, d)
            numeric[r, c] = (f(h, h) - f(h, -h) - f(-h, h) + f(-h, -h)) / (4 * h * h)
    if loss == "squared_error":
        y = act(output, a)
        # The dropped term f''(a)(y - d): zero for an identity output.
        if output == "identity":
            assert np.max(np.abs(numeric - m)) < 1e-6, ("curvature", loss)
        return
    assert np.max(np.abs(numeric - m)) < 1e-6, ("curvature", loss, numeric, m)


CASES = [
    # name, loss, hidden, output, (in, hidden, out), seed, x, d
    ("identity_squared_error", "squared_error", "tanh", "identity", (2, 3, 2), 1, [0.375, -0.8125], [0.25, -0.5]),
    ("sigmoid_squared_error", "squared_error", "tanh", "sigmoid", (2, 3, 2), 2, [-0.5, 0.625], [1.0, 0.0]),
    ("sigmoid_binary_cross_entropy", "binary_cross_entropy", "tanh", "sigmoid", (2, 3, 2), 3, [0.875, 0.25],
     [1.0, 0.0]),
    ("softmax_cross_entropy", "cross_entropy", "sigmoid", "softmax", (2, 2, 3), 4, [-0.25, 0.9375],
     [0.0, 1.0, 0.0]),
    ("softmax_cross_entropy_soft_targets", "cross_entropy", "sigmoid", "softmax", (2, 2, 3), 5, [0.5, -0.6875],
     [0.5, 0.2, 0.1]),
]


def fmt(v):
    return repr(float(v))


def main():
    lines = [
        "// Generated by tests/golden/generate_gauss_newton.py: do not edit.",
        "// Each loss's Gauss-Newton matrix G = J^T Lambda J (J = da/dtheta) of small two-layer",
        "// networks, computed in numpy float64 independently of microprop.",
        "#ifndef MICROPROP_TESTS_GAUSS_NEWTON_VALUES_HPP",
        "#define MICROPROP_TESTS_GAUSS_NEWTON_VALUES_HPP",
        "",
        "namespace gauss_newton_golden {",
    ]
    for name, loss, hidden, output, shape, seed, x, d in CASES:
        n_in, n_hidden, n_out = shape
        p = n_hidden * n_in + n_hidden + n_out * n_hidden + n_out
        theta = quantised(0.9 * np.sin(1.3 * np.arange(p) + seed))
        x = np.array(x)
        d = np.array(d)
        j = jacobian(theta, x, shape, hidden)
        check_jacobian(theta, x, shape, hidden, j)
        a = preactivation(theta, x, shape, hidden)
        m = curvature(loss, output, a, d)
        check_curvature(loss, output, a, d, m)
        g = j.T @ m @ j
        lines.append("")
        lines.append(f"/// {loss} after a {output} output, {hidden} hidden layer {shape}.")
        lines.append(f"namespace {name} {{")
        lines.append(f"constexpr double parameters[{p}] = {{{', '.join(fmt(v) for v in theta)}}};")
        lines.append(f"constexpr double x[{n_in}] = {{{', '.join(fmt(v) for v in x)}}};")
        lines.append(f"constexpr double d[{n_out}] = {{{', '.join(fmt(v) for v in d)}}};")
        lines.append(f"/// G, {p} x {p} row-major.")
        lines.append(f"constexpr double gauss_newton[{p * p}] = {{")
        for r in range(p):
            lines.append("    " + ", ".join(fmt(v) for v in g[r]) + ",")
        lines.append("};")
        lines.append(f"}}  // namespace {name}")
    lines += ["", "}  // namespace gauss_newton_golden", "", "#endif", ""]
    with open(OUT, "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    main()
