// g_in = W^T delta for one float sample (and a tied layer's).
// Part of the fast front (namespace kernels::fast): the reference signatures, templated on the
// scalar type; float goes to the hooks of the back-end select_float.hpp chose
// (fast::backend), any other type to the reference kernels unchanged.
#include "../select_float.hpp"  // first: the back-end (fast::backend) this front calls
#ifndef MICROPROP_KERNELS_DENSE_BACKWARD_FAST_HPP
#define MICROPROP_KERNELS_DENSE_BACKWARD_FAST_HPP

#include <cstddef>
#include <type_traits>
#include "../../config.hpp"
#include "../../layers/activations.hpp"
#include "reference.hpp"

namespace microprop::kernels::fast {

/// g_in = W^T delta (reference::dense_backward_input), as a sum of scaled rows of W;
/// rows whose delta is exactly 0 are skipped.
template <class T>
void dense_backward_input(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT delta,
                          T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out)
{
    if constexpr (std::is_same<T, float>::value) {
        for (std::size_t i = 0; i < in; ++i) g_in[i] = 0.0f;
        for (std::size_t j = 0; j < out; ++j) {
            if (delta[j] != 0.0f) backend::add_scaled_row(g_in, w + j * in, delta[j], in);
        }
    } else {
        reference::dense_backward_input(w, delta, g_in, in, out);
    }
}

/// A tied layer's g_in = W^T delta, W(j, i) at w[i * out + j]: one dot product per stored row
/// (reference::dense_backward_input_transposed).
template <class T>
void dense_backward_input_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT delta,
                                     T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out)
{
    if constexpr (std::is_same<T, float>::value) {
        for (std::size_t i = 0; i < in; ++i) g_in[i] = backend::row_dot(w + i * out, delta, out);
    } else {
        reference::dense_backward_input_transposed(w, delta, g_in, in, out);
    }
}

}  // namespace microprop::kernels::fast

#endif
