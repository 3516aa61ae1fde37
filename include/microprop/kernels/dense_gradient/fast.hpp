// gW += scale delta x^T, gb += scale delta for one float sample (and a tied layer's).
// Part of the fast front (namespace kernels::fast): the reference signatures, templated on the
// scalar type; float goes to the hooks of the back-end select_float.hpp chose
// (fast::backend), any other type to the reference kernels unchanged.
#include "../select_float.hpp"  // first: the back-end (fast::backend) this front calls
#ifndef MICROPROP_KERNELS_DENSE_GRADIENT_FAST_HPP
#define MICROPROP_KERNELS_DENSE_GRADIENT_FAST_HPP

#include <cstddef>
#include <type_traits>
#include "../../config.hpp"
#include "../../layers/activations.hpp"
#include "reference.hpp"

namespace microprop::kernels::fast {

/// gW += scale delta x^T, gb += scale delta (reference::dense_accumulate_gradient), one
/// scaled copy of x per row; a row whose delta is exactly 0 (an inactive ReLU unit) adds
/// nothing to its weights and is skipped.
template <class T>
void dense_accumulate_gradient(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x,
                               T* MICROPROP_RESTRICT gw, T* MICROPROP_RESTRICT gb, std::size_t in,
                               std::size_t out, T scale)
{
    if constexpr (std::is_same<T, float>::value) {
        for (std::size_t j = 0; j < out; ++j) {
            const float dj = scale * delta[j];
            gb[j] += dj;
            if (dj != 0.0f) backend::add_scaled_row(gw + j * in, x, dj, in);
        }
    } else {
        reference::dense_accumulate_gradient(delta, x, gw, gb, in, out, scale);
    }
}

/// A tied layer's gradient, added into the shared matrix's (reference::
/// dense_accumulate_gradient_transposed): one scaled copy of delta per stored row; inputs of
/// exactly 0 (inactive ReLU units below) add nothing and are skipped.
template <class T>
void dense_accumulate_gradient_transposed(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x,
                                          T* MICROPROP_RESTRICT gw, T* MICROPROP_RESTRICT gb, std::size_t in,
                                          std::size_t out, T scale)
{
    if constexpr (std::is_same<T, float>::value) {
        for (std::size_t i = 0; i < in; ++i) {
            const float xi = scale * x[i];
            if (xi != 0.0f) backend::add_scaled_row(gw + i * out, delta, xi, out);
        }
        for (std::size_t j = 0; j < out; ++j) gb[j] += scale * delta[j];
    } else {
        reference::dense_accumulate_gradient_transposed(delta, x, gw, gb, in, out, scale);
    }
}

}  // namespace microprop::kernels::fast

#endif
