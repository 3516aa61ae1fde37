// The minibatch products of a float layer (and a tied one): U = W X + b 1^T, G_in = W^T Delta,
// dW = scale Delta X^T.
// Part of the fast front (namespace kernels::fast): the reference signatures, templated on the
// scalar type; float goes to the hooks of the back-end select_float.hpp chose
// (fast::backend), any other type to the reference kernels unchanged.
#include "../select_float.hpp"  // first: the back-end (fast::backend) this front calls
#ifndef MICROPROP_KERNELS_DENSE_BATCH_FAST_HPP
#define MICROPROP_KERNELS_DENSE_BATCH_FAST_HPP

#include <cstddef>
#include <type_traits>
#include "../../config.hpp"
#include "../../layers/activations.hpp"
#include "reference.hpp"

namespace microprop::kernels::fast {

// On the VFP cores (vfp.hpp) every product below is a dot product of two contiguous rows or a
// row update `row += a * other_row`; with vectors (simd.hpp) the first layer runs the per-sample
// forward kernel on each sample and accumulates its gradient a chunk of columns at a time,
// the other layers combine rows of their `[width][N]` inputs a few vectors at a time; other
// targets (and odd strides) use the reference kernels.

template <class T>
void dense_forward_batch(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                         const T* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                         T* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
    if constexpr (std::is_same<T, float>::value) {
        backend::forward_batch_float(w, b, x, x_row, x_col, u, in, out, n);
    } else {
        reference::dense_forward_batch(w, b, x, x_row, x_col, u, in, out, n);
    }
}

template <class T>
void dense_backward_input_batch(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT delta,
                                T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, std::size_t n)
{
    if constexpr (std::is_same<T, float>::value) {
        backend::backward_input_batch_float(w, delta, g_in, in, out, n);
    } else {
        reference::dense_backward_input_batch(w, delta, g_in, in, out, n);
    }
}

template <class T>
void dense_gradient_batch(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x, std::size_t x_row,
                          std::size_t x_col, T* MICROPROP_RESTRICT gw, T* MICROPROP_RESTRICT gb, std::size_t in,
                          std::size_t out, std::size_t n, T scale)
{
    if constexpr (std::is_same<T, float>::value) {
        if (backend::gradient_batch_float(delta, x, x_row, x_col, gw, in, 1, gb, in, out, n, scale, false)) return;
    }
    reference::dense_gradient_batch(delta, x, x_row, x_col, gw, gb, in, out, n, scale);
}

/// The minibatch gradient of a layer whose matrix is shared (a tied layer, transposed, or
/// its source), added into the gradient (reference::dense_add_gradient_batch).
template <class T>
void dense_add_gradient_batch(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x, std::size_t x_row,
                              std::size_t x_col, T* MICROPROP_RESTRICT gw, T* MICROPROP_RESTRICT gb, std::size_t in,
                              std::size_t out, std::size_t n, T scale, bool transposed)
{
    if constexpr (std::is_same<T, float>::value) {
        if (backend::gradient_batch_float(delta, x, x_row, x_col, gw, transposed ? 1 : in, transposed ? out : 1, gb, in,
                                         out, n, scale, true)) {
            return;
        }
    }
    reference::dense_add_gradient_batch(delta, x, x_row, x_col, gw, gb, in, out, n, scale, transposed);
}

/// A tied layer's U = W X + b 1^T, W(j, i) at w[i * out + j] (reference::dense_forward_batch_transposed).
template <class T>
void dense_forward_batch_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                                    const T* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                                    T* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
    if constexpr (std::is_same<T, float>::value) {
        backend::forward_batch_transposed_float(w, b, x, x_row, x_col, u, in, out, n);
    } else {
        reference::dense_forward_batch_transposed(w, b, x, x_row, x_col, u, in, out, n);
    }
}

/// A tied layer's G = W^T Delta (reference::dense_backward_input_batch_transposed).
template <class T>
void dense_backward_input_batch_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT delta,
                                           T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, std::size_t n)
{
    if constexpr (std::is_same<T, float>::value) {
        backend::backward_input_batch_transposed_float(w, delta, g_in, in, out, n);
    } else {
        reference::dense_backward_input_batch_transposed(w, delta, g_in, in, out, n);
    }
}

}  // namespace microprop::kernels::fast

#endif
