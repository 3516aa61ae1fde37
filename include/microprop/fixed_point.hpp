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
//   its parameters as q3_12 and its forward pass runs the integer kernels that
//   kernels/select_fixed.hpp selects (an explicit specialisation of engine::forward below); this
//   header specialises trainer<network<q3_12, ...>, Loss, Optimizer, BatchSize>.
// Supported: every activation and loss with its fused delta; per-sample SGD (fused
// into backprop), momentum (heavy-ball or Nesterov, weight decay) and Adam (32-bit
// first and 64-bit second moments, 12 bytes a parameter); minibatches
// (BatchSize > 1, train_batch(xs, ds[, count]) with a partial last batch) whose
// gradient terms are summed exactly in 32 bits and rounded stochastically once at
// the step; quantize()/dequantize() to and from a float network; save/load of the
// network and of the trainer's state, rounding generator included (serialize.hpp,
// scalar kind 3; not for Adam, whose wider moments the blob cannot hold). Compile-time
// errors with one-sentence messages: tied layers (not implemented in fixed point),
// saving an Adam trainer; Hessians, Jacobians and the
// finite-difference gradient check (they need a floating-point scalar: dequantize()
// first). The fixed-point gradient is checked against float's on the same weights
// by test_fixed_point.
#ifndef MICROPROP_FIXED_POINT_HPP
#define MICROPROP_FIXED_POINT_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "checked_training_calls.hpp"
#include "engine.hpp"
#include "fixed_scalar.hpp"
#include "kernels/select_fixed.hpp"
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

namespace detail {
/// The int32 minibatch sums of a q3_12 trainer, N of them (a base class, so that per-sample
/// trainers, N = 0, spend no byte on them).
template <std::size_t N>
struct fixed_batch_sums {
    std::array<std::int32_t, N> sums_{};  ///< Q6.24, one per parameter
    /// The first sum.
    std::int32_t* sum_data() { return sums_.data(); }
};
/// No sums (per-sample training).
template <>
struct fixed_batch_sums<0> {
    /// None.
    std::int32_t* sum_data() { return nullptr; }
};
/// Adam's moments of a q3_12 trainer, N of each (a base class: none for sgd and momentum).
template <std::size_t N>
struct fixed_adam_moments {
    std::array<std::int32_t, N> first_moments_{};   ///< m in Q24
    std::array<std::int64_t, N> second_moments_{};  ///< v in Q40
    /// The first m.
    std::int32_t* first_moment_data() { return first_moments_.data(); }
    /// The first v.
    std::int64_t* second_moment_data() { return second_moments_.data(); }
};
/// No moments (sgd, momentum).
template <>
struct fixed_adam_moments<0> {
    /// None.
    std::int32_t* first_moment_data() { return nullptr; }
    /// None.
    std::int64_t* second_moment_data() { return nullptr; }
};
}  // namespace detail

/// Training of a q3_12 network (fixed_point.hpp): per-sample SGD fused into backprop, or
/// momentum or Adam through a q3_12 gradient buffer. Same interface as the float trainer, plus
/// the seed of the stochastic rounding as the third constructor argument.
///
/// BatchSize > 1 trains on minibatches (train_batch): every sample's gradient terms
/// delta_j x_i are added exactly, as 32-bit Q6.24 integers (saturated and counted beyond
/// |sum| = 128), into one int32 sum per parameter; the step divides by the samples and
/// rounds stochastically once: w <- w - lr (sum / count + decay w) for sgd, and for
/// momentum and Adam g = sum / count rounded stochastically to q3_12, then the
/// per-sample update.
///
/// RAM: two delta buffers of the widest layer, the gradient (momentum, Adam) and velocity
/// (momentum), all q3_12 (workspace_bytes), the minibatch sums (sum_bytes: 4 bytes a
/// parameter, BatchSize > 1 only), Adam's moments (moment_bytes: 12 bytes a parameter),
/// plus the 16-byte random generator and a few members.
template <class Loss, class Optimizer, std::size_t BatchSize, class... Layers>
class trainer<network<q3_12, Layers...>, Loss, Optimizer, BatchSize>
    : public checked_training_calls<trainer<network<q3_12, Layers...>, Loss, Optimizer, BatchSize>,
                                    network<q3_12, Layers...>, BatchSize>,
      private detail::fixed_batch_sums<BatchSize == 1 ? 0 : network<q3_12, Layers...>::parameter_count>,
      private detail::fixed_adam_moments<std::is_same<Optimizer, adam>::value
                                             ? network<q3_12, Layers...>::parameter_count
                                             : 0> {
public:
    using network_type = microprop::network<q3_12, Layers...>;  ///< the network trained
    using T = q3_12;                                           ///< its scalar
    using optimizer_type = Optimizer;                          ///< sgd, momentum or adam
    static_assert(BatchSize >= 1, "A trainer's batch size must be at least 1.");
    static_assert(std::is_same<Optimizer, sgd>::value || std::is_same<Optimizer, momentum>::value ||
                      std::is_same<Optimizer, adam>::value,
                  "A q3_12 network trains with sgd, momentum or adam only.");
    static_assert(!network_type::has_tied_layers, "Tied layers are not supported in q3_12 networks yet.");
    static_assert(loss_fits_output<Loss, network_type::output_activation>::value, "");

    static constexpr std::size_t batch_size = BatchSize;  ///< samples per train_batch() step
    static constexpr std::size_t parameter_count = network_type::parameter_count;  ///< weights and biases
    /// True for sgd: the update is fused into backprop, no gradient buffer.
    static constexpr bool fused_sgd = std::is_same<Optimizer, sgd>::value && BatchSize == 1;
    /// True for momentum: the step reads a q3_12 gradient buffer.
    static constexpr bool uses_momentum = std::is_same<Optimizer, momentum>::value;
    /// True for adam: the step reads a q3_12 gradient buffer and keeps 32- and 64-bit moments.
    static constexpr bool uses_adam = std::is_same<Optimizer, adam>::value;
    static constexpr std::size_t delta_count = 2 * network_type::max_width;  ///< two ping-pong delta buffers
    /// The q3_12 gradient buffer (momentum and adam).
    static constexpr std::size_t gradient_count = uses_momentum || uses_adam ? parameter_count : 0;
    /// Momentum's velocity, one q3_12 per parameter (none for sgd; adam keeps its moments
    /// in adam_first_moments() and adam_second_moments() instead).
    static constexpr std::size_t optimizer_state_count = uses_momentum ? parameter_count : 0;
    /// Every q3_12 the trainer holds.
    static constexpr std::size_t workspace_count = delta_count + gradient_count + optimizer_state_count;
    static constexpr std::size_t delta_bytes = delta_count * sizeof(T);  ///< bytes of the deltas
    static constexpr std::size_t gradient_bytes = gradient_count * sizeof(T);  ///< bytes of the gradient
    static constexpr std::size_t optimizer_state_bytes = optimizer_state_count * sizeof(T);  ///< bytes of the velocity
    static constexpr std::size_t workspace_bytes = workspace_count * sizeof(T);  ///< bytes of the q3_12 buffers
    /// Minibatch gradient sums, one int32 per parameter (none for per-sample training).
    static constexpr std::size_t sum_count = BatchSize > 1 ? parameter_count : 0;
    static constexpr std::size_t sum_bytes = sum_count * sizeof(std::int32_t);  ///< bytes of the sums
    /// Adam's moments, one m and one v per parameter (adam only).
    static constexpr std::size_t moment_count = uses_adam ? parameter_count : 0;
    /// Bytes of the moments: m int32 in Q24 and v int64 in Q40, 12 bytes a parameter (with
    /// the q3_12 weight and gradient, 16 bytes a parameter: as much as float Adam).
    static constexpr std::size_t moment_bytes = moment_count * (sizeof(std::int32_t) + sizeof(std::int64_t));

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
    /// The network being trained, read-only.
    const network_type& network() const { return *net_; }
    /// The momentum velocity, laid out like the parameters; empty for sgd.
    span<T> optimizer_state() { return span<T>(state(), optimizer_state_count); }
    /// optimizer_state(), read-only.
    span<const T> optimizer_state() const
    {
        return span<const T>(workspace_.data() + delta_count + gradient_count, optimizer_state_count);
    }
    /// Adam's first moments m in Q24 (value * 2^24), laid out like the parameters; empty for
    /// sgd and momentum.
    span<std::int32_t> adam_first_moments() { return span<std::int32_t>(this->first_moment_data(), moment_count); }
    /// Adam's second moments v in Q40 (value * 2^40: the square of a one-step gradient,
    /// 2^-24, times 1 - beta2 = 0.001 is still 64 units); empty for sgd and momentum.
    span<std::int64_t> adam_second_moments() { return span<std::int64_t>(this->second_moment_data(), moment_count); }
    /// The state of the stochastic-rounding generator (saved in training blobs, serialize.hpp).
    std::array<std::uint32_t, 4> rounding_state() const { return rng_.state(); }
    /// Continues the stochastic rounding from a rounding_state() saved earlier (an all-zero
    /// state is ignored: random_generator::set_state).
    void set_rounding_state(const std::array<std::uint32_t, 4>& words) { rng_.set_state(words); }
    /// Loss of the last successful step, before the update (saturates at 8).
    T last_loss() const { return last_loss_; }

    /// One step on one sample, without the length check (train_sample() checks it): x and d
    /// must point at input_size and output_size values; with BatchSize > 1 a minibatch step of
    /// one sample. Returns invalid_hyperparameter (nothing changed) unless 0 < learning_rate < 8,
    /// 0 <= weight_decay < 1, for momentum 0 <= momentum < 1, and for adam its valid()
    /// (beta1, beta2 in [0, 1), epsilon > 0, beta1^t and beta2^t in [0, 1]).
    [[nodiscard]] status train_sample_unchecked(const T* x, const T* d)
    {
        if constexpr (BatchSize > 1) {
            return train_batch_unchecked(x, d, 1);
        } else {
            return train_one(x, d);
        }
    }

private:
    /// The per-sample step (BatchSize 1): fused SGD, or gradient then momentum.
    status train_one(const T* x, const T* d)
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
            buffered_step(lr, decay);
            return status::ok;
        }
    }

public:
    /// One step on BatchSize samples (`[BatchSize][input_size]`, `[BatchSize][output_size]`),
    /// without the length check (train_batch() checks it): xs must point at
    /// `BatchSize * input_size` values and ds at `BatchSize * output_size`. Statuses as
    /// train_batch_unchecked with a count.
    [[nodiscard]] status train_batch_unchecked(const T* xs, const T* ds)
    {
        if constexpr (BatchSize == 1) {
            return train_sample_unchecked(xs, ds);
        } else {
            return train_batch_unchecked(xs, ds, BatchSize);
        }
    }

    /// One step on the first `count` samples of xs (`[count][input_size]`) and ds
    /// (`[count][output_size]`), the gradient averaged over `count`: trains the last,
    /// partial minibatch of an epoch as the float trainer's train_batch(xs, ds, count).
    /// Returns invalid_hyperparameter, and changes nothing, unless 1 <= count <= BatchSize
    /// and the settings are valid (as train_sample). Sums that leave +-128 saturate and
    /// are counted (saturation_count()). last_loss() is the batch mean. Unchecked: xs and
    /// ds must point at `count` samples.
    [[nodiscard]] status train_batch_unchecked(const T* xs, const T* ds, std::size_t count)
    {
        if (count == 0 || count > BatchSize || !settings_valid()) return status::invalid_hyperparameter;
        if constexpr (BatchSize == 1) {
            return train_sample_unchecked(xs, ds);
        } else {
            const model_ref<T> m = net_->view();
            T* delta = workspace_.data();
            T* scratch = delta + network_type::max_width;
            std::int32_t* sums = this->sum_data();
            for (std::size_t k = 0; k < sum_count; ++k) sums[k] = 0;
            std::int32_t loss_sum = 0;
            for (std::size_t sample = 0; sample < count; ++sample) {
                const T* x = xs + sample * network_type::input_size;
                loss_sum += forward_to_output_delta(m, x, ds + sample * network_type::output_size, delta).raw;
                for (std::size_t l = m.layer_count; l-- > 0;) {
                    const layer_info& layer = m.layers[l];
                    kernels::fixed::dense_accumulate_exact(delta, input_of(m, x, l), sums + layer.weight_offset,
                                                           sums + layer.bias_offset, layer.inputs,
                                                           layer.outputs);
                    if (l == 0) break;
                    delta_below(m, l, delta, scratch);
                    T* swap = delta;
                    delta = scratch;
                    scratch = swap;
                }
            }
            const kernels::fixed::factor per_sample =
                kernels::fixed::factor_reciprocal(static_cast<std::uint32_t>(count));
            const kernels::fixed::factor lr = kernels::fixed::factor_from_float(optimizer_.learning_rate);
            const kernels::fixed::factor decay = kernels::fixed::factor_from_float(optimizer_.weight_decay);
            if constexpr (uses_momentum || uses_adam) {
                mean_gradient(per_sample);
                buffered_step(lr, decay);
            } else {
                batch_sgd_step(kernels::fixed::factor_product(lr, per_sample),
                               kernels::fixed::factor_product(lr, decay));
            }
            last_loss_ = T::from_raw(loss_sum / static_cast<std::int32_t>(count));
            return status::ok;
        }
    }

    /// dE/dtheta for one sample into `gradient_out`, each term rounded stochastically to
    /// q3_12, without the length check (compute_gradient() checks it): x, d and gradient_out
    /// must point at input_size, output_size and parameter_count values. Changes no parameter.
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
        if constexpr (uses_adam) valid = valid && optimizer_.valid();
        return valid;
    }

    /// The update from the gradient buffer: momentum's or Adam's.
    void buffered_step(kernels::fixed::factor lr, kernels::fixed::factor decay)
    {
        if constexpr (uses_adam) {
            adam_step(lr, decay);
        } else {
            momentum_step(lr, decay);
        }
    }

    /// Adam (optimizers.hpp) in integers. With g' = g + decay w (Q12, decay w rounded
    /// stochastically), m in Q24 and v in Q40: m <- m + (1 - beta1)(g' - m) and
    /// v <- v + (1 - beta2)(g'^2 - v), each change rounded stochastically; mhat =
    /// m / (1 - beta1^t) and vhat = v / (1 - beta2^t); sqrt(vhat) from a 32-bit integer
    /// square root of vhat shifted to 31 or 32 bits (16 significant bits of root); the ratio
    /// mhat / (sqrt(vhat) + epsilon) in Q12, clamped to +-8 (counted); the weight moves by
    /// lr times it, rounded stochastically. beta1^t and beta2^t stay doubles as in float
    /// (one soft-double product each per step on a core without an FPU).
    void adam_step(kernels::fixed::factor lr, kernels::fixed::factor decay)
    {
        using kernels::fixed::dither;
        using kernels::fixed::factor;
        using kernels::fixed::factor_from_float;
        optimizer_.beta1_power *= static_cast<double>(optimizer_.beta1);
        optimizer_.beta2_power *= static_cast<double>(optimizer_.beta2);
        const factor keep1 = factor_from_float(1.0f - optimizer_.beta1);
        const factor keep2 = factor_from_float(1.0f - optimizer_.beta2);
        const factor m_scale = factor_from_float(static_cast<float>(1.0 / (1.0 - optimizer_.beta1_power)));
        const factor v_scale = factor_from_float(static_cast<float>(1.0 / (1.0 - optimizer_.beta2_power)));
        const factor eps = factor_from_float(optimizer_.epsilon);
        const kernels::fixed::step_scale lr_step = kernels::fixed::normalise_step(lr.mantissa, lr.shift);
        const kernels::fixed::step_scale decay_step = kernels::fixed::normalise_step(decay.mantissa, decay.shift);
        const bool with_decay = !decay.is_zero();
        T* w = net_->view().parameters;
        const T* g = gradient();
        std::int32_t* m = this->first_moment_data();
        std::int64_t* v = this->second_moment_data();
        std::uint64_t r = 0;
        for (std::size_t k = 0; k < parameter_count; ++k) {
            if (k % 16 == 0) r = random_bits64();
            const std::uint32_t r_low = static_cast<std::uint32_t>(r);
            std::int32_t gk = g[k].raw;
            if (with_decay) {
                const std::int32_t r_decay = dither(r_low, decay_step.shift);
                gk = fixed::saturate16(gk + ((decay_step.scale * w[k].raw + r_decay) >> decay_step.shift));
            }
            const std::int64_t g24 = std::int64_t{gk} * microprop::fixed::one;
            m[k] = saturate32(m[k] + kernels::fixed::shift_stochastic64((g24 - m[k]) * keep1.mantissa, keep1.shift, r));
            const std::int64_t square = (std::int64_t{gk} * gk) << 16;  // Q40, at most 2^46
            // |square - v| < 2^47 and the mantissa < 2^16: the product fits 63 bits.
            const std::int64_t vk =
                v[k] + kernels::fixed::shift_stochastic64((square - v[k]) * keep2.mantissa, keep2.shift, r << 17);
            v[k] = vk < 0 ? 0 : vk;
            const std::int32_t ratio = adam_ratio(scale_by(m[k], m_scale), scale_by(v[k], v_scale), eps);
            const std::int32_t r_step = dither(r_low << 7, lr_step.shift);
            w[k].raw = fixed::saturate16(w[k].raw - ((lr_step.scale * ratio + r_step) >> lr_step.shift));
        }
    }

    /// v clamped to the 32-bit range (a clamp counted as a saturation).
    static std::int32_t saturate32(std::int64_t v)
    {
        if (v > 2147483647) {
            ++detail::fixed_saturations;
            return 2147483647;
        }
        if (v < -2147483647 - 1) {
            ++detail::fixed_saturations;
            return -2147483647 - 1;
        }
        return static_cast<std::int32_t>(v);
    }

    /// v * f rounded to nearest, in 64 bits (|v| < 2^47, f < 2^16 as a bias correction of
    /// beta < 0.99998 is).
    static std::int64_t scale_by(std::int64_t v, kernels::fixed::factor f)
    {
        const std::int64_t product = v * f.mantissa;
        if (f.shift <= 0) return product * (std::int64_t{1} << -f.shift);
        if (f.shift >= 63) return 0;
        return (product + (std::int64_t{1} << (f.shift - 1))) >> f.shift;
    }

    /// mhat / (sqrt(vhat) + eps) in Q12 (mhat in Q24, vhat in Q40, vhat >= 0), clamped to
    /// [-8, 8 - 1/4096] (counted).
    static std::int32_t adam_ratio(std::int64_t mhat, std::int64_t vhat, kernels::fixed::factor eps)
    {
        if (mhat == 0) return 0;
        // vhat 2^shift in [2^30, 2^32) with an even shift: root = sqrt(vhat) 2^(shift / 2), so
        // sqrt(vhat as a value) = root / 2^(20 + shift / 2).
        std::int32_t shift = 0;
        std::uint64_t x = static_cast<std::uint64_t>(vhat);
        if (x != 0) {
            while (x >= (std::uint64_t{1} << 32)) {
                x >>= 2;
                shift -= 2;
            }
            while (x < (std::uint64_t{1} << 30)) {
                x <<= 2;
                shift += 2;
            }
        } else {
            shift = 40;  // the root is 0; eps alone is the denominator, at a fine scale
        }
        const std::int32_t fraction_bits = 20 + shift / 2;  // of root
        std::int64_t denominator = microprop::fixed::math::integer_sqrt(static_cast<std::uint32_t>(x));
        // eps in the same scale: eps.mantissa 2^(fraction_bits - eps.shift).
        const std::int32_t eps_shift = fraction_bits - eps.shift;
        if (!eps.is_zero() && eps_shift > -31) {
            if (eps_shift < 0) {
                denominator += eps.mantissa >> -eps_shift;
            } else {  // capped at 2^46: eps then dwarfs sqrt(vhat) at this scale
                denominator += eps_shift > 30 ? (std::int64_t{1} << 46) : std::int64_t{eps.mantissa} << eps_shift;
            }
        }
        if (denominator <= 0) denominator = 1;
        // ratio in Q12 = mhat / 2^24 / (denominator / 2^fraction_bits) * 2^12
        //              = mhat 2^(fraction_bits - 12) / denominator.
        const std::int32_t up = fraction_bits - 12;
        constexpr std::int64_t limit = 32767;
        const std::int64_t magnitude = mhat < 0 ? -mhat : mhat;
        std::int64_t quotient;
        if (up >= 0) {
            // Clamp before shifting: the ratio exceeds the range when magnitude 2^up > limit * denominator.
            if (up >= 62 || magnitude > ((limit + 1) * denominator) >> (up < 62 ? up : 62)) {
                quotient = limit + 1;
            } else {
                quotient = (magnitude << up) / denominator;
            }
        } else {
            quotient = (magnitude >> -up) / denominator;
        }
        if (quotient > limit) {
            ++detail::fixed_saturations;
            quotient = mhat < 0 ? limit + 1 : limit;
        }
        return static_cast<std::int32_t>(mhat < 0 ? -quotient : quotient);
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

    /// Two random words as the 64 bits of a stochastic rounding.
    std::uint64_t random_bits64() { return (std::uint64_t{rng_.next()} << 32) | rng_.next(); }

    /// (sum 2^shift) rounded stochastically with r, for shift clamped to [1, 62] (a step
    /// scale of 2^-62 or less is far below every q3_12 step: its mantissa shrinks instead).
    static std::int64_t scaled_sum(std::int32_t sum, kernels::fixed::factor f, std::int32_t extra_shift,
                                   std::uint64_t r)
    {
        std::int32_t mantissa = f.mantissa;
        std::int32_t shift = f.shift + extra_shift;
        if (shift > 62) {
            mantissa = shift - 62 >= 31 ? 0 : (mantissa >> (shift - 62));
            shift = 62;
        }
        return kernels::fixed::shift_stochastic64(std::int64_t{sum} * mantissa, shift, r);
    }

    /// Momentum's gradient from the minibatch sums: g = sum / count in Q3.12 (sums are
    /// Q6.24: 12 more bits of shift), rounded stochastically, saturated and counted.
    void mean_gradient(kernels::fixed::factor per_sample)
    {
        T* g = gradient();
        const std::int32_t* sums = this->sum_data();
        std::uint64_t r = 0;
        for (std::size_t k = 0; k < parameter_count; ++k) {
            if (k % 16 == 0) r = random_bits64();  // one draw per 16 parameters, as momentum_loop
            g[k].raw = fixed::saturate16_wide(scaled_sum(sums[k], per_sample, microprop::fixed::fraction_bits, r));
        }
    }

    /// w <- w - lr (sum / count) - lr decay w, each term rounded stochastically (one pair of
    /// random words per 16 parameters), the new weight saturated and counted.
    void batch_sgd_step(kernels::fixed::factor step, kernels::fixed::factor keep)
    {
        using kernels::fixed::dither;
        const kernels::fixed::step_scale c = kernels::fixed::normalise_step(keep.mantissa, keep.shift);
        const bool with_decay = !keep.is_zero();
        T* w = net_->view().parameters;
        const std::int32_t* sums = this->sum_data();
        std::uint64_t r = 0;
        for (std::size_t k = 0; k < parameter_count; ++k) {
            if (k % 16 == 0) r = random_bits64();
            std::int64_t change = scaled_sum(sums[k], step, microprop::fixed::fraction_bits, r);
            if (with_decay) change += (c.scale * w[k].raw + dither(static_cast<std::uint32_t>(r), c.shift)) >> c.shift;
            w[k].raw = fixed::saturate16_wide(std::int64_t{w[k].raw} - change);
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
