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

/// U = W X + b 1_N^T.
template <class T>
void dense_forward_batch(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                         const T* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                         T* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
    for (std::size_t j = 0; j < out; ++j) {
        T* u_row = u + j * n;
        for (std::size_t s = 0; s < n; ++s) u_row[s] = b[j];
        for (std::size_t i = 0; i < in; ++i) {
            const T wji = w[j * in + i];
            const T* x_row_i = x + i * x_row;
            for (std::size_t s = 0; s < n; ++s) u_row[s] += wji * x_row_i[s * x_col];
        }
    }
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
    for (std::size_t j = 0; j < out; ++j) {
        const T* d_row = delta + j * n;
        T bias_sum = T(0);
        for (std::size_t s = 0; s < n; ++s) bias_sum += d_row[s];
        gb[j] = scale * bias_sum;
        for (std::size_t i = 0; i < in; ++i) {
            const T* x_row_i = x + i * x_row;
            T acc = T(0);
            for (std::size_t s = 0; s < n; ++s) acc += d_row[s] * x_row_i[s * x_col];
            gw[j * in + i] = scale * acc;
        }
    }
}

}  // namespace microprop::kernels::reference

#endif
