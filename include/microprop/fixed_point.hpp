// Fixed-point networks and their training, for cores without an FPU.
//
//     #include <microprop/fixed_point.hpp>
//     using net_t = mp::network<mp::q3_12, mp::dense<4, 16>, mp::relu, mp::dense<16, 3>, mp::softmax>;
//     net_t net(seed);                                  // or quantize(float_net, net)
//     mp::trainer<net_t, mp::cross_entropy, mp::sgd> tr(net, mp::sgd{0.05f});
//     status s = tr.train_sample(x, d);                 // x, d: q3_12 arrays
//
// Design (README "Fixed point"):
// - Every value is q3_12 (fixed_scalar.hpp): 16 bits, range [-8, 8), step 1/4096.
//   Products are exact 32-bit integers; the sums of a layer are exact in 64 bits
//   and rounded once. Narrowing saturates and is counted (saturation_count()).
// - Parameter updates (SGD steps, gradients, momentum) are rounded stochastically
//   with the trainer's seeded random_generator (the seed is the trainer's third
//   constructor argument): a step of lr * delta * x much smaller than 1/4096 still
//   moves the weight by that amount in expectation, with no wider master copy of
//   the weights, so training needs about half the RAM of float.
// - The network and trainer types are the float ones: network<q3_12, ...> stores
//   its parameters as q3_12 and its forward pass runs the integer kernels of
//   kernels/fixed/ (an explicit specialisation of engine::forward below); this
//   header specialises trainer<network<q3_12, ...>, Loss, Optimizer, 1> with
//   per-sample SGD (fused into backprop) and momentum. Minibatches, Adam and
//   tied layers are compile-time errors for now; Hessians, Jacobians and the
//   finite-difference gradient check need a floating-point scalar and say so.
#ifndef MICROPROP_FIXED_POINT_HPP
#define MICROPROP_FIXED_POINT_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "engine.hpp"
#include "fixed_scalar.hpp"
#include "kernels/fixed/activations.hpp"
#include "kernels/fixed/dense.hpp"
#include "losses.hpp"
#include "network.hpp"
#include "optimizers.hpp"
#include "random.hpp"
#include "size_check.hpp"
#include "span.hpp"
#include "status.hpp"
#include "trainer.hpp"

namespace microprop {

namespace engine {
/// The forward pass of a q3_12 network: integer dense kernels and activations.
template <>
inline void forward<q3_12, false>(const model_ref<q3_12>& m, const q3_12* x)
{
    const q3_12* in = x;
    for (std::size_t l = 0; l < m.layer_count; ++l) {
        const layer_info& layer = m.layers[l];
        q3_12* out = m.activations + layer.output_offset;
        kernels::fixed::dense_forward(m.parameters + layer.weight_offset, m.parameters + layer.bias_offset, in, out,
                                      layer.inputs, layer.outputs);
        kernels::fixed::activate(layer.activation, layer.activation_parameter, out, layer.outputs);
        in = out;
    }
}
}  // namespace engine

namespace fixed {

/// E(y, d) of a loss in Q3.12 and the output delta dE/du (n values), as
/// value_and_output_delta (losses.hpp) does in float. Logs take y clamped to one step
/// (1/4096), so a cross-entropy term is at most ln 4096 = 8.3, which saturates at 8.
template <class Loss>
q3_12 value_and_output_delta(activation_kind output, float parameter, const q3_12* y, const q3_12* d,
                             q3_12* delta, std::size_t n)
{
    std::int64_t sum = 0;  // Q24
    for (std::size_t k = 0; k < n; ++k) {
        const std::int32_t e = saturate16(std::int32_t(y[k].raw) - d[k].raw);
        delta[k].raw = static_cast<std::int16_t>(e);
        if constexpr (std::is_same<Loss, squared_error>::value) {
            sum += e * e;
        } else {
            const std::int32_t yk = y[k].raw > 0 ? y[k].raw : 1;
            if (d[k].raw != 0) sum -= std::int32_t(d[k].raw) * math::log_raw(yk);  // one log per sample one-hot
            if constexpr (std::is_same<Loss, binary_cross_entropy>::value) {
                const std::int32_t qk = one - y[k].raw > 0 ? one - y[k].raw : 1;
                sum -= (one - std::int32_t(d[k].raw)) * math::log_raw(qk);
            }
        }
    }
    if (!Loss::fused_with(output)) kernels::fixed::activation_backward(output, parameter, y, delta, n);
    if constexpr (std::is_same<Loss, squared_error>::value) sum /= 2;
    return q3_12::from_raw(narrow_product_sum(sum));
}

/// Quantises n floats (rounded to nearest, saturated and counted).
inline void quantize(const float* from, q3_12* to, std::size_t n)
{
    for (std::size_t k = 0; k < n; ++k) to[k] = q3_12(from[k]);
}
/// The exact float values of n q3_12.
inline void dequantize(const q3_12* from, float* to, std::size_t n)
{
    for (std::size_t k = 0; k < n; ++k) to[k] = static_cast<float>(from[k]);
}

}  // namespace fixed

/// Rounds every parameter of a float network to the nearest q3_12 of the same topology.
/// Returns status::saturated (after converting every parameter, out-of-range ones clamped)
/// when some parameter lies outside [-8, 8), else ok. RAM: none beyond the two networks.
template <class... Layers>
[[nodiscard]] status quantize(const network<float, Layers...>& from, network<q3_12, Layers...>& to)
{
    const std::uint32_t before = saturation_count();
    fixed::quantize(from.parameters().data(), to.parameters().data(), from.parameters().size());
    return saturation_count() == before ? status::ok : status::saturated;
}

/// Writes the exact float values of a q3_12 network's parameters into a float network.
template <class... Layers>
void dequantize(const network<q3_12, Layers...>& from, network<float, Layers...>& to)
{
    fixed::dequantize(from.parameters().data(), to.parameters().data(), from.parameters().size());
}

/// Training of a q3_12 network (fixed_point.hpp): per-sample SGD fused into backprop, or
/// momentum through a q3_12 gradient buffer. Same interface as the float trainer, plus
/// the seed of the stochastic rounding as the third constructor argument.
///
/// RAM: two delta buffers of the widest layer, the gradient and velocity (momentum only),
/// all q3_12, plus the 16-byte random generator: workspace_bytes + 28 bytes or so.
template <class Loss, class Optimizer, std::size_t BatchSize, class... Layers>
class trainer<network<q3_12, Layers...>, Loss, Optimizer, BatchSize> {
public:
    using network_type = microprop::network<q3_12, Layers...>;  ///< the network trained
    using T = q3_12;                                           ///< its scalar
    static_assert(BatchSize == 1,
                  "Minibatch training of a q3_12 network is not implemented yet: train it per sample (BatchSize = 1).");
    static_assert(std::is_same<Optimizer, sgd>::value || std::is_same<Optimizer, momentum>::value,
                  "A q3_12 network trains with sgd or momentum only (Adam's square root and division are not in fixed point yet).");
    static_assert(!network_type::has_tied_layers, "Tied layers are not supported in q3_12 networks yet.");
    static_assert(loss_fits_output<Loss, network_type::output_activation>::value, "");

    static constexpr std::size_t batch_size = 1;  ///< per-sample training only
    static constexpr std::size_t parameter_count = network_type::parameter_count;  ///< weights and biases
    /// True for sgd: the update is fused into backprop, no gradient buffer.
    static constexpr bool fused_sgd = std::is_same<Optimizer, sgd>::value;
    static constexpr std::size_t delta_count = 2 * network_type::max_width;  ///< two ping-pong delta buffers
    static constexpr std::size_t gradient_count = fused_sgd ? 0 : parameter_count;  ///< gradient buffer (momentum)
    /// Momentum's velocity, one value per parameter (none for sgd).
    static constexpr std::size_t optimizer_state_count = Optimizer::state_per_parameter * parameter_count;
    /// Every q3_12 the trainer holds.
    static constexpr std::size_t workspace_count = delta_count + gradient_count + optimizer_state_count;
    static constexpr std::size_t delta_bytes = delta_count * sizeof(T);  ///< bytes of the deltas
    static constexpr std::size_t gradient_bytes = gradient_count * sizeof(T);  ///< bytes of the gradient
    static constexpr std::size_t optimizer_state_bytes = optimizer_state_count * sizeof(T);  ///< bytes of the velocity
    static constexpr std::size_t workspace_bytes = workspace_count * sizeof(T);  ///< bytes of all buffers

    /// `rounding_seed` seeds the stochastic rounding of the updates (same seed, same bits).
    explicit trainer(network_type& net, Optimizer optimizer = {}, std::uint32_t rounding_seed = 1)
        : net_(&net), optimizer_(optimizer), rng_(rounding_seed)
    {
    }

    /// The optimizer and its hyper-parameters (may be changed between steps).
    Optimizer& optimizer() { return optimizer_; }
    /// The optimizer and its hyper-parameters.
    const Optimizer& optimizer() const { return optimizer_; }
    /// The network being trained.
    network_type& network() { return *net_; }
    /// The momentum velocity, laid out like the parameters; empty for sgd.
    span<T> optimizer_state() { return span<T>(state(), optimizer_state_count); }
    /// Loss of the last successful step, before the update (saturates at 8).
    T last_loss() const { return last_loss_; }

    /// One step on one sample: x and d are `std::array`s or C arrays of input_size and
    /// output_size values (checked at compile time, array_length_must_match).
    /// Returns invalid_hyperparameter (nothing changed) unless 0 < learning_rate < 8,
    /// 0 <= weight_decay < 1 and, for momentum, 0 <= momentum < 1.
    template <class Input, class Target, detail::if_fixed<T, Input, Target> = 0>
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status train_sample(const Input& x, const Target& d)
    {
        static_assert(detail::sample_fits<network_type, Input, Target>(), "");
        return train_sample_unchecked(detail::first_of(x), detail::first_of(d));
    }
    /// train_sample() on spans: status::size_mismatch, and nothing changed, unless the
    /// lengths are input_size and output_size.
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status train_sample(span<const T> x, span<const T> d)
    {
        if (x.size() != network_type::input_size || d.size() != network_type::output_size) return status::size_mismatch;
        return train_sample_unchecked(x.data(), d.data());
    }
    /// train_sample() without the length check: x and d must point at input_size and
    /// output_size values.
    [[nodiscard]] status train_sample_unchecked(const T* x, const T* d)
    {
        if (!settings_valid()) return status::invalid_hyperparameter;
        const kernels::fixed::factor lr = kernels::fixed::factor_from_float(optimizer_.learning_rate);
        const kernels::fixed::factor decay = kernels::fixed::factor_from_float(optimizer_.weight_decay);
        if constexpr (fused_sgd) {
            const model_ref<T> m = net_->view();
            T* delta = workspace_.data();
            T* scratch = delta + network_type::max_width;
            last_loss_ = forward_to_output_delta(m, x, d, delta);
            for (std::size_t l = m.layer_count; l-- > 0;) {
                const layer_info& layer = m.layers[l];
                T* w = m.parameters + layer.weight_offset;
                if (l > 0) delta_below(m, l, delta, scratch);  // with the weights before the update
                kernels::fixed::dense_sgd_update(w, m.parameters + layer.bias_offset, input_of(m, x, l), delta,
                                                 layer.inputs, layer.outputs, lr, decay, rng_);
                if (l == 0) break;
                T* swap = delta;
                delta = scratch;
                scratch = swap;
            }
            return status::ok;
        } else {
            const status s = compute_gradient_unchecked(x, d, gradient());
            if (s != status::ok) return s;
            momentum_step(lr, decay);
            return status::ok;
        }
    }
    /// BatchSize is 1: one train_sample (arrays or spans, checked as there).
    template <class Inputs, class Targets>
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status train_batch(const Inputs& xs, const Targets& ds)
    {
        return train_sample(xs, ds);
    }
    /// train_batch() without the length check.
    [[nodiscard]] status train_batch_unchecked(const T* xs, const T* ds) { return train_sample_unchecked(xs, ds); }

    /// dE/dtheta for one sample into `gradient_out`, each term rounded stochastically to
    /// q3_12; x, d as for train_sample, gradient_out a `std::array` or C array of
    /// parameter_count values (all checked at compile time). Changes no parameter.
    template <class Input, class Target, class Gradient, detail::if_fixed<T, Input, Target, Gradient> = 0>
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status compute_gradient(const Input& x, const Target& d,
                                                                  Gradient& gradient_out)
    {
        static_assert(detail::sample_fits<network_type, Input, Target>(), "");
        static_assert(array_length_must_match<array_kind::gradient, detail::length_of<Gradient, T>,
                                              parameter_count>::value, "");
        return compute_gradient_unchecked(detail::first_of(x), detail::first_of(d), detail::first_of(gradient_out));
    }
    /// compute_gradient() without the length check: x, d and gradient_out must point at
    /// input_size, output_size and parameter_count values.
    [[nodiscard]] status compute_gradient_unchecked(const T* x, const T* d, T* gradient_out)
    {
        const model_ref<T> m = net_->view();
        T* delta = workspace_.data();
        T* scratch = delta + network_type::max_width;
        const T loss = forward_to_output_delta(m, x, d, delta);
        for (std::size_t k = 0; k < parameter_count; ++k) gradient_out[k] = T(0);
        for (std::size_t l = m.layer_count; l-- > 0;) {
            const layer_info& layer = m.layers[l];
            kernels::fixed::dense_accumulate_gradient(delta, input_of(m, x, l), gradient_out + layer.weight_offset,
                                                      gradient_out + layer.bias_offset, layer.inputs, layer.outputs,
                                                      rng_);
            if (l == 0) break;
            delta_below(m, l, delta, scratch);
            T* swap = delta;
            delta = scratch;
            scratch = swap;
        }
        last_loss_ = loss;
        return status::ok;
    }

private:
    bool settings_valid() const
    {
        const float lr = optimizer_.learning_rate;
        const float decay = optimizer_.weight_decay;
        bool valid = lr > 0.0f && lr < 8.0f && decay >= 0.0f && decay < 1.0f;
        if constexpr (std::is_same<Optimizer, momentum>::value) {
            valid = valid && optimizer_.momentum >= 0.0f && optimizer_.momentum < 1.0f;
        }
        return valid;
    }

    T forward_to_output_delta(const model_ref<T>& m, const T* x, const T* d, T* delta)
    {
        engine::forward<T, false>(m, x);
        const layer_info& out = network_type::layers[network_type::layer_count - 1];
        return fixed::value_and_output_delta<Loss>(out.activation, out.activation_parameter,
                                                   m.activations + out.output_offset, d, delta, out.outputs);
    }

    /// delta^(l-1) = f'(u^(l-1)) * (W^(l)^T delta^(l)) into `below` (DL 4.13).
    static void delta_below(const model_ref<T>& m, std::size_t l, const T* delta, T* below)
    {
        const layer_info& layer = m.layers[l];
        const layer_info& previous = m.layers[l - 1];
        const q3_12* z = m.activations + previous.output_offset;
        if (previous.activation == activation_kind::relu) {
            // Inactive units' deltas are 0: their sums are skipped and the derivative is applied.
            kernels::fixed::dense_backward_input(m.parameters + layer.weight_offset, delta, below, layer.inputs,
                                                 layer.outputs, z);
            return;
        }
        kernels::fixed::dense_backward_input(m.parameters + layer.weight_offset, delta, below, layer.inputs,
                                             layer.outputs);
        kernels::fixed::activation_backward(previous.activation, previous.activation_parameter, z, below,
                                            previous.outputs);
    }

    static const T* input_of(const model_ref<T>& m, const T* x, std::size_t l)
    {
        return l == 0 ? x : m.activations + m.layers[l - 1].output_offset;
    }

    /// v <- mu v + g', w <- w - lr v (Nesterov: w <- w - lr (g' + mu v)), g' = g + decay w;
    /// mu v, decay w and the step rounded stochastically (one random word per 16 parameters).
    void momentum_step(kernels::fixed::factor lr, kernels::fixed::factor decay)
    {
        const kernels::fixed::factor mu = kernels::fixed::factor_from_float(optimizer_.momentum);
        const bool with_decay = !decay.is_zero();
        if (optimizer_.nesterov) {
            if (with_decay) momentum_loop<true, true>(lr, decay, mu);
            else momentum_loop<false, true>(lr, decay, mu);
        } else {
            if (with_decay) momentum_loop<true, false>(lr, decay, mu);
            else momentum_loop<false, false>(lr, decay, mu);
        }
    }

    /// momentum_step with its branches taken out of the loop.
    template <bool WithDecay, bool Nesterov>
    void momentum_loop(kernels::fixed::factor lr, kernels::fixed::factor decay, kernels::fixed::factor mu)
    {
        using fixed::saturate16;
        using kernels::fixed::dither;
        using kernels::fixed::normalise_step;
        const kernels::fixed::step_scale mu_step = normalise_step(mu.mantissa, mu.shift);
        const kernels::fixed::step_scale decay_step = normalise_step(decay.mantissa, decay.shift);
        const kernels::fixed::step_scale lr_step = normalise_step(lr.mantissa, lr.shift);
        T* w = net_->view().parameters;
        const T* g = gradient();
        T* v = state();
        for (std::size_t block = 0; block < parameter_count; block += 16) {
            const std::uint32_t random_word = rng_.next();
            const std::int32_t r_mu = dither(random_word, mu_step.shift);
            const std::int32_t r_decay = dither(random_word, decay_step.shift);
            const std::int32_t r_lr = dither(random_word, lr_step.shift);
            const std::size_t end = block + 16 < parameter_count ? block + 16 : parameter_count;
            for (std::size_t k = block; k < end; ++k) {
                std::int32_t gk = g[k].raw;
                if (WithDecay) gk = saturate16(gk + ((decay_step.scale * w[k].raw + r_decay) >> decay_step.shift));
                const std::int32_t vk = saturate16(((mu_step.scale * v[k].raw + r_mu) >> mu_step.shift) + gk);
                v[k].raw = static_cast<std::int16_t>(vk);
                std::int32_t direction = vk;
                if (Nesterov) direction = saturate16(gk + ((mu_step.scale * vk + r_mu) >> mu_step.shift));
                w[k].raw = saturate16(w[k].raw - ((lr_step.scale * direction + r_lr) >> lr_step.shift));
            }
        }
    }

    T* gradient() { return workspace_.data() + delta_count; }
    T* state() { return workspace_.data() + delta_count + gradient_count; }

    network_type* net_;
    Optimizer optimizer_;
    random_generator rng_;
    T last_loss_ = T(0);
    std::array<T, workspace_count> workspace_{};
};

}  // namespace microprop

#endif
