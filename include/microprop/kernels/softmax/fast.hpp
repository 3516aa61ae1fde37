// Softmax of float layers: strided (one sample) and per column (a minibatch).
// Part of the fast front (namespace kernels::fast): the reference signatures, templated on the
// scalar type; float goes to the hooks of the back-end select_float.hpp chose
// (fast::backend), any other type to the reference kernels unchanged.
#include "../select_float.hpp"  // first: the back-end (fast::backend) this front calls
#ifndef MICROPROP_KERNELS_SOFTMAX_FAST_HPP
#define MICROPROP_KERNELS_SOFTMAX_FAST_HPP

#include <cstddef>
#include <type_traits>
#include "../../config.hpp"
#include "../../layers/activations.hpp"

namespace microprop::kernels::fast {

template <class T>
void softmax_strided(T* z, std::size_t n, std::size_t stride)
{
    if constexpr (std::is_same<T, float>::value) {
        backend::softmax_strided_float(z, n, stride);
    } else {
        activation::softmax_strided(z, n, stride);
    }
}

/// Softmax of every column of z (`[rows][n]`, column s = sample s): the minibatch output layer.
template <class T>
void softmax_columns(T* z, std::size_t rows, std::size_t n)
{
    if constexpr (std::is_same<T, float>::value) {
        if (backend::softmax_columns_float(z, rows, n)) return;
    }
    for (std::size_t s = 0; s < n; ++s) softmax_strided(z + s, rows, n);
}

}  // namespace microprop::kernels::fast

#endif
