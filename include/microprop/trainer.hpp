// Everything training needs beyond the network: deltas, gradients, optimizer state.
#ifndef MICROPROP_TRAINER_HPP
#define MICROPROP_TRAINER_HPP

#include <array>
#include <cstddef>
#include <limits>
#include <type_traits>

#include "checked_training_calls.hpp"
#include "engine.hpp"
#include "engine_unrolled.hpp"
#include "losses.hpp"
#include "optimizers.hpp"
#include "scalar.hpp"
#include "size_check.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

namespace detail {
/// True for optimizers that add a penalty to the gradient before their step
/// (consolidated<>, consolidation.hpp), which say so with `adds_gradient_penalty`.
template <class Optimizer, class = void>
struct has_gradient_penalty : std::false_type {};
template <class Optimizer>
struct has_gradient_penalty<Optimizer, std::void_t<decltype(Optimizer::adds_gradient_penalty)>>
    : std::bool_constant<Optimizer::adds_gradient_penalty> {};

/// Why `nx` inputs x (limit `input_limit`) and `nd` targets d failed a step's sample test:
/// non_finite_input, input_out_of_range, non_finite_target or else target_out_of_range, in
/// that order. Plain loops, out of line and shared by every trainer of T: it runs only for a
/// rejected sample, so it is kept small (the fast test in trainer::sample_status is inline).
template <class T>
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
status sample_failure(const T* x, std::size_t nx, T input_limit, const T* d, std::size_t nd)
{
    using ops = scalar_ops<T>;
    for (std::size_t i = 0; i < nx; ++i) {
        if (!ops::is_finite(x[i])) return status::non_finite_input;
    }
    for (std::size_t i = 0; i < nx; ++i) {
        if (ops::abs(x[i]) > input_limit) return status::input_out_of_range;
    }
    for (std::size_t i = 0; i < nd; ++i) {
        if (!ops::is_finite(d[i])) return status::non_finite_target;
    }
    return status::target_out_of_range;
}
}  // namespace detail

/// Trains a network in place with a loss and an optimizer.
///
/// BatchSize = 1 trains per sample (train_sample); BatchSize = N > 1 trains on
/// minibatches of N samples in the matrix form of DL (4.14a)/(4.15), with the
/// gradient averaged over the batch (train_batch).
///
/// With plain `sgd` and BatchSize = 1 the update is fused into the backward
/// pass and no gradient buffer exists. All state is one `std::array` inside the
/// trainer; the byte counts below are exact (sizeof(trainer) adds one pointer,
/// the optimizer's hyper-parameters and the settings below).
///
/// Every step checks, before anything changes, and returns a status with the
/// parameters and optimizer state bit-identical when a check fails:
/// - the optimizer's settings (Optimizer::valid()): invalid_hyperparameter;
/// - inputs and targets: NaN or infinite gives non_finite_input / non_finite_target,
///   a magnitude above input_limit() / target_limit() (set_sample_limits) gives
///   input_out_of_range / target_out_of_range;
/// - the loss (exact also where the output saturates): non_finite_loss, which is
///   also how a NaN weight shows (every activation passes a NaN on to the output);
/// - with check_parameters (default for every trainer but fused SGD): every weight
///   and optimizer state value, non_finite_parameter;
/// - trainers with a gradient buffer: the gradient, non_finite_gradient when NaN
///   or infinite, delta_overflow when an entry exceeds gradient_limit.
/// All tests look at the bits, so they hold under -ffast-math.
///
/// Fused SGD updates each layer while the deltas travel down, so it cannot test
/// the gradient first; the limits on inputs and targets keep its step finite for
/// weights of any sane size. With sgd::gradient_clip set it clips each layer's
/// step and returns delta_overflow, before updating that layer, if a delta is not
/// finite (the layers above have then taken their clipped step).
template <class Network, class Loss, class Optimizer = sgd, std::size_t BatchSize = 1>
class trainer : public checked_training_calls<trainer<Network, Loss, Optimizer, BatchSize>, Network, BatchSize> {
    using checked_calls = checked_training_calls<trainer, Network, BatchSize>;

public:
    /// The network type trained.
    using network_type = Network;
    /// The optimizer type (sgd, momentum, adam).
    using optimizer_type = Optimizer;
    /// Its scalar type.
    using T = typename Network::scalar;
    static_assert(BatchSize >= 1, "A trainer's batch size must be at least 1.");
    static_assert(loss_fits_output<Loss, Network::output_activation>::value, "");

    /// Samples per train_batch() step (1: per-sample training).
    static constexpr std::size_t batch_size = BatchSize;
    /// True when the network has a tied layer.
    static constexpr bool tied = Network::has_tied_layers;
    /// The network's parameters.
    static constexpr std::size_t parameter_count = Network::parameter_count;
    /// True when the SGD update is fused into backprop (no gradient buffer). Networks with
    /// a tied layer whose source is not layer 0 keep the buffer (network::ties_past_first_layer).
    static constexpr bool fused_sgd =
        std::is_same<Optimizer, sgd>::value && BatchSize == 1 && !Network::ties_past_first_layer;

    /// Two ping-pong delta buffers of the widest layer, one column per sample.
    static constexpr std::size_t delta_count = 2 * Network::max_width * BatchSize;
    /// Values of the gradient buffer (0 for fused SGD).
    static constexpr std::size_t gradient_count = fused_sgd ? 0 : parameter_count;
    /// Values of optimizer state (momentum P, Adam 2P, SGD 0).
    static constexpr std::size_t optimizer_state_count = Optimizer::state_per_parameter * parameter_count;
    /// Z^(l) of every layer for the whole minibatch (none for per-sample training,
    /// which uses the network's own activation buffer).
    static constexpr std::size_t batch_activation_count = BatchSize > 1 ? Network::activation_count * BatchSize : 0;
    /// Gathers one sample's outputs, its delta and (for a saturated output) its u during a
    /// minibatch loss evaluation.
    static constexpr std::size_t gather_count = BatchSize > 1 ? 3 * Network::output_size : 0;
    /// Every value the trainer holds: the sum of the counts above.
    static constexpr std::size_t workspace_count =
        delta_count + gradient_count + optimizer_state_count + batch_activation_count + gather_count;

    /// RAM of the delta buffers.
    static constexpr std::size_t delta_bytes = delta_count * sizeof(T);
    /// RAM of the gradient buffer.
    static constexpr std::size_t gradient_bytes = gradient_count * sizeof(T);
    /// RAM of the optimizer state.
    static constexpr std::size_t optimizer_state_bytes = optimizer_state_count * sizeof(T);
    /// RAM of the minibatch activations.
    static constexpr std::size_t batch_activation_bytes = batch_activation_count * sizeof(T);
    /// RAM of all of the trainer's buffers (sizeof(trainer) adds a pointer and the hyper-parameters).
    static constexpr std::size_t workspace_bytes = workspace_count * sizeof(T);

    /// Largest gradient entry a buffered step accepts (2^64): beyond it the update could
    /// overflow the weights; such a step returns delta_overflow.
    static constexpr T gradient_limit = T(18446744073709551616.0);

    /// Default of input_limit() and target_limit().
    static constexpr T default_sample_limit = T(1e6);

    /// Test every weight and optimizer state value before each step (non_finite_parameter).
    /// On by default where a gradient buffer exists (one more pass over the parameters,
    /// next to the step's own several). Off for fused SGD, where it adds about half of the
    /// step (3,333 instructions to the W2 step's 6,992 on the M4F): there a NaN weight still
    /// shows as a NaN loss (ReLU passes a NaN on); an infinite weight feeding a
    /// saturating hidden unit (sigmoid, tanh, ReLU at -inf) gives a finite output and is
    /// then found only by this test or parameters_status().
    bool check_parameters = !fused_sgd;

    /// A trainer of `net` (which must outlive it) with zeroed buffers and optimizer state.
    explicit trainer(Network& net, Optimizer optimizer = {}) : net_(&net), optimizer_(optimizer) {}

    /// The optimizer, e.g. to change its learning rate between steps.
    Optimizer& optimizer() { return optimizer_; }
    /// The optimizer, read-only.
    const Optimizer& optimizer() const { return optimizer_; }
    /// The network being trained.
    Network& network() { return *net_; }
    /// The network being trained, read-only.
    const Network& network() const { return *net_; }

    /// The optimizer's state (momentum velocity; Adam's first then second moments), laid
    /// out like the parameters: optimizer_state_count values. Empty for sgd.
    span<T> optimizer_state() { return span<T>(optimizer_state_data(), optimizer_state_count); }
    /// optimizer_state(), read-only.
    span<const T> optimizer_state() const
    {
        return span<const T>(workspace_.data() + delta_count + gradient_count, optimizer_state_count);
    }

    /// Loss of the last successful train_sample / train_batch / compute_gradient call
    /// (the batch mean for minibatches), measured before the update.
    T last_loss() const { return last_loss_; }

    /// ok when the optimizer's settings pass Optimizer::valid(); invalid_hyperparameter
    /// otherwise. Every step starts with this test.
    [[nodiscard]] status settings_status() const
    {
        return optimizer_.valid() ? status::ok : status::invalid_hyperparameter;
    }

    /// Sets the largest |x_i| and |d_k| a step accepts (both default_sample_limit = 1e6).
    /// A finite outlier above them (1e30, say) gets input_out_of_range /
    /// target_out_of_range instead of moving the weights by lr * 1e30: scale the data to a
    /// few units and keep the limits well above it. invalid_hyperparameter, and nothing
    /// changed, unless both lie in [0, largest finite T]. (Set here, not at each step, so
    /// the per-sample step does not test them.)
    [[nodiscard]] status set_sample_limits(T input_limit, T target_limit)
    {
        constexpr T largest = std::numeric_limits<T>::max();
        if (!detail::in_closed_range(input_limit, T(0), largest) ||
            !detail::in_closed_range(target_limit, T(0), largest)) {
            return status::invalid_hyperparameter;
        }
        input_limit_ = input_limit;
        target_limit_ = target_limit;
        input_half_square_ = detail::half_square_bound(input_limit);
        target_half_square_ = detail::half_square_bound(target_limit);
        return status::ok;
    }
    /// Largest |x_i| a step accepts.
    T input_limit() const { return input_limit_; }
    /// Largest |d_k| a step accepts.
    T target_limit() const { return target_limit_; }

    /// ok when every weight, bias and optimizer state value is finite; non_finite_parameter
    /// otherwise (bit tests: one pass over parameter_count + optimizer_state_count values).
    [[nodiscard]] status parameters_status() const
    {
        const bool finite = all_finite(net_->view().parameters, parameter_count) &&
                            all_finite(optimizer_state().data(), optimizer_state_count);
        return finite ? status::ok : status::non_finite_parameter;
    }

    /// One step on one sample, without the length check (train_sample() checks it): the
    /// caller vouches that x points at input_size values and d at output_size values.
    /// Statuses: see the class comment; on any but ok nothing changed.
    [[nodiscard]] status train_sample_unchecked(const T* x, const T* d)
    {
        status s = step_preconditions();
        if (s != status::ok) return s;
        if constexpr (fused_sgd) {
            const model_ref<T> m = net_->view();
            T loss;
            s = forward_to_output_delta(m, x, d, loss);
            if (s != status::ok) return s;
            T* delta = workspace_.data();
            const T rate = static_cast<T>(optimizer_.learning_rate);
            const T decay = static_cast<T>(optimizer_.weight_decay);
            if constexpr (engine::unrolled::applies<Network>) {
                if (!engine::unrolled::backward_sgd<Network>(
                        m, x, delta, delta + Network::max_width, rate, decay, static_cast<T>(optimizer_.gradient_clip))) {
                    return status::delta_overflow;
                }
            } else if (detail::is_zero(optimizer_.gradient_clip)) {
                engine::backward_sgd<T, tied>(m, x, delta, delta + Network::max_width, rate, decay);
            } else if (!engine::backward_sgd_clipped<T, tied>(m, x, delta, delta + Network::max_width, rate, decay,
                                                              static_cast<T>(optimizer_.gradient_clip))) {
                return status::delta_overflow;
            }
            last_loss_ = loss;
            return status::ok;
        } else {
            s = compute_gradient_unchecked(x, d, gradient());
            if (s != status::ok) return s;
            return buffered_step();
        }
    }

    /// One step on BatchSize samples stored one after another (`[BatchSize][input_size]`),
    /// without the length check (train_batch() checks it): the caller vouches that xs points at
    /// `BatchSize * input_size` values and ds at `BatchSize * output_size`.
    /// Statuses: see the class comment; on any but ok nothing changed.
    [[nodiscard]] status train_batch_unchecked(const T* xs, const T* ds)
    {
        if constexpr (BatchSize == 1) {
            return train_sample_unchecked(xs, ds);
        } else {
            status s = step_preconditions();
            if (s != status::ok) return s;
            s = compute_batch_gradient_unchecked(xs, ds, gradient());
            if (s != status::ok) return s;
            return buffered_step();
        }
    }

    /// dE/dtheta for one sample into `gradient_out` (parameter order), without the length
    /// check (compute_gradient() checks it): the caller vouches for input_size, output_size and
    /// parameter_count values at x, d and gradient_out. Changes no parameter; the network's
    /// activations hold x's forward pass after. Statuses: non_finite_input/target,
    /// input/target_out_of_range, non_finite_loss, non_finite_gradient, delta_overflow (an
    /// entry above gradient_limit).
    [[nodiscard]] status compute_gradient_unchecked(const T* x, const T* d, T* gradient_out)
    {
        const model_ref<T> m = net_->view();
        T loss;
        const status s = forward_to_output_delta(m, x, d, loss);
        if (s != status::ok) return s;
        T* delta = workspace_.data();
        zero(gradient_out, parameter_count);
        engine::backward_accumulate<T, tied>(m, x, delta, delta + Network::max_width, gradient_out, T(1));
        const status g = gradient_status(gradient_out);
        if (g != status::ok) return g;
        last_loss_ = loss;
        return status::ok;
    }

    /// (1/N) sum_n dE_n/dtheta over a minibatch, by the matrix form (DL 4.15): xs and ds as
    /// for train_batch, gradient_out as for compute_gradient (all checked at compile time).
    /// Statuses as compute_gradient.
    template <class Inputs, class Targets, class Gradient, detail::if_fixed<T, Inputs, Targets, Gradient> = 0>
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status compute_batch_gradient(const Inputs& xs, const Targets& ds,
                                                                        Gradient& gradient_out)
    {
        static_assert(checked_calls::template batch_fits<Inputs, Targets>(), "");
        static_assert(array_length_must_match<array_kind::gradient, detail::length_of<Gradient, T>,
                                              parameter_count>::value, "");
        return compute_batch_gradient_unchecked(detail::first_of(xs), detail::first_of(ds),
                                                detail::first_of(gradient_out));
    }
    /// compute_batch_gradient() on spans, checked at run time: status::size_mismatch, and
    /// nothing written, unless the lengths are BatchSize * input_size, BatchSize *
    /// output_size and parameter_count.
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status compute_batch_gradient(span<const T> xs, span<const T> ds,
                                                                        span<T> gradient_out)
    {
        if (xs.size() != BatchSize * Network::input_size || ds.size() != BatchSize * Network::output_size ||
            gradient_out.size() != parameter_count) {
            return status::size_mismatch;
        }
        return compute_batch_gradient_unchecked(xs.data(), ds.data(), gradient_out.data());
    }
    /// compute_batch_gradient() without the length check: the caller vouches for the lengths.
    [[nodiscard]] status compute_batch_gradient_unchecked(const T* xs, const T* ds, T* gradient_out)
    {
        const status checked = sample_status<BatchSize>(xs, ds);
        if (checked != status::ok) return checked;
        const model_ref<T> m = net_->view();
        constexpr std::size_t n = BatchSize;
        if constexpr (BatchSize == 1) {
            return compute_gradient_unchecked(xs, ds, gradient_out);
        } else {
            const engine::batch_ref<T> b{batch_activations(), n};
            engine::forward_batch<T, tied>(m, b, xs);
            const layer_info& out = last_layer();
            const T* y_matrix = b.activations + out.output_offset * n;
            T* delta = workspace_.data();
            T* y = gather();
            T* delta_one = y + Network::output_size;
            T* u = delta_one + Network::output_size;
            T loss = T(0);
            for (std::size_t s = 0; s < n; ++s) {
                for (std::size_t k = 0; k < Network::output_size; ++k) y[k] = y_matrix[k * n + s];
                const T* d = ds + s * Network::output_size;
                bool saturated = false;
                T sample_loss = value_and_output_delta<Loss>(out.activation, static_cast<T>(out.activation_parameter),
                                                             y, d, delta_one, Network::output_size, saturated);
                if (saturated || !scalar_ops<T>::is_finite(sample_loss)) {
                    const T* in = Network::layer_count == 1
                                      ? xs + s * Network::input_size
                                      : b.activations + Network::layers[Network::layer_count - 2].output_offset * n + s;
                    sample_loss = exact_loss(m, in, Network::layer_count == 1 ? 1 : n, d, u, sample_loss);
                }
                loss += sample_loss;
                for (std::size_t k = 0; k < Network::output_size; ++k) delta[k * n + s] = delta_one[k];
            }
            loss = loss / static_cast<T>(n);
            if (!scalar_ops<T>::is_finite(loss)) return status::non_finite_loss;
            engine::backward_batch<T, tied>(m, b, xs, delta, delta + Network::max_width * n, gradient_out,
                                   T(1) / static_cast<T>(n));
            const status g = gradient_status(gradient_out);
            if (g != status::ok) return g;
            last_loss_ = loss;
            return status::ok;
        }
    }

    /// One step on the first `count` samples, the gradient averaged over `count`, without the
    /// length check: the caller vouches for `count * input_size` values at xs and
    /// `count * output_size` at ds. count == BatchSize is train_batch_unchecked(xs, ds); a
    /// smaller count accumulates the per-sample gradients (the same mean, other rounding).
    /// Precondition: 1 <= count <= BatchSize, else status::invalid_hyperparameter and nothing
    /// changes. Every sample is checked before the update: a non-finite input, target, loss or
    /// gradient returns its status and changes no parameter and no optimizer state.
    [[nodiscard]] status train_batch_unchecked(const T* xs, const T* ds, std::size_t count)
    {
        if (count == 0 || count > BatchSize) return status::invalid_hyperparameter;
        if (count == BatchSize) return train_batch_unchecked(xs, ds);
        if constexpr (BatchSize > 1) {
            const model_ref<T> m = net_->view();
            T* delta = workspace_.data();
            T* g = gradient();
            zero(g, parameter_count);
            T loss_sum = T(0);
            for (std::size_t s = 0; s < count; ++s) {
                T loss;
                const T* x = xs + s * Network::input_size;
                const status st = forward_to_output_delta(m, x, ds + s * Network::output_size, loss);
                if (st != status::ok) return st;
                engine::backward_accumulate<T, tied>(m, x, delta, delta + Network::max_width, g,
                                                     T(1) / static_cast<T>(count));
                loss_sum += loss;
            }
            if (!all_finite(g, parameter_count)) return status::non_finite_gradient;
            const status penalty = add_gradient_penalty(g);
            if (penalty != status::ok) return penalty;
            optimizer_.step(m.parameters, g, optimizer_state_data(), parameter_count);
            last_loss_ = loss_sum / static_cast<T>(count);
        }
        return status::ok;
    }

    /// Starts training afresh with the same network and hyper-parameters: zeroes the
    /// optimizer state (momentum velocity, Adam's moments; with consolidated<> also F and
    /// theta*, which ends the consolidation) and, for Adam, sets the bias correction's beta
    /// powers back to 1 and last_loss() to 0. The network's parameters are
    /// not touched (network::initialize(seed) draws new ones). Writes
    /// optimizer_state_bytes bytes; cannot fail.
    void reset()
    {
        zero(optimizer_state_data(), optimizer_state_count);
        if constexpr (std::is_base_of<adam, Optimizer>::value) {
            optimizer_.beta1_power = 1.0;
            optimizer_.beta2_power = 1.0;
        }
        last_loss_ = T(0);
    }

private:
    /// Settings, then (with check_parameters) weights and optimizer state.
    MICROPROP_ALWAYS_INLINE status step_preconditions() const
    {
        const status s = settings_status();
        if (s != status::ok) return s;
        return check_parameters ? parameters_status() : status::ok;
    }

    /// Inputs and targets of `Count` samples: finite and within the limits. The test that
    /// passes is inline; which status a failure gets is decided out of line.
    template <std::size_t Count>
    MICROPROP_ALWAYS_INLINE status sample_status(const T* x, const T* d) const
    {
        if (all_within(x, Network::input_size * Count, input_limit_, input_half_square_) &&
            all_within(d, Network::output_size * Count, target_limit_, target_half_square_)) {
            return status::ok;
        }
        return sample_failure(x, d, Count);
    }
    status sample_failure(const T* x, const T* d, std::size_t count) const
    {
        return detail::sample_failure(x, Network::input_size * count, input_limit_, d, Network::output_size * count);
    }

    /// non_finite_gradient, delta_overflow (finite, but an entry above gradient_limit) or ok.
    static status gradient_status(const T* g)
    {
        if (all_within(g, parameter_count, gradient_limit)) return status::ok;
        return all_finite(g, parameter_count) ? status::delta_overflow : status::non_finite_gradient;
    }

    /// The optimizer's step on the checked gradient, clipped first when asked.
    status buffered_step()
    {
        const status penalty = add_gradient_penalty(gradient());
        if (penalty != status::ok) return penalty;
        if (!detail::is_zero(optimizer_.gradient_clip)) {
            const T norm = engine::robust_norm(gradient(), parameter_count, false);
            const T clip = static_cast<T>(optimizer_.gradient_clip);
            if (norm > clip) {
                const T scale = clip / norm;
                T* g = gradient();
                for (std::size_t k = 0; k < parameter_count; ++k) g[k] *= scale;
            }
        }
        optimizer_.step(net_->view().parameters, gradient(), optimizer_state_data(), parameter_count);
        return status::ok;
    }

    /// For an optimizer with a gradient penalty (consolidated<>, consolidation.hpp): adds it to
    /// g, then delta_overflow if an entry left gradient_limit. Nothing for the others.
    status add_gradient_penalty(T* g)
    {
        if constexpr (detail::has_gradient_penalty<Optimizer>::value) {
            optimizer_.add_gradient_penalty(static_cast<const T*>(net_->view().parameters), g,
                                            static_cast<const T*>(optimizer_state_data()), parameter_count);
            return gradient_status(g);
        } else {
            (void)g;
            return status::ok;
        }
    }

    /// The loss of one sample from the output layer's recomputed u (its input `in`, values
    /// `stride` apart), for outputs that saturated; `from_outputs` where the loss has no
    /// such form (squared error after a non-identity output). Out of line: rarely run.
#if defined(__GNUC__)
    __attribute__((noinline, cold))
#endif
    static T exact_loss(const model_ref<T>& m, const T* in, std::size_t stride, const T* d, T* u, T from_outputs)
    {
        if constexpr (Loss::fused_with(Network::output_activation)) {
            engine::output_preactivation<T, tied>(m, in, stride, u);
            return Loss::value_from_preactivation(u, d, Network::output_size);
        } else {
            return from_outputs;
        }
    }

    /// Checks x and d, runs the forward pass, checks the loss and writes the output
    /// delta into the first delta buffer: what every per-sample step starts with.
    /// Inlined so that the training step keeps the loss in a register.
    MICROPROP_ALWAYS_INLINE status forward_to_output_delta(const model_ref<T>& m, const T* x, const T* d, T& loss)
    {
        const status checked = sample_status<1>(x, d);
        if (checked != status::ok) return checked;
        if constexpr (engine::unrolled::applies<Network>) {
            engine::unrolled::forward<Network>(m, x);
        } else {
            engine::forward<T, tied>(m, x);
        }
        const T* y = m.activations + last_layer().output_offset;
        bool saturated = false;
        loss = value_and_output_delta<Loss>(last_layer().activation,
                                            static_cast<T>(last_layer().activation_parameter), y, d,
                                            workspace_.data(), Network::output_size, saturated);
        if (saturated || !scalar_ops<T>::is_finite(loss)) {
            // The second delta buffer is free until the backward pass.
            loss = exact_loss(m, engine::layer_input(m, x, Network::layer_count - 1), 1, d,
                              workspace_.data() + Network::max_width, loss);
        }
        if (!scalar_ops<T>::is_finite(loss)) return status::non_finite_loss;
        return status::ok;
    }

    static constexpr const layer_info& last_layer() { return Network::layers[Network::layer_count - 1]; }
    static void zero(T* p, std::size_t n)
    {
        for (std::size_t k = 0; k < n; ++k) p[k] = T(0);
    }
    T* gradient() { return workspace_.data() + delta_count; }
    T* optimizer_state_data() { return workspace_.data() + delta_count + gradient_count; }
    T* batch_activations() { return optimizer_state_data() + optimizer_state_count; }
    T* gather() { return batch_activations() + batch_activation_count; }

    Network* net_;
    Optimizer optimizer_;
    T last_loss_ = T(0);
    T input_limit_ = default_sample_limit;
    T target_limit_ = default_sample_limit;
    /// min(limit^2 / 2, largest T): kept for all_within's sum-of-squares pre-test.
    T input_half_square_ = T(0.5) * default_sample_limit * default_sample_limit;
    T target_half_square_ = T(0.5) * default_sample_limit * default_sample_limit;
    std::array<T, workspace_count> workspace_{};
};

}  // namespace microprop

#endif
