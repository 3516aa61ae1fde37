// Loss functions and the output-layer delta delta^(L) = dE/du^(L).
//
// For the matched pairs identity + squared error, sigmoid + binary cross-
// entropy and softmax + cross-entropy the delta is simply y - d (DL 4.4,
// DLfS 5.6.3); the trainer uses that fused form. Squared error after any other
// activation goes through the general path dE/du = f'(u) * dE/dy. The cross-
// entropies are only defined on the output they belong to, and any other
// pairing is a compile error.
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
}  // namespace detail

/// E = 1/2 ||y - d||^2 (DL 4.1). Works after any output activation.
struct squared_error {
    /// E for n outputs y and targets d.
    template <class T>
    static T value(const T* y, const T* d, std::size_t n)
    {
        T sum = T(0);
        for (std::size_t k = 0; k < n; ++k) sum += (y[k] - d[k]) * (y[k] - d[k]);
        return T(0.5) * sum;
    }
    /// value() and the fused delta y - d in one pass.
    template <class T>
    static T value_and_fused_delta(const T* y, const T* d, T* delta, std::size_t n)
    {
        T sum = T(0);
        for (std::size_t k = 0; k < n; ++k) {
            const T e = y[k] - d[k];
            delta[k] = e;
            sum += e * e;
        }
        return T(0.5) * sum;
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

/// E = -sum_k d_k log y_k over a softmax output (one-hot or soft targets).
struct cross_entropy {
    /// log y with y clamped to the smallest normal value (log 0 would be -inf).
    template <class T>
    static T log_clamped(T y)
    {
        using ops = scalar_ops<T>;
        return ops::log(y > ops::smallest_positive() ? y : ops::smallest_positive());
    }
    /// E for n softmax outputs y and targets d (log clamped at the smallest normal).
    template <class T>
    static T value(const T* y, const T* d, std::size_t n)
    {
        T sum = T(0);
        for (std::size_t k = 0; k < n; ++k) {
            if (!detail::is_zero(d[k])) sum -= d[k] * log_clamped(y[k]);
        }
        return sum;
    }
    /// value() and the fused delta y - d in one pass.
    template <class T>
    static T value_and_fused_delta(const T* y, const T* d, T* delta, std::size_t n)
    {
        T sum = T(0);
        for (std::size_t k = 0; k < n; ++k) {
            delta[k] = y[k] - d[k];
            if (!detail::is_zero(d[k])) sum -= d[k] * log_clamped(y[k]);
        }
        return sum;
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

/// E = -sum_k [d_k log y_k + (1 - d_k) log(1 - y_k)] over sigmoid outputs.
struct binary_cross_entropy {
    /// E for n sigmoid outputs y and targets d in [0, 1].
    template <class T>
    static T value(const T* y, const T* d, std::size_t n)
    {
        using ops = scalar_ops<T>;
        T sum = T(0);
        for (std::size_t k = 0; k < n; ++k) {
            const T p = y[k] > ops::smallest_positive() ? y[k] : ops::smallest_positive();
            const T q = (T(1) - y[k]) > ops::smallest_positive() ? T(1) - y[k] : ops::smallest_positive();
            sum -= d[k] * ops::log(p) + (T(1) - d[k]) * ops::log(q);
        }
        return sum;
    }
    /// value() and the fused delta y - d.
    template <class T>
    static T value_and_fused_delta(const T* y, const T* d, T* delta, std::size_t n)
    {
        for (std::size_t k = 0; k < n; ++k) delta[k] = y[k] - d[k];
        return value(y, d, n);
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
        for (std::size_t k = 0; k < n; ++k) delta[k] = y[k] - d[k];
    } else {
        Loss::output_gradient(y, d, delta, n);
        activation::backward(output, parameter, y, delta, n);
    }
}

/// E(y, d), and delta^(L) written as output_delta does: one pass for the fused pairs.
template <class Loss, class T>
T value_and_output_delta(activation_kind output, T parameter, const T* y, const T* d, T* delta, std::size_t n)
{
    if (Loss::fused_with(output)) return Loss::value_and_fused_delta(y, d, delta, n);
    output_delta<Loss>(output, parameter, y, d, delta, n);
    return Loss::value(y, d, n);
}

}  // namespace microprop

#endif
