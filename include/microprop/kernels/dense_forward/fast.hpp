// u = W x + b for one float sample (and a tied layer's), and z = f(W x + b).
// Part of the fast front (namespace kernels::fast): the reference signatures, templated on the
// scalar type; float goes to the hooks of the back-end select_float.hpp chose
// (fast::backend), any other type to the reference kernels unchanged.
#include "../select_float.hpp"  // first: the back-end (fast::backend) this front calls
#ifndef MICROPROP_KERNELS_DENSE_FORWARD_FAST_HPP
#define MICROPROP_KERNELS_DENSE_FORWARD_FAST_HPP

#include <cstddef>
#include <type_traits>
#include "../../config.hpp"
#include "../../layers/activations.hpp"
#include "../activation/fast.hpp"
#include "reference.hpp"

namespace microprop::kernels::fast {

template <class T>
void dense_forward(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b, const T* MICROPROP_RESTRICT x,
                   T* MICROPROP_RESTRICT u, std::size_t in, std::size_t out)
{
    if constexpr (std::is_same<T, float>::value) {
        backend::forward_float(w, b, x, u, in, out, false);
    } else {
        reference::dense_forward(w, b, x, u, in, out);
    }
}

namespace detail {
/// Tied layer, u = W x + b with W(j, i) at w[i * out + j]: one scaled row of the stored
/// matrix per input; an input of exactly 0 (an inactive ReLU unit below) adds nothing.
inline void forward_transposed_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                                     const float* MICROPROP_RESTRICT x, float* MICROPROP_RESTRICT u, std::size_t in,
                                     std::size_t out)
{
    for (std::size_t j = 0; j < out; ++j) u[j] = b[j];
    for (std::size_t i = 0; i < in; ++i) {
        if (x[i] != 0.0f) backend::add_scaled_row(u, w + i * out, x[i], out);
    }
}
}  // namespace detail

/// A tied layer's forward pass (reference::dense_forward_transposed).
template <class T>
void dense_forward_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                              const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT u, std::size_t in, std::size_t out)
{
    if constexpr (std::is_same<T, float>::value) {
        detail::forward_transposed_float(w, b, x, u, in, out);
    } else {
        reference::dense_forward_transposed(w, b, x, u, in, out);
    }
}

/// z = f(W x + b): dense_forward then activate, with ReLU fused into the kernel where it can be.
template <class T>
void dense_forward_activate(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                            const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT z, std::size_t in,
                            std::size_t out, activation_kind kind, T parameter)
{
    if constexpr (std::is_same<T, float>::value) {
        if (kind == activation_kind::softmax && backend::forward_softmax_float(w, b, x, z, in, out)) return;
        if (backend::forward_float(w, b, x, z, in, out, kind == activation_kind::relu)) return;
        if constexpr (backend::has_contiguous_softmax) {
            if (kind == activation_kind::softmax && out > 0) {
                backend::softmax_float(z, out);
                return;
            }
        }
    } else {
        reference::dense_forward(w, b, x, z, in, out);
    }
    activate(kind, parameter, z, out);
}

}  // namespace microprop::kernels::fast

#endif
