// Activations and their derivatives in plain C++ (the fast-portable back-end; sigmoid with the
// library's e^x, and on Arm the ReLU of activation/arm.hpp instead of these).
#ifndef MICROPROP_KERNELS_ACTIVATION_PORTABLE_HPP
#define MICROPROP_KERNELS_ACTIVATION_PORTABLE_HPP

#include <cstddef>
#include "../../config.hpp"
#include "../common/exp_float.hpp"

namespace microprop::kernels::fast_portable {

// On Arm, select_float.hpp gives this back-end the sign-bit ReLU of activation/arm.hpp instead.
#if !defined(__arm__)
/// z <- max(z, 0) (relu(-0) = +0, NaN becomes 0).
inline void relu(float* z, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) z[i] = z[i] <= 0.0f ? 0.0f : z[i];
}
/// g <- z > 0 ? g : 0 from the ReLU's output z.
inline void relu_backward(const float* MICROPROP_RESTRICT z, float* MICROPROP_RESTRICT g, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) g[i] = z[i] > 0.0f ? g[i] : 0.0f;
}
#endif

/// z <- 1 / (1 + e^-z).
MICROPROP_ALWAYS_INLINE void sigmoid_float(float* z, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) z[i] = 1.0f / (1.0f + fast::exp_float(-z[i]));
}

/// g <- g z (1 - z) (sigmoid) or g (1 - z^2) (tanh, `tanh_kind` set), z the activation's output.
MICROPROP_ALWAYS_INLINE void sigmoid_or_tanh_backward_float(const float* MICROPROP_RESTRICT z, float* MICROPROP_RESTRICT g,
                                                            std::size_t n, bool tanh_kind)
{
    if (tanh_kind) {
        for (std::size_t i = 0; i < n; ++i) g[i] *= 1.0f - z[i] * z[i];
    } else {
        for (std::size_t i = 0; i < n; ++i) g[i] *= z[i] * (1.0f - z[i]);
    }
}

}  // namespace microprop::kernels::fast_portable

#endif
