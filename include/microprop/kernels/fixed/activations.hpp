// Activations of q3_12 networks and their derivatives, in integers
// (layers/activations.hpp is the float specification). Sigmoid and tanh come
// from the table of kernels/fixed/math.hpp; softmax subtracts max(u), takes e^v
// in Q16 and multiplies by one reciprocal of the sum (one integer division per
// sample: a Cortex-M0 has no divide instruction).
#ifndef MICROPROP_KERNELS_FIXED_ACTIVATIONS_HPP
#define MICROPROP_KERNELS_FIXED_ACTIVATIONS_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "../../fixed_scalar.hpp"
#include "../../layers/activations.hpp"
#include "math.hpp"

namespace microprop::kernels::fixed {

namespace math = microprop::fixed::math;

/// A leaky ReLU slope in Q0.15 (0.01 -> 328), from the layer table's float.
inline std::int32_t slope_q15(float slope)
{
    const std::int32_t q12 = microprop::fixed::raw_from_float(slope * 8.0f);
    return q12;  // slope * 2^15 = (slope * 8) * 2^12
}

/// y = softmax(u) in place over n values: y_k = e^(u_k - max u) / sum_l e^(u_l - max u).
/// Each y_k is within 2 steps of 1/4096 of the exact value for n <= 16.
inline void softmax(q3_12* z, std::size_t n)
{
    std::int32_t largest = z[0].raw;
    for (std::size_t k = 1; k < n; ++k) largest = z[k].raw > largest ? z[k].raw : largest;
    // e^(u - max) in Q16, kept in the outputs' own 16 bits as unsigned (the largest, e^0 =
    // 65536, as 65535: 1.5e-5 low, far below the output's step of 2.4e-4).
    std::uint32_t sum = 0;
    for (std::size_t k = 0; k < n; ++k) {
        std::uint32_t e = math::exp_nonpositive_q16(z[k].raw - largest);
        e = e > 65535u ? 65535u : e;
        sum += e;
        const std::uint16_t bits = static_cast<std::uint16_t>(e);
        std::memcpy(&z[k].raw, &bits, sizeof bits);
    }
    // y_k = e_k / sum = e_k * (2^31 / sum) / 2^31; as Q12: (e_k * reciprocal) >> 19.
    const std::uint32_t reciprocal = 0x80000000u / sum;
    for (std::size_t k = 0; k < n; ++k) {
        std::uint16_t e;
        std::memcpy(&e, &z[k].raw, sizeof e);
        z[k].raw = static_cast<std::int16_t>((e * reciprocal + (1u << 18)) >> 19);
    }
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
