// Loss functions and the output-layer delta delta^(L) = dE/du^(L).
//
// For the matched pairs identity + squared error, sigmoid + binary cross-
// entropy and softmax + cross-entropy the delta is y - d (DL 4.4, DLfS 5.6.3;
// for softmax y sum(d) - d, which is y - d when the targets sum to 1); the
// trainer uses that fused form. Squared error after any other activation goes
// through the general path dE/du = f'(u) * dE/dy. The cross-entropies are only
// defined on the output they belong to, and any other pairing is a compile error.
//
// Values are never clamped into finiteness: a NaN output gives a NaN loss. Where
// the output saturates (a softmax probability below the smallest normal value, a
// sigmoid output within 2^-8 of 1) the value from y loses its digits, so the cross-
// entropies also give the value from the pre-activation u (log-sum-exp,
// softplus), exact for every finite u; the trainer recomputes u of the output
// layer only for those samples.
#ifndef MICROPROP_LOSSES_HPP
#define MICROPROP_LOSSES_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "layers/activations.hpp"
#include "scalar.hpp"

namespace microprop {

namespace detail {
/// v == 0 (either sign); for float a test of the bits, which on an FPU without a fast
/// compare-and-branch saves the transfer of the FPU flags.
template <class T>
bool is_zero(T v)
{
    if constexpr (std::is_same_v<T, float> && std::numeric_limits<float>::is_iec559) {
        std::uint32_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        return (bits << 1) == 0;
    } else {
        return v == T(0);
    }
}

/// 0 <= v < smallest normal value (v a probability); for float and double a test of the
/// bits, which keeps the FPU flags out of the training step.
template <class T>
bool below_normal(T v)
{
    using bits = ieee_bits<T>;
    if constexpr (bits::available) {
        return (bits::of(v) & bits::magnitude_mask) < bits::of(std::numeric_limits<T>::min());
    } else {
        return v < std::numeric_limits<T>::min();
    }
}

/// log(1 + e) for 0 <= e <= 1, accurate to a few ulp also where 1 + e rounds (the
/// correction e / ((1 + e) - 1) undoes the rounding of 1 + e; Goldberg 1991, thm. 4).
template <class T>
T log1p_small(T e)
{
    const T w = T(1) + e;
    if (w == T(1)) return e;
    return scalar_ops<T>::log(w) * (e / (w - T(1)));
}

}  // namespace detail

/// E = 1/2 ||y - d||^2 (DL 4.1). Works after any output activation.
struct squared_error {
    /// E from the outputs y (n values) and targets d.
    template <class T>
    static T value(const T* y, const T* d, std::size_t n)
    {
        T sum = T(0);
        for (std::size_t k = 0; k < n; ++k) sum += (y[k] - d[k]) * (y[k] - d[k]);
        return T(0.5) * sum;
    }
    /// value() and the fused delta y - d in one pass. `saturated` is left alone: the value
    /// from y is exact.
    template <class T>
    static T value_and_fused_delta(const T* y, const T* d, T* delta, std::size_t n, bool& /*saturated*/)
    {
        T sum = T(0);
        for (std::size_t k = 0; k < n; ++k) {
            const T e = y[k] - d[k];
            delta[k] = e;
            sum += e * e;
        }
        return T(0.5) * sum;
    }
    /// The fused delta dE/du = y - d of an identity output.
    template <class T>
    static void fused_delta(const T* y, const T* d, T* delta, std::size_t n)
    {
        for (std::size_t k = 0; k < n; ++k) delta[k] = y[k] - d[k];
    }
    /// E from the pre-activation of an identity output (where y = u).
    template <class T>
    static T value_from_preactivation(const T* u, const T* d, std::size_t n)
    {
        return value(u, d, n);
    }
    /// dE/dy_k = y_k - d_k.
    template <class T>
    static void output_gradient(const T* y, const T* d, T* g, std::size_t n)
    {
        for (std::size_t k = 0; k < n; ++k) g[k] = y[k] - d[k];
    }
    /// True: any output activation.
    static constexpr bool accepts(activation_kind) { return true; }
    /// True where delta = y - d (identity output).
    static constexpr bool fused_with(activation_kind a) { return a == activation_kind::identity; }
};

/// E = -sum_k d_k log y_k over a softmax output. Targets may be one-hot or soft, and need
/// not sum to 1: the delta is then y sum(d) - d, the exact gradient of this E.
struct cross_entropy {
    /// E from the outputs y = softmax(u). Exact while every y_k with d_k != 0 is a normal
    /// value; +inf where such a y_k underflowed to 0 (value_from_preactivation is exact
    /// there). Never clamped: a NaN output gives NaN.
    template <class T>
    static T value(const T* y, const T* d, std::size_t n)
    {
        T sum = T(0);
        for (std::size_t k = 0; k < n; ++k) {
            if (!detail::is_zero(d[k])) sum -= d[k] * scalar_ops<T>::log(y[k]);
        }
        return sum;
    }
    /// value() and the fused delta y sum(d) - d in one pass. Sets `saturated` when a y_k
    /// with d_k != 0 is below the smallest normal value (a subnormal y_k has lost digits; at
    /// 0 the value is +inf).
    template <class T>
    static T value_and_fused_delta(const T* y, const T* d, T* delta, std::size_t n, bool& saturated)
    {
        T sum = T(0);
        T target_sum = T(0);
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 2
#endif
        for (std::size_t k = 0; k < n; ++k) {
            const T yk = y[k];
            const T dk = d[k];
            delta[k] = yk - dk;
            // Unlikely: with one-hot targets all but one d_k are 0, and the hint keeps the
            // compiler from starting the log's work before the test.
            if (__builtin_expect(!detail::is_zero(dk), 0)) {
                target_sum += dk;
                sum -= dk * scalar_ops<T>::log(yk);
                if (__builtin_expect(detail::below_normal(yk), 0)) saturated = true;
            }
        }
        // Soft or unnormalised targets: y - d + y (sum(d) - 1) = y sum(d) - d. Skipped for
        // targets summing exactly to 1, as one-hot ones do.
        if (target_sum != T(1)) {
            const T excess = target_sum - T(1);
            for (std::size_t k = 0; k < n; ++k) delta[k] += y[k] * excess;
        }
        return sum;
    }
    /// dE/du_k = y_k sum(d) - d_k.
    template <class T>
    static void fused_delta(const T* y, const T* d, T* delta, std::size_t n)
    {
        T target_sum = T(0);
        for (std::size_t k = 0; k < n; ++k) target_sum += d[k];
        for (std::size_t k = 0; k < n; ++k) delta[k] = y[k] * target_sum - d[k];
    }
    /// E = sum_k d_k (logsumexp(u) - u_k), exact for every finite u (the largest u_k is
    /// subtracted before e^x, DLfS 3.5.2).
    template <class T>
    static T value_from_preactivation(const T* u, const T* d, std::size_t n)
    {
        using ops = scalar_ops<T>;
        T largest = u[0];
        for (std::size_t k = 1; k < n; ++k) largest = u[k] > largest ? u[k] : largest;
        T sum = T(0);
        for (std::size_t k = 0; k < n; ++k) sum += ops::exp(u[k] - largest);
        const T log_sum = largest + ops::log(sum);
        T loss = T(0);
        for (std::size_t k = 0; k < n; ++k) {
            if (!detail::is_zero(d[k])) loss += d[k] * (log_sum - u[k]);
        }
        return loss;
    }
    /// dE/dy_k = -d_k / y_k.
    template <class T>
    static void output_gradient(const T* y, const T* d, T* g, std::size_t n)
    {
        for (std::size_t k = 0; k < n; ++k) g[k] = -d[k] / y[k];
    }
    /// True for a softmax output only.
    static constexpr bool accepts(activation_kind a) { return a == activation_kind::softmax; }
    /// True for softmax: delta = y - d.
    static constexpr bool fused_with(activation_kind a) { return a == activation_kind::softmax; }
};

/// E = -sum_k [d_k log y_k + (1 - d_k) log(1 - y_k)] over sigmoid outputs; the delta
/// y - d is exact for any real d.
struct binary_cross_entropy {
    /// Outputs this close to 1 have lost the digits of log(1 - y): 2^-8.
    template <class T>
    static constexpr T saturation_margin()
    {
        return T(0.00390625);
    }
    /// E from the outputs y = sigmoid(u). Exact to a few ulp of E while every y_k lies in
    /// [smallest normal, 1 - 2^-8]; +inf where y_k rounded to 0 or 1. Never clamped.
    template <class T>
    static T value(const T* y, const T* d, std::size_t n)
    {
        using ops = scalar_ops<T>;
        T sum = T(0);
        for (std::size_t k = 0; k < n; ++k) sum -= d[k] * ops::log(y[k]) + (T(1) - d[k]) * ops::log(T(1) - y[k]);
        return sum;
    }
    /// value() and the fused delta y - d; sets `saturated` when an output is within 2^-8
    /// of 1 (value_from_preactivation is then the exact one).
    template <class T>
    static T value_and_fused_delta(const T* y, const T* d, T* delta, std::size_t n, bool& saturated)
    {
        for (std::size_t k = 0; k < n; ++k) {
            delta[k] = y[k] - d[k];
            saturated |= y[k] > T(1) - saturation_margin<T>();
        }
        return value(y, d, n);
    }
    /// dE/du_k = y_k - d_k.
    template <class T>
    static void fused_delta(const T* y, const T* d, T* delta, std::size_t n)
    {
        for (std::size_t k = 0; k < n; ++k) delta[k] = y[k] - d[k];
    }
    /// E = sum_k log(1 + e^u_k) - d_k u_k, exact for every finite u (written as
    /// (1 - d) u + log(1 + e^-u) for u > 0 so that nothing cancels).
    template <class T>
    static T value_from_preactivation(const T* u, const T* d, std::size_t n)
    {
        T sum = T(0);
        for (std::size_t k = 0; k < n; ++k) {
            const T magnitude = u[k] < T(0) ? -u[k] : u[k];
            const T tail = detail::log1p_small(scalar_ops<T>::exp(-magnitude));
            sum += (u[k] > T(0) ? (T(1) - d[k]) * u[k] : -d[k] * u[k]) + tail;
        }
        return sum;
    }
    /// dE/dy_k = (y_k - d_k) / (y_k (1 - y_k)).
    template <class T>
    static void output_gradient(const T* y, const T* d, T* g, std::size_t n)
    {
        for (std::size_t k = 0; k < n; ++k) g[k] = (y[k] - d[k]) / (y[k] * (T(1) - y[k]));
    }
    /// True for a sigmoid output only.
    static constexpr bool accepts(activation_kind a) { return a == activation_kind::sigmoid; }
    /// True for sigmoid: delta = y - d.
    static constexpr bool fused_with(activation_kind a) { return a == activation_kind::sigmoid; }
};

/// Compile-time check that a loss fits the network's output activation.
template <class Loss, activation_kind Output>
struct loss_fits_output {
    static_assert(Loss::accepts(Output),
                  "This loss does not fit the network's output layer: cross_entropy needs a softmax "
                  "output and binary_cross_entropy needs a sigmoid output (squared_error fits any).");
    /// True; the check is the static_assert above.
    static constexpr bool value = true;
};

/// Writes delta^(L) = dE/du^(L) for output y = f(u^(L)) and target d.
template <class Loss, class T>
void output_delta(activation_kind output, T parameter, const T* y, const T* d, T* delta, std::size_t n)
{
    if (Loss::fused_with(output)) {
        Loss::fused_delta(y, d, delta, n);
    } else {
        Loss::output_gradient(y, d, delta, n);
        activation::backward(output, parameter, y, delta, n);
    }
}

/// E(y, d), and delta^(L) written as output_delta does: one pass for the fused pairs.
/// Sets `saturated` when the value from y has lost digits (see the losses); the exact
/// value is then Loss::value_from_preactivation of the output layer's u.
template <class Loss, class T>
T value_and_output_delta(activation_kind output, T parameter, const T* y, const T* d, T* delta, std::size_t n,
                         bool& saturated)
{
    if (Loss::fused_with(output)) return Loss::value_and_fused_delta(y, d, delta, n, saturated);
    output_delta<Loss>(output, parameter, y, d, delta, n);
    return Loss::value(y, d, n);
}

/// value_and_output_delta without the saturation flag.
template <class Loss, class T>
T value_and_output_delta(activation_kind output, T parameter, const T* y, const T* d, T* delta, std::size_t n)
{
    bool saturated = false;
    return value_and_output_delta<Loss>(output, parameter, y, d, delta, n, saturated);
}

}  // namespace microprop

#endif
