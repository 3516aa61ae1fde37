// Activations of q3_12 networks and their derivatives, in integers
// (layers/activations.hpp is the float specification). Sigmoid and tanh come
// from the table of common/fixed_math.hpp; softmax is softmax/fixed.hpp.
#ifndef MICROPROP_KERNELS_ACTIVATION_FIXED_HPP
#define MICROPROP_KERNELS_ACTIVATION_FIXED_HPP

#include <cstddef>
#include <cstdint>
#include "../../fixed_scalar.hpp"
#include "../../layers/activations.hpp"
#include "../common/fixed_math.hpp"
#include "../softmax/fixed.hpp"

namespace microprop::kernels::fixed {

/// A leaky ReLU slope in Q0.15 (0.01 -> 328), from the layer table's float.
inline std::int32_t slope_q15(float slope)
{
    const std::int32_t q12 = microprop::fixed::raw_from_float(slope * 8.0f);
    return q12;  // slope * 2^15 = (slope * 8) * 2^12
}

/// z <- f(z) for n values; `parameter` is the leaky ReLU slope.
inline void activate(activation_kind kind, float parameter, q3_12* z, std::size_t n)
{
    switch (kind) {
        case activation_kind::identity:
            break;
        case activation_kind::sigmoid:
            for (std::size_t i = 0; i < n; ++i) z[i].raw = static_cast<std::int16_t>(math::sigmoid_raw(z[i].raw));
            break;
        case activation_kind::tanh:
            for (std::size_t i = 0; i < n; ++i) z[i].raw = static_cast<std::int16_t>(math::tanh_raw(z[i].raw));
            break;
        case activation_kind::relu:
            for (std::size_t i = 0; i < n; ++i) z[i].raw = z[i].raw > 0 ? z[i].raw : std::int16_t(0);
            break;
        case activation_kind::leaky_relu: {
            const std::int32_t slope = slope_q15(parameter);
            for (std::size_t i = 0; i < n; ++i) {
                if (z[i].raw < 0) z[i].raw = static_cast<std::int16_t>((z[i].raw * slope + (1 << 14)) >> 15);
            }
            break;
        }
        case activation_kind::softmax:
            softmax(z, n);
            break;
    }
}

/// g <- dE/du from g = dE/dz, given z = f(u) (n values), rounded to nearest. For softmax
/// the Jacobian product g_j <- z_j (g_j - sum_k g_k z_k).
inline void activation_backward(activation_kind kind, float parameter, const q3_12* z, q3_12* g, std::size_t n)
{
    using microprop::fixed::saturate16;
    switch (kind) {
        case activation_kind::identity:
            break;
        case activation_kind::sigmoid:
            for (std::size_t i = 0; i < n; ++i) {
                const std::int32_t zi = z[i].raw;
                const std::int32_t slope = (zi * (4096 - zi) + 2048) >> 12;  // z (1 - z) <= 1/4
                g[i].raw = static_cast<std::int16_t>((g[i].raw * slope + 2048) >> 12);
            }
            break;
        case activation_kind::tanh:
            for (std::size_t i = 0; i < n; ++i) {
                const std::int32_t zi = z[i].raw;
                const std::int32_t slope = 4096 - ((zi * zi + 2048) >> 12);  // 1 - z^2 in [0, 1]
                g[i].raw = static_cast<std::int16_t>((g[i].raw * slope + 2048) >> 12);
            }
            break;
        case activation_kind::relu:
            for (std::size_t i = 0; i < n; ++i) g[i].raw = z[i].raw > 0 ? g[i].raw : std::int16_t(0);
            break;
        case activation_kind::leaky_relu: {
            const std::int32_t slope = slope_q15(parameter);
            for (std::size_t i = 0; i < n; ++i) {
                if (z[i].raw <= 0) g[i].raw = static_cast<std::int16_t>((g[i].raw * slope + (1 << 14)) >> 15);
            }
            break;
        }
        case activation_kind::softmax: {
            std::int64_t dot = 0;
            for (std::size_t k = 0; k < n; ++k) dot += std::int32_t(g[k].raw) * z[k].raw;
            const std::int32_t dot_q12 = microprop::fixed::narrow_product_sum(dot);
            for (std::size_t k = 0; k < n; ++k) {
                const std::int32_t diff = saturate16(std::int32_t(g[k].raw) - dot_q12);
                g[k].raw = saturate16((z[k].raw * diff + 2048) >> 12);
            }
            break;
        }
    }
}

}  // namespace microprop::kernels::fixed

#endif
