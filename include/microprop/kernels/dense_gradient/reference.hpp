// gW += scale delta x^T, gb += scale delta for one sample, reference form (a plain layer and
// a tied one).
// Part of the reference kernels: the specification every faster kernel must match.
// Each is templated on the scalar type only and takes its sizes at run time, so one
// copy serves every topology (flash does not grow per network). Matrices are
// row-major; W is `[out][in]`.
#ifndef MICROPROP_KERNELS_DENSE_GRADIENT_REFERENCE_HPP
#define MICROPROP_KERNELS_DENSE_GRADIENT_REFERENCE_HPP

#include <cstddef>
#include "../../config.hpp"

namespace microprop::kernels::reference {

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

}  // namespace microprop::kernels::reference

#endif
