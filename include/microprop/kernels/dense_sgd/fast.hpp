// The per-sample SGD step fused into the backward pass, for float layers (and tied ones).
// Part of the fast front (namespace kernels::fast): the reference signatures, templated on the
// scalar type; float goes to the hooks of the back-end select_float.hpp chose
// (fast::backend), any other type to the reference kernels unchanged.
#include "../select_float.hpp"  // first: the back-end (fast::backend) this front calls
#ifndef MICROPROP_KERNELS_DENSE_SGD_FAST_HPP
#define MICROPROP_KERNELS_DENSE_SGD_FAST_HPP

#include <cstddef>
#include <type_traits>
#include "../../config.hpp"
#include "../../layers/activations.hpp"
#include "reference.hpp"

namespace microprop::kernels::fast {

namespace detail {
/// Tied layer's fused SGD step without weight decay: g_in_i = row_i . delta with the
/// weights on entry, then row_i -= lr x_i delta (skipped for x_i == 0), b -= lr delta.
inline void backward_sgd_transposed_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                                          const float* MICROPROP_RESTRICT x, const float* MICROPROP_RESTRICT delta,
                                          float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, float lr)
{
    for (std::size_t i = 0; i < in; ++i) {
        float* MICROPROP_RESTRICT row = w + i * out;
        if (g_in != nullptr) g_in[i] = backend::row_dot(row, delta, out);
        const float step = lr * x[i];
        if (step != 0.0f) backend::add_scaled_row(row, delta, -step, out);
    }
    for (std::size_t j = 0; j < out; ++j) b[j] -= lr * delta[j];
}
}  // namespace detail

template <class T>
void dense_backward_sgd(T* MICROPROP_RESTRICT w, T* MICROPROP_RESTRICT b, const T* MICROPROP_RESTRICT x,
                        const T* MICROPROP_RESTRICT delta, T* MICROPROP_RESTRICT g_in, std::size_t in,
                        std::size_t out, T lr, T decay)
{
    if constexpr (std::is_same<T, float>::value) {
        if (decay == 0.0f) {
            if (g_in == nullptr) {
                backend::update_float(w, b, x, delta, in, out, lr);
            } else {
                backend::backward_update_float(w, b, x, delta, g_in, in, out, lr);
            }
            return;
        }
    }
    reference::dense_backward_sgd(w, b, x, delta, g_in, in, out, lr, decay);
}

/// The first layer's fused SGD update when a ReLU follows it: g = W^T delta of the layer
/// above (overwritten), z = the ReLU's output. Same result as activation::backward on g
/// followed by dense_backward_sgd without g_in, without the separate pass over g.
template <class T>
MICROPROP_ALWAYS_INLINE void dense_update_below_relu(T* MICROPROP_RESTRICT w, T* MICROPROP_RESTRICT b, const T* MICROPROP_RESTRICT x,
                             T* MICROPROP_RESTRICT g, const T* MICROPROP_RESTRICT z, std::size_t in,
                             std::size_t out, T lr, T decay)
{
    if constexpr (std::is_same<T, float>::value) {
        if (decay == 0.0f) {
            backend::update_below_relu_float(w, b, x, g, z, in, out, lr);
            return;
        }
    }
    activation::backward(activation_kind::relu, T(0), z, g, out);
    dense_backward_sgd(w, b, x, g, static_cast<T*>(nullptr), in, out, lr, decay);
}

/// A tied layer's fused SGD step (reference::dense_backward_sgd_transposed).
template <class T>
void dense_backward_sgd_transposed(T* MICROPROP_RESTRICT w, T* MICROPROP_RESTRICT b, const T* MICROPROP_RESTRICT x,
                                   const T* MICROPROP_RESTRICT delta, T* MICROPROP_RESTRICT g_in, std::size_t in,
                                   std::size_t out, T lr, T decay)
{
    if constexpr (std::is_same<T, float>::value) {
        if (decay == 0.0f) {
            detail::backward_sgd_transposed_float(w, b, x, delta, g_in, in, out, lr);
            return;
        }
    }
    reference::dense_backward_sgd_transposed(w, b, x, delta, g_in, in, out, lr, decay);
}

}  // namespace microprop::kernels::fast

#endif
