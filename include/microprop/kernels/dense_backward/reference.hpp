// g_in = W^T delta for one sample, reference form (a plain layer and a tied one).
// Part of the reference kernels: the specification every faster kernel must match.
// Each is templated on the scalar type only and takes its sizes at run time, so one
// copy serves every topology (flash does not grow per network). Matrices are
// row-major; W is `[out][in]`.
#ifndef MICROPROP_KERNELS_DENSE_BACKWARD_REFERENCE_HPP
#define MICROPROP_KERNELS_DENSE_BACKWARD_REFERENCE_HPP

#include <cstddef>
#include "../../config.hpp"

namespace microprop::kernels::reference {

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

}  // namespace microprop::kernels::reference

#endif
