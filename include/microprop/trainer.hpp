// Everything training needs beyond the network: deltas, gradients, optimizer state.
#ifndef MICROPROP_TRAINER_HPP
#define MICROPROP_TRAINER_HPP

#include <array>
#include <cstddef>
#include <type_traits>

#include "engine.hpp"
#include "losses.hpp"
#include "optimizers.hpp"
#include "scalar.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

/// Trains a network in place with a loss and an optimizer.
///
/// BatchSize = 1 trains per sample (train_sample); BatchSize = N > 1 trains on
/// minibatches of N samples in the matrix form of DL (4.14a)/(4.15), with the
/// gradient averaged over the batch (train_batch).
///
/// With plain `sgd` and BatchSize = 1 the update is fused into the backward
/// pass and no gradient buffer exists. All state is one `std::array` inside the
/// trainer; the byte counts below are exact (sizeof(trainer) adds one pointer
/// and the optimizer's hyper-parameters).
///
/// A step whose input, target or loss is not finite returns a status and
/// leaves the parameters and optimizer state untouched. Trainers with a
/// gradient buffer (every optimizer but fused per-sample SGD) also check the
/// whole gradient before the update. Fused SGD updates each layer while the
/// deltas are still travelling down, so a finite sample whose gradient
/// overflows the scalar type (inputs near 1e38 in float) is not caught before
/// the weights change; where that must be ruled out, train with `momentum`
/// (momentum = 0 is plain SGD) or a minibatch, which check first.
template <class Network, class Loss, class Optimizer = sgd, std::size_t BatchSize = 1>
class trainer {
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
    /// Gathers one sample's outputs during a minibatch loss evaluation.
    static constexpr std::size_t gather_count = BatchSize > 1 ? 2 * Network::output_size : 0;
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

    /// One step on one sample: x has Network::input_size values, d output_size.
    [[nodiscard]] status train_sample(const T* x, const T* d)
    {
        if constexpr (fused_sgd) {
            const model_ref<T> m = net_->view();
            T loss;
            const status s = forward_to_output_delta(m, x, d, loss);
            if (s != status::ok) return s;
            T* delta = workspace_.data();
            engine::backward_sgd<T, tied>(m, x, delta, delta + Network::max_width,
                                 static_cast<T>(optimizer_.learning_rate), static_cast<T>(optimizer_.weight_decay));
            last_loss_ = loss;
            return status::ok;
        } else {
            const status s = compute_gradient(x, d, gradient());
            if (s != status::ok) return s;
            optimizer_.step(net_->view().parameters, gradient(), optimizer_state_data(), parameter_count);
            return status::ok;
        }
    }
    /// train_sample() on `std::array`s of exactly the network's widths (checked at compile time).
    [[nodiscard]] status train_sample(const std::array<T, Network::input_size>& x,
                                      const std::array<T, Network::output_size>& d)
    {
        return train_sample(x.data(), d.data());
    }

    /// One step on BatchSize samples stored one after another:
    /// xs is `[BatchSize][input_size]`, ds is `[BatchSize][output_size]`.
    [[nodiscard]] status train_batch(const T* xs, const T* ds)
    {
        if constexpr (BatchSize == 1) {
            return train_sample(xs, ds);
        } else {
            const status s = compute_batch_gradient(xs, ds, gradient());
            if (s != status::ok) return s;
            optimizer_.step(net_->view().parameters, gradient(), optimizer_state_data(), parameter_count);
            return status::ok;
        }
    }

    /// dE/dtheta for one sample into `gradient` (parameter_count values, parameter
    /// order). Changes no parameter. The network's activations hold x's forward pass after.
    [[nodiscard]] status compute_gradient(const T* x, const T* d, T* gradient_out)
    {
        const model_ref<T> m = net_->view();
        T loss;
        const status s = forward_to_output_delta(m, x, d, loss);
        if (s != status::ok) return s;
        T* delta = workspace_.data();
        zero(gradient_out, parameter_count);
        engine::backward_accumulate<T, tied>(m, x, delta, delta + Network::max_width, gradient_out, T(1));
        if (!all_finite(gradient_out, parameter_count)) return status::non_finite_gradient;
        last_loss_ = loss;
        return status::ok;
    }

    /// (1/N) sum_n dE_n/dtheta over a minibatch, by the matrix form (DL 4.15).
    [[nodiscard]] status compute_batch_gradient(const T* xs, const T* ds, T* gradient_out)
    {
        if (!all_finite(xs, Network::input_size * BatchSize)) return status::non_finite_input;
        if (!all_finite(ds, Network::output_size * BatchSize)) return status::non_finite_target;
        const model_ref<T> m = net_->view();
        constexpr std::size_t n = BatchSize;
        if constexpr (BatchSize == 1) {
            return compute_gradient(xs, ds, gradient_out);
        } else {
            const engine::batch_ref<T> b{batch_activations(), n};
            engine::forward_batch<T, tied>(m, b, xs);
            const layer_info& out = last_layer();
            const T* y_matrix = b.activations + out.output_offset * n;
            T* delta = workspace_.data();
            T* y = gather();
            T* delta_one = y + Network::output_size;
            T loss = T(0);
            for (std::size_t s = 0; s < n; ++s) {
                for (std::size_t k = 0; k < Network::output_size; ++k) y[k] = y_matrix[k * n + s];
                const T* d = ds + s * Network::output_size;
                loss += value_and_output_delta<Loss>(out.activation, static_cast<T>(out.activation_parameter), y, d,
                                                     delta_one, Network::output_size);
                for (std::size_t k = 0; k < Network::output_size; ++k) delta[k * n + s] = delta_one[k];
            }
            loss = loss / static_cast<T>(n);
            if (!scalar_ops<T>::is_finite(loss)) return status::non_finite_loss;
            engine::backward_batch<T, tied>(m, b, xs, delta, delta + Network::max_width * n, gradient_out,
                                   T(1) / static_cast<T>(n));
            if (!all_finite(gradient_out, parameter_count)) return status::non_finite_gradient;
            last_loss_ = loss;
            return status::ok;
        }
    }

    /// One step on the first `count` samples of xs (`[count][input_size]`) and ds
    /// (`[count][output_size]`), with the gradient averaged over `count`: trains the last,
    /// partial minibatch of an epoch. count == BatchSize is train_batch(xs, ds); a smaller
    /// count accumulates the per-sample gradients (the same mean, other rounding).
    /// Precondition: 1 <= count <= BatchSize, else status::invalid_hyperparameter and
    /// nothing changes. Every sample is checked before the update: a non-finite input,
    /// target, loss or gradient returns its status and changes no parameter and no
    /// optimizer state. No memory beyond the trainer's own.
    [[nodiscard]] status train_batch(const T* xs, const T* ds, std::size_t count)
    {
        if (count == 0 || count > BatchSize) return status::invalid_hyperparameter;
        if (count == BatchSize) return train_batch(xs, ds);
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
            optimizer_.step(m.parameters, g, optimizer_state_data(), parameter_count);
            last_loss_ = loss_sum / static_cast<T>(count);
        }
        return status::ok;
    }

    /// Starts training afresh with the same network and hyper-parameters: zeroes the
    /// optimizer state (momentum velocity, Adam's moments) and, for Adam, sets the bias
    /// correction's beta powers back to 1 and last_loss() to 0. The network's parameters are
    /// not touched (network::initialize(seed) draws new ones). Writes
    /// optimizer_state_bytes bytes; cannot fail.
    void reset()
    {
        zero(optimizer_state_data(), optimizer_state_count);
        if constexpr (std::is_same<Optimizer, adam>::value) {
            optimizer_.beta1_power = 1.0;
            optimizer_.beta2_power = 1.0;
        }
        last_loss_ = T(0);
    }

private:
    /// Checks x and d, runs the forward pass, checks the loss and writes the output
    /// delta into the first delta buffer: what every per-sample step starts with.
    /// Inlined so that the training step keeps the loss in a register.
    MICROPROP_ALWAYS_INLINE status forward_to_output_delta(const model_ref<T>& m, const T* x, const T* d, T& loss)
    {
        if (!all_finite(x, Network::input_size)) return status::non_finite_input;
        if (!all_finite(d, Network::output_size)) return status::non_finite_target;
        engine::forward<T, tied>(m, x);
        const T* y = m.activations + last_layer().output_offset;
        loss = value_and_output_delta<Loss>(last_layer().activation,
                                            static_cast<T>(last_layer().activation_parameter), y, d,
                                            workspace_.data(), Network::output_size);
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
    std::array<T, workspace_count> workspace_{};
};

}  // namespace microprop

#endif
