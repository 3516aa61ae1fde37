// Activation layers: identity, sigmoid, tanh, ReLU, leaky ReLU, softmax.
//
// An activation follows a dense layer and works in place on that layer's
// output buffer, so it costs no RAM of its own. Every derivative is written in
// terms of the activation's output z = f(u), which is what the forward pass
// keeps: sigmoid z(1-z), tanh 1-z^2, ReLU [z > 0] (DLfS 5.5, DL 4.12).
#ifndef MICROPROP_LAYERS_ACTIVATIONS_HPP
#define MICROPROP_LAYERS_ACTIVATIONS_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../scalar.hpp"

namespace microprop {

/// How an activation is applied at run time; one entry per activation layer type.
enum class activation_kind : std::uint8_t { identity, sigmoid, tanh, relu, leaky_relu, softmax };

/// f(u) = u.
struct identity {
    /// The run-time tag of this activation.
    static constexpr activation_kind kind = activation_kind::identity;
    /// No parameter.
    static constexpr float parameter = 0.0f;
};
/// f(u) = 1 / (1 + e^-u), f' = z (1 - z).
struct sigmoid {
    /// The run-time tag of this activation.
    static constexpr activation_kind kind = activation_kind::sigmoid;
    /// No parameter.
    static constexpr float parameter = 0.0f;
};
/// f(u) = tanh(u), f' = 1 - z^2.
struct tanh {
    /// The run-time tag of this activation.
    static constexpr activation_kind kind = activation_kind::tanh;
    /// No parameter.
    static constexpr float parameter = 0.0f;
};
/// f(u) = max(0, u), f' = 1 if z > 0 else 0. A NaN u stays NaN (so that a NaN weight
/// reaches the loss instead of hiding behind a zero).
struct relu {
    /// The run-time tag of this activation.
    static constexpr activation_kind kind = activation_kind::relu;
    /// No parameter.
    static constexpr float parameter = 0.0f;
};
/// f(u) = u if u > 0 else (Numerator/Denominator) u. The slope is stored as a
/// float in the layer table, for double networks too (0.01 is 0.00999999977).
template <int Numerator, int Denominator>
struct basic_leaky_relu {
    static_assert(Numerator > 0 && Numerator < Denominator,
                  "The leaky ReLU slope Numerator/Denominator must lie strictly between 0 and 1.");
    /// The run-time tag of this activation.
    static constexpr activation_kind kind = activation_kind::leaky_relu;
    /// The slope for negative inputs, Numerator / Denominator.
    static constexpr float parameter = static_cast<float>(Numerator) / static_cast<float>(Denominator);
};
/// Leaky ReLU with slope 0.01 for negative inputs.
using leaky_relu = basic_leaky_relu<1, 100>;
/// y_k = e^{u_k} / sum_l e^{u_l}, computed after subtracting max(u) so it never overflows.
/// Only valid as the last layer.
struct softmax {
    /// The run-time tag of this activation.
    static constexpr activation_kind kind = activation_kind::softmax;
    /// No parameter.
    static constexpr float parameter = 0.0f;
};

template <class L, class = void>
struct is_activation : std::false_type {};
template <class L>
struct is_activation<L, std::void_t<decltype(L::kind)>> : std::true_type {};

namespace activation {

/// Numerically stable softmax of n values spaced `stride` apart: max(z) is
/// subtracted first, so no exponent overflows (DLfS 3.5.2).
template <class T>
void softmax_strided(T* z, std::size_t n, std::size_t stride)
{
    using ops = scalar_ops<T>;
    T largest = z[0];
    for (std::size_t i = 1; i < n; ++i) largest = z[i * stride] > largest ? z[i * stride] : largest;
    T sum = T(0);
    for (std::size_t i = 0; i < n; ++i) {
        z[i * stride] = ops::exp(z[i * stride] - largest);
        sum += z[i * stride];
    }
    const T inverse = T(1) / sum;
    for (std::size_t i = 0; i < n; ++i) z[i * stride] *= inverse;
}

/// z <- f(z) for n values. `parameter` is the leaky ReLU slope.
template <class T>
void apply(activation_kind kind, T parameter, T* z, std::size_t n)
{
    using ops = scalar_ops<T>;
    switch (kind) {
        case activation_kind::identity:
            break;
        case activation_kind::sigmoid:
            for (std::size_t i = 0; i < n; ++i) z[i] = T(1) / (T(1) + ops::exp(-z[i]));
            break;
        case activation_kind::tanh:
            for (std::size_t i = 0; i < n; ++i) z[i] = ops::tanh(z[i]);
            break;
        case activation_kind::relu:
            for (std::size_t i = 0; i < n; ++i) z[i] = z[i] <= T(0) ? T(0) : z[i];  // NaN stays NaN
            break;
        case activation_kind::leaky_relu:
            for (std::size_t i = 0; i < n; ++i) z[i] = z[i] > T(0) ? z[i] : parameter * z[i];
            break;
        case activation_kind::softmax:
            softmax_strided(z, n, 1);
            break;
    }
}

/// f'(u) written in terms of z = f(u), for the element-wise activations.
template <class T>
T derivative(activation_kind kind, T parameter, T z)
{
    switch (kind) {
        case activation_kind::sigmoid: return z * (T(1) - z);
        case activation_kind::tanh: return T(1) - z * z;
        case activation_kind::relu: return z > T(0) ? T(1) : T(0);
        case activation_kind::leaky_relu: return z > T(0) ? T(1) : parameter;
        case activation_kind::identity:
        case activation_kind::softmax: break;
    }
    return T(1);
}

/// f''(u) written in terms of z = f(u) (for Hessians, PRML 5.81).
template <class T>
T second_derivative(activation_kind kind, T z)
{
    switch (kind) {
        case activation_kind::sigmoid: return z * (T(1) - z) * (T(1) - T(2) * z);
        case activation_kind::tanh: return T(-2) * z * (T(1) - z * z);
        default: return T(0);
    }
}

/// g <- dE/du from g = dE/dz, given z = f(u) (n values). For softmax this is
/// the Jacobian product g_j <- z_j (g_j - sum_k g_k z_k).
template <class T>
void backward(activation_kind kind, T parameter, const T* z, T* g, std::size_t n)
{
    switch (kind) {
        case activation_kind::identity:
            break;
        case activation_kind::softmax: {
            T dot = T(0);
            for (std::size_t k = 0; k < n; ++k) dot += g[k] * z[k];
            for (std::size_t k = 0; k < n; ++k) g[k] = z[k] * (g[k] - dot);
            break;
        }
        default:
            for (std::size_t i = 0; i < n; ++i) g[i] *= derivative(kind, parameter, z[i]);
            break;
    }
}

}  // namespace activation
}  // namespace microprop

#endif
