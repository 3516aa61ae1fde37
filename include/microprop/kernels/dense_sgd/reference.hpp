// The per-sample SGD step fused into the backward pass, reference form (a plain layer and a
// tied one).
// Part of the reference kernels: the specification every faster kernel must match.
// Each is templated on the scalar type only and takes its sizes at run time, so one
// copy serves every topology (flash does not grow per network). Matrices are
// row-major; W is `[out][in]`.
#ifndef MICROPROP_KERNELS_DENSE_SGD_REFERENCE_HPP
#define MICROPROP_KERNELS_DENSE_SGD_REFERENCE_HPP

#include <cstddef>
#include "../../config.hpp"

namespace microprop::kernels::reference {

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

/// dense_backward_sgd for a tied layer: g_in from the weights on entry, then
/// W -= lr delta x^T, b <- b - lr (delta + decay b). Weight decay of the shared matrix
/// is left to its source layer, so that it counts once, as in sgd::step.
template <class T>
void dense_backward_sgd_transposed(T* MICROPROP_RESTRICT w, T* MICROPROP_RESTRICT b,
                                   const T* MICROPROP_RESTRICT x, const T* MICROPROP_RESTRICT delta,
                                   T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, T lr, T decay)
{
    for (std::size_t i = 0; i < in; ++i) {
        T* row = w + i * out;
        if (g_in != nullptr) {
            T acc = T(0);
            for (std::size_t j = 0; j < out; ++j) acc += row[j] * delta[j];
            g_in[i] = acc;
        }
        const T step = lr * x[i];
        for (std::size_t j = 0; j < out; ++j) row[j] -= step * delta[j];
    }
    const T keep = T(1) - lr * decay;
    for (std::size_t j = 0; j < out; ++j) b[j] = (decay == T(0) ? b[j] : keep * b[j]) - lr * delta[j];
}

}  // namespace microprop::kernels::reference

#endif
