// Update rules applied to the parameter vector with its gradient.
//
// Hyper-parameters are plain public members, set at run time and checked by
// valid() before every step the trainer takes (status invalid_hyperparameter,
// nothing changed). Each optimizer says how many values of state it keeps per
// parameter; the trainer provides that state, laid out like the parameters.
//
// Every optimizer has `gradient_clip`: when above 0, a gradient whose Euclidean
// norm exceeds it is scaled down to that norm before the step (fused per-sample
// SGD, which never holds the whole gradient, clips each layer's gradient).
#ifndef MICROPROP_OPTIMIZERS_HPP
#define MICROPROP_OPTIMIZERS_HPP

#include <cstddef>
#include <limits>
#include <type_traits>

#include "scalar.hpp"

// The steps below are the specification; on targets with vector kernels (kernels/optimizer_step/simd.hpp) float
// parameters go through the same formulas a vector at a time, unless the reference kernels
// are forced.
#if MICROPROP_KERNELS_SIMD && !MICROPROP_KERNELS_VFP && \
    !(defined(MICROPROP_FORCE_REFERENCE_KERNELS) && MICROPROP_FORCE_REFERENCE_KERNELS)
#define MICROPROP_VECTOR_OPTIMIZERS 1
#else
#define MICROPROP_VECTOR_OPTIMIZERS 0
#endif

namespace microprop {

/// Largest learning rate valid() accepts; above it no network trains.
inline constexpr float max_learning_rate = 1e3f;
/// Largest weight decay valid() accepts.
inline constexpr float max_weight_decay = 1.0f;

namespace detail {
/// lo <= v <= hi and v not NaN, on the bits (0 <= lo <= hi finite): -0.0 and every
/// negative value fail, under -ffast-math too.
inline bool setting_in(float v, float lo, float hi) { return in_closed_range(v, lo, hi); }
/// 0 <= v < 1.
inline bool setting_below_one(float v) { return in_closed_range(v, 0.0f, 0.99999994f); }
/// A learning rate, weight decay and clip threshold that valid() accepts.
inline bool common_settings_valid(float learning_rate, float weight_decay, float gradient_clip)
{
    return setting_in(learning_rate, 0.0f, max_learning_rate) && setting_in(weight_decay, 0.0f, max_weight_decay) &&
           setting_in(gradient_clip, 0.0f, std::numeric_limits<float>::max());
}
}  // namespace detail

/// w <- w - lr (dE/dw + weight_decay w)  (DL ch. 3).
struct sgd {
    /// Step size lr.
    float learning_rate = 0.01f;
    /// L2 weight decay (0: none).
    float weight_decay = 0.0f;
    /// Largest gradient norm; 0 turns clipping off.
    float gradient_clip = 0.0f;
    /// No state.
    static constexpr std::size_t state_per_parameter = 0;

    /// learning_rate in [0, max_learning_rate], weight_decay in [0, max_weight_decay],
    /// gradient_clip >= 0 and finite (NaN fails everywhere).
    bool valid() const { return detail::common_settings_valid(learning_rate, weight_decay, gradient_clip); }

    /// One update of the n parameters w with their gradient g.
    template <class T>
    void step(T* w, const T* g, T* /*state*/, std::size_t n)
    {
        const T lr = static_cast<T>(learning_rate);
        const T decay = static_cast<T>(weight_decay);
        std::size_t k = 0;
#if MICROPROP_VECTOR_OPTIMIZERS
        if constexpr (std::is_same<T, float>::value) k = kernels::simd_dispatch::sgd_step(w, g, n, lr, decay);
#endif
        for (; k < n; ++k) w[k] -= lr * (g[k] + decay * w[k]);
    }
};

/// Heavy-ball momentum: v <- mu v + g', w <- w - lr v, with g' = g + weight_decay w.
/// Nesterov: w <- w - lr (g' + mu v) after the same v update (PyTorch's formulation).
/// The default step lr / (1 - mu) = 0.01 equals sgd's (lr 0.01 with mu 0.9 took steps ten
/// times as long and diverged per sample on digits).
struct momentum {
    /// Step size lr.
    float learning_rate = 0.001f;
    /// Velocity decay mu.
    float momentum = 0.9f;
    /// Nesterov's variant instead of heavy-ball.
    bool nesterov = false;
    /// L2 weight decay (0: none).
    float weight_decay = 0.0f;
    /// Largest gradient norm; 0 turns clipping off.
    float gradient_clip = 0.0f;
    /// The velocity v.
    static constexpr std::size_t state_per_parameter = 1;

    /// As sgd::valid(), and momentum in [0, 1).
    bool valid() const
    {
        return detail::common_settings_valid(learning_rate, weight_decay, gradient_clip) &&
               detail::setting_below_one(momentum);
    }

    /// One update of the n parameters w with their gradient g and velocity (n values).
    template <class T>
    void step(T* w, const T* g, T* velocity, std::size_t n)
    {
        const T lr = static_cast<T>(learning_rate);
        const T mu = static_cast<T>(momentum);
        const T decay = static_cast<T>(weight_decay);
        std::size_t k = 0;
#if MICROPROP_VECTOR_OPTIMIZERS
        if constexpr (std::is_same<T, float>::value) {
            k = kernels::simd_dispatch::momentum_step(w, g, velocity, n, lr, mu, decay, nesterov);
        }
#endif
        for (; k < n; ++k) {
            const T gk = g[k] + decay * w[k];
            velocity[k] = mu * velocity[k] + gk;
            w[k] -= lr * (nesterov ? gk + mu * velocity[k] : velocity[k]);
        }
    }
};

/// Adam (Kingma & Ba 2015) with bias correction; weight_decay adds an L2 term to g.
/// m <- b1 m + (1-b1) g, v <- b2 v + (1-b2) g^2,
/// w <- w - lr * (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + epsilon).
struct adam {
    /// Step size lr.
    float learning_rate = 0.001f;
    /// Decay of the first moment m.
    float beta1 = 0.9f;
    /// Decay of the second moment v.
    float beta2 = 0.999f;
    /// Added to sqrt(v) against division by zero.
    float epsilon = 1e-8f;
    /// L2 weight decay (0: none).
    float weight_decay = 0.0f;
    /// Largest gradient norm; 0 turns clipping off.
    float gradient_clip = 0.0f;
    /// m, then v.
    static constexpr std::size_t state_per_parameter = 2;

    /// As sgd::valid(), beta1 and beta2 in [0, 1), epsilon > 0 and finite, and the step
    /// counters beta1_power, beta2_power in [0, 1].
    bool valid() const
    {
        return detail::common_settings_valid(learning_rate, weight_decay, gradient_clip) &&
               detail::setting_below_one(beta1) && detail::setting_below_one(beta2) &&
               detail::setting_in(epsilon, std::numeric_limits<float>::denorm_min(),
                                  std::numeric_limits<float>::max()) &&
               detail::in_closed_range(beta1_power, 0.0, 1.0) && detail::in_closed_range(beta2_power, 0.0, 1.0);
    }

    /// beta1^t and beta2^t after t steps.
    /// Kept in double so that the bias correction of a double network is not
    /// limited to float precision (1 - beta2^t is small: float rounding of
    /// beta2^2 alone gave a 1.5e-5 relative error in the step).
    double beta1_power = 1.0;
    /// beta2^t (see beta1_power).
    double beta2_power = 1.0;

    /// One update of the n parameters w with their gradient g; state holds m then v (2n values).
    template <class T>
    void step(T* w, const T* g, T* state, std::size_t n)
    {
        using ops = scalar_ops<T>;
        beta1_power *= static_cast<double>(beta1);
        beta2_power *= static_cast<double>(beta2);
        const T b1 = static_cast<T>(beta1);
        const T b2 = static_cast<T>(beta2);
        const T decay = static_cast<T>(weight_decay);
        const T eps = static_cast<T>(epsilon);
        const T lr = static_cast<T>(learning_rate);
        const T m_scale = static_cast<T>(1.0 / (1.0 - beta1_power));
        const T v_scale = static_cast<T>(1.0 / (1.0 - beta2_power));
        T* m = state;
        T* v = state + n;
        std::size_t k = 0;
#if MICROPROP_VECTOR_OPTIMIZERS
        if constexpr (std::is_same<T, float>::value) {
            k = kernels::simd_dispatch::adam_step(w, g, m, v, n, b1, b2, decay, eps, lr, m_scale, v_scale);
        }
#endif
        for (; k < n; ++k) {
            const T gk = g[k] + decay * w[k];
            m[k] = b1 * m[k] + (T(1) - b1) * gk;
            v[k] = b2 * v[k] + (T(1) - b2) * gk * gk;
            w[k] -= lr * (m[k] * m_scale) / (ops::sqrt(v[k] * v_scale) + eps);
        }
    }
};

}  // namespace microprop

#endif
