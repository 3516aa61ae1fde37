// The minibatch (matrix) products of a dense layer, reference form: U = W X + b 1^T,
// G_in = W^T Delta and dW = scale Delta X^T, for a plain layer and a tied one.
// Part of the reference kernels: the specification every faster kernel must match.
// Each is templated on the scalar type only and takes its sizes at run time, so one
// copy serves every topology (flash does not grow per network). Matrices are
// row-major; W is `[out][in]`.
#ifndef MICROPROP_KERNELS_DENSE_BATCH_REFERENCE_HPP
#define MICROPROP_KERNELS_DENSE_BATCH_REFERENCE_HPP

#include <cstddef>
#include "../../config.hpp"

namespace microprop::kernels::reference {

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
