// z <- f(z) and g <- f'(u) g for float layers (layers/activations.hpp is the specification).
// Part of the fast front (namespace kernels::fast): the reference signatures, templated on the
// scalar type; float goes to the hooks of the back-end select_float.hpp chose
// (fast::backend), any other type to the reference kernels unchanged.
#include "../select_float.hpp"  // first: the back-end (fast::backend) this front calls
#ifndef MICROPROP_KERNELS_ACTIVATION_FAST_HPP
#define MICROPROP_KERNELS_ACTIVATION_FAST_HPP

#include <cstddef>
#include <type_traits>
#include "../../config.hpp"
#include "../../layers/activations.hpp"
#include "../softmax/fast.hpp"

namespace microprop::kernels::fast {

/// z <- f(z), as activation::apply.
template <class T>
void activate(activation_kind kind, T parameter, T* z, std::size_t n)
{
    if constexpr (std::is_same<T, float>::value) {
        // Every kind handled here, so activation::apply (and the expf it calls) is not linked.
        switch (kind) {
            case activation_kind::identity:
                return;
            case activation_kind::sigmoid:
                backend::sigmoid_float(z, n);
                return;
            case activation_kind::tanh:
                for (std::size_t i = 0; i < n; ++i) z[i] = scalar_ops<float>::tanh(z[i]);
                return;
            case activation_kind::relu:
                backend::relu(z, n);
                return;
            case activation_kind::leaky_relu:
                for (std::size_t i = 0; i < n; ++i) z[i] = z[i] > 0.0f ? z[i] : parameter * z[i];
                return;
            case activation_kind::softmax:
                if constexpr (backend::has_contiguous_softmax) {
                    backend::softmax_float(z, n);
                } else {
                    softmax_strided(z, n, 1);
                }
                return;
        }
    } else {
        activation::apply(kind, parameter, z, n);
    }
}

/// g <- f'(u) g from z = f(u), as activation::backward.
template <class T>
void activation_backward(activation_kind kind, T parameter, const T* z, T* g, std::size_t n)
{
    if constexpr (std::is_same<T, float>::value) {
        // One loop per kind (activation::backward decides the kind per element), every kind
        // here so that activation::backward is not linked.
        switch (kind) {
            case activation_kind::relu:
                backend::relu_backward(z, g, n);
                return;
            case activation_kind::sigmoid:
            case activation_kind::tanh:
                backend::sigmoid_or_tanh_backward_float(z, g, n, kind == activation_kind::tanh);
                return;
            case activation_kind::leaky_relu:
                for (std::size_t i = 0; i < n; ++i) g[i] *= z[i] > 0.0f ? 1.0f : parameter;
                return;
            case activation_kind::identity:
                return;
            case activation_kind::softmax: {
                float dot = 0.0f;
                for (std::size_t i = 0; i < n; ++i) dot += g[i] * z[i];
                for (std::size_t i = 0; i < n; ++i) g[i] = z[i] * (g[i] - dot);
                return;
            }
        }
    } else {
        activation::backward(kind, parameter, z, g, n);
    }
}

}  // namespace microprop::kernels::fast

#endif
