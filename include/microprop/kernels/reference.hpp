// Portable reference kernels: the specification every faster kernel must match.
//
// Each kernel is templated on the scalar type only and takes its sizes at run
// time, so one copy serves every topology (flash does not grow per network).
// Matrices are row-major; W is `[out][in]`.
#ifndef MICROPROP_KERNELS_REFERENCE_HPP
#define MICROPROP_KERNELS_REFERENCE_HPP

#include <cstddef>

#include "../config.hpp"

namespace microprop::kernels::reference {

/// u = W x + b (DL 4.14a for one sample).
template <class T>
void dense_forward(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                   const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT u, std::size_t in,
                   std::size_t out)
{
    for (std::size_t j = 0; j < out; ++j) {
        const T* row = w + j * in;
        T acc = b[j];
        for (std::size_t i = 0; i < in; ++i) acc += row[i] * x[i];
        u[j] = acc;
    }
}

/// g_in = W^T delta: the sum over k of delta_k w_kj in DL (4.13), before f'.
template <class T>
void dense_backward_input(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT delta,
                          T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out)
{
    for (std::size_t i = 0; i < in; ++i) g_in[i] = T(0);
    for (std::size_t j = 0; j < out; ++j) {
        const T* row = w + j * in;
        const T dj = delta[j];
        for (std::size_t i = 0; i < in; ++i) g_in[i] += row[i] * dj;
    }
}

/// gW += scale * delta x^T, gb += scale * delta (DL 4.12 for one sample).
template <class T>
void dense_accumulate_gradient(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x,
                               T* MICROPROP_RESTRICT gw, T* MICROPROP_RESTRICT gb, std::size_t in,
                               std::size_t out, T scale)
{
    for (std::size_t j = 0; j < out; ++j) {
        const T dj = scale * delta[j];
        T* row = gw + j * in;
        for (std::size_t i = 0; i < in; ++i) row[i] += dj * x[i];
        gb[j] += dj;
    }
}

/// Per-sample SGD fused into the backward pass: with the weights as they were
/// on entry, g_in = W^T delta (skipped when g_in is null), and in the same pass
/// W <- W - lr (delta x^T + decay W), b <- b - lr (delta + decay b), the same rule as
/// sgd::step applies to every parameter. Needs no gradient buffer.
template <class T>
void dense_backward_sgd(T* MICROPROP_RESTRICT w, T* MICROPROP_RESTRICT b,
                        const T* MICROPROP_RESTRICT x, const T* MICROPROP_RESTRICT delta,
                        T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, T lr, T decay)
{
    if (g_in != nullptr) {
        for (std::size_t i = 0; i < in; ++i) g_in[i] = T(0);
    }
    const T keep = T(1) - lr * decay;
    for (std::size_t j = 0; j < out; ++j) {
        T* row = w + j * in;
        const T dj = delta[j];
        const T step = lr * dj;
        if (g_in != nullptr) {
            for (std::size_t i = 0; i < in; ++i) g_in[i] += row[i] * dj;
        }
        if (decay == T(0)) {
            for (std::size_t i = 0; i < in; ++i) row[i] -= step * x[i];
        } else {
            for (std::size_t i = 0; i < in; ++i) row[i] = keep * row[i] - step * x[i];
        }
        if (decay == T(0)) {
            b[j] -= step;
        } else {
            b[j] = keep * b[j] - step;
        }
    }
}

// ---- Minibatch (matrix) form, DL (4.14a), (4.15) ----------------------------------------
// Activations and deltas of a layer are `[width][N]` matrices: column n is sample n.
// The layer input may be strided: element (i, n) is at x[i * x_row + n * x_col], which
// lets the first layer read the user's samples `[N][in]` without a copy.

namespace detail {
/// U = W X + b 1_N^T with W(j, i) at w[j * w_row + i * w_col]: one body for a layer's own
/// weights (w_row = in, w_col = 1) and a tied layer's (w_row = 1, w_col = out).
template <class T>
void forward_batch_strided(const T* MICROPROP_RESTRICT w, std::size_t w_row, std::size_t w_col,
                           const T* MICROPROP_RESTRICT b, const T* MICROPROP_RESTRICT x, std::size_t x_row,
                           std::size_t x_col, T* MICROPROP_RESTRICT u, std::size_t in, std::size_t out,
                           std::size_t n)
{
    for (std::size_t j = 0; j < out; ++j) {
        T* u_row = u + j * n;
        for (std::size_t s = 0; s < n; ++s) u_row[s] = b[j];
        for (std::size_t i = 0; i < in; ++i) {
            const T wji = w[j * w_row + i * w_col];
            const T* x_row_i = x + i * x_row;
            for (std::size_t s = 0; s < n; ++s) u_row[s] += wji * x_row_i[s * x_col];
        }
    }
}
/// dW(j, i) (at gw[j * w_row + i * w_col]) = scale Delta X^T, db = scale Delta 1_N;
/// overwrites, or adds with `add`.
template <class T>
void gradient_batch_strided(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x, std::size_t x_row,
                            std::size_t x_col, T* MICROPROP_RESTRICT gw, std::size_t w_row, std::size_t w_col,
                            T* MICROPROP_RESTRICT gb, std::size_t in, std::size_t out, std::size_t n, T scale,
                            bool add)
{
    for (std::size_t j = 0; j < out; ++j) {
        const T* d_row = delta + j * n;
        T bias_sum = T(0);
        for (std::size_t s = 0; s < n; ++s) bias_sum += d_row[s];
        gb[j] = (add ? gb[j] : T(0)) + scale * bias_sum;
        for (std::size_t i = 0; i < in; ++i) {
            const T* x_row_i = x + i * x_row;
            T acc = T(0);
            for (std::size_t s = 0; s < n; ++s) acc += d_row[s] * x_row_i[s * x_col];
            T& g = gw[j * w_row + i * w_col];
            g = (add ? g : T(0)) + scale * acc;
        }
    }
}
}  // namespace detail

/// U = W X + b 1_N^T.
template <class T>
void dense_forward_batch(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                         const T* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                         T* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
    detail::forward_batch_strided(w, in, 1, b, x, x_row, x_col, u, in, out, n);
}

/// G_in = W^T Delta (before the element-wise f'(U) of DL 4.15).
template <class T>
void dense_backward_input_batch(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT delta,
                                T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out,
                                std::size_t n)
{
    for (std::size_t k = 0; k < in * n; ++k) g_in[k] = T(0);
    for (std::size_t j = 0; j < out; ++j) {
        const T* d_row = delta + j * n;
        for (std::size_t i = 0; i < in; ++i) {
            const T wji = w[j * in + i];
            T* g_row = g_in + i * n;
            for (std::size_t s = 0; s < n; ++s) g_row[s] += wji * d_row[s];
        }
    }
}

/// dW = scale Delta X^T, db = scale Delta 1_N (overwrites; scale = 1/N gives DL 4.15).
template <class T>
void dense_gradient_batch(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x,
                          std::size_t x_row, std::size_t x_col, T* MICROPROP_RESTRICT gw,
                          T* MICROPROP_RESTRICT gb, std::size_t in, std::size_t out, std::size_t n,
                          T scale)
{
    detail::gradient_batch_strided(delta, x, x_row, x_col, gw, in, 1, gb, in, out, n, scale, false);
}

// ---- Tied layers (layers/tied.hpp): the same products with W read transposed -------------
// A tied layer's W(j, i) (output j, input i) is its source's weight (i, j), at
// w[i * out + j]: row i of the stored matrix holds the weights of input i. fast.hpp
// has its own forward pass and fused SGD step for them; the rest are used as they are.

/// u = W x + b with W(j, i) = w[i * out + j].
template <class T>
void dense_forward_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                              const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT u, std::size_t in,
                              std::size_t out)
{
    // The stored matrix (`in` rows of `out`) transposed times x: a plain layer's backward
    // input pass, with that layer's widths.
    dense_backward_input(w, x, u, out, in);
    for (std::size_t j = 0; j < out; ++j) u[j] += b[j];
}

/// g_in = W^T delta with W(j, i) = w[i * out + j].
template <class T>
void dense_backward_input_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT delta,
                                     T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out)
{
    for (std::size_t i = 0; i < in; ++i) {
        const T* row = w + i * out;
        T acc = T(0);
        for (std::size_t j = 0; j < out; ++j) acc += row[j] * delta[j];
        g_in[i] = acc;
    }
}

/// gW += scale * delta x^T, gb += scale * delta, with gW(j, i) at gw[i * out + j]: the
/// shared matrix's gradient collects this use and its source layer's (THEORY 4).
template <class T>
void dense_accumulate_gradient_transposed(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x,
                                          T* MICROPROP_RESTRICT gw, T* MICROPROP_RESTRICT gb, std::size_t in,
                                          std::size_t out, T scale)
{
    for (std::size_t i = 0; i < in; ++i) {
        const T xi = scale * x[i];
        T* row = gw + i * out;
        for (std::size_t j = 0; j < out; ++j) row[j] += delta[j] * xi;
    }
    for (std::size_t j = 0; j < out; ++j) gb[j] += scale * delta[j];
}

/// dense_backward_sgd for a tied layer: g_in from the weights on entry, then
/// W -= lr delta x^T, b <- b - lr (delta + decay b). Weight decay of the shared matrix
/// is left to its source layer, so that it counts once, as in sgd::step.
template <class T>
void dense_backward_sgd_transposed(T* MICROPROP_RESTRICT w, T* MICROPROP_RESTRICT b,
                                   const T* MICROPROP_RESTRICT x, const T* MICROPROP_RESTRICT delta,
                                   T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, T lr, T decay)
{
    for (std::size_t i = 0; i < in; ++i) {
        T* row = w + i * out;
        if (g_in != nullptr) {
            T acc = T(0);
            for (std::size_t j = 0; j < out; ++j) acc += row[j] * delta[j];
            g_in[i] = acc;
        }
        const T step = lr * x[i];
        for (std::size_t j = 0; j < out; ++j) row[j] -= step * delta[j];
    }
    const T keep = T(1) - lr * decay;
    for (std::size_t j = 0; j < out; ++j) b[j] = (decay == T(0) ? b[j] : keep * b[j]) - lr * delta[j];
}

/// U = W X + b 1_N^T with W(j, i) = w[i * out + j] (X strided as in dense_forward_batch).
template <class T>
void dense_forward_batch_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                                    const T* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                                    T* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
    detail::forward_batch_strided(w, 1, out, b, x, x_row, x_col, u, in, out, n);
}

/// G_in = W^T Delta with W(j, i) = w[i * out + j].
template <class T>
void dense_backward_input_batch_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT delta,
                                           T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out,
                                           std::size_t n)
{
    for (std::size_t i = 0; i < in; ++i) {
        T* g_row = g_in + i * n;
        for (std::size_t s = 0; s < n; ++s) g_row[s] = T(0);
        for (std::size_t j = 0; j < out; ++j) {
            const T wji = w[i * out + j];
            const T* d_row = delta + j * n;
            for (std::size_t s = 0; s < n; ++s) g_row[s] += wji * d_row[s];
        }
    }
}

/// dW += scale Delta X^T, db += scale Delta 1_N (adds, unlike dense_gradient_batch: a
/// shared matrix collects every use); `transposed` stores dW(j, i) at gw[i * out + j].
template <class T>
void dense_add_gradient_batch(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x, std::size_t x_row,
                              std::size_t x_col, T* MICROPROP_RESTRICT gw, T* MICROPROP_RESTRICT gb,
                              std::size_t in, std::size_t out, std::size_t n, T scale, bool transposed)
{
    detail::gradient_batch_strided(delta, x, x_row, x_col, gw, transposed ? 1 : in, transposed ? out : 1, gb, in,
                                   out, n, scale, true);
}

}  // namespace microprop::kernels::reference

#endif
