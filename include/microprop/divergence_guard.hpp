// An opt-in guard around a trainer: keeps the last good weights and optimizer
// state in RAM and rolls back to them when training diverges.
#ifndef MICROPROP_DIVERGENCE_GUARD_HPP
#define MICROPROP_DIVERGENCE_GUARD_HPP

#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "config.hpp"
#include "scalar.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

/// The settings of a divergence_guard. All are checked before every step; an
/// out-of-range value makes the step return status::invalid_hyperparameter
/// without training.
struct divergence_guard_settings {
    /// Good steps between automatic snapshots (0: only explicit snapshot() calls). A due
    /// snapshot waits until the recent loss is at or below the running average, so that a
    /// divergence that has begun but is not yet detected is not saved as "good".
    std::uint32_t snapshot_interval = 100;
    /// Losses that must enter the averages before the blow-up test is armed.
    std::uint32_t warm_up_steps = 100;
    /// Decay of the recent loss, an exponential average over about 1 / (1 - decay) steps;
    /// 0 compares each step's own loss. In [0, 1). It smooths the noise of per-sample
    /// losses: one badly classified sample must not count as a divergence.
    float recent_decay = 0.97f;
    /// Decay of the running average of the loss (about 1 / (1 - decay) steps). In
    /// [recent_decay, 1).
    float average_decay = 0.999f;
    /// A rollback happens when the recent loss exceeds blow_up_factor times the running
    /// average as it was at the last snapshot (after the warm-up). Finite and > 1.
    float blow_up_factor = 10.0f;
    /// The optimizer's learning rate is multiplied by this after each rollback. In (0, 1].
    float learning_rate_factor = 0.5f;

    /// True when every setting is in its range (NaN fails every test).
    constexpr bool valid() const
    {
        return recent_decay >= 0.0f && recent_decay < 1.0f && average_decay >= recent_decay &&
               average_decay < 1.0f && blow_up_factor > 1.0f && blow_up_factor <= 3.4e38f &&
               learning_rate_factor > 0.0f && learning_rate_factor <= 1.0f;
    }
};

namespace detail {

/// Offset just past a member of `size` bytes aligned to `alignment`, placed after `offset`.
constexpr std::size_t place_member(std::size_t offset, std::size_t size, std::size_t alignment)
{
    return (offset + alignment - 1) / alignment * alignment + size;
}

}  // namespace detail

/// Wraps a trainer (trainer.hpp) and undoes divergence.
///
/// The guard keeps a snapshot of the last good state: every parameter, the optimizer state
/// (momentum velocity, Adam moments) and a copy of the optimizer object itself (its
/// hyper-parameters and Adam's beta1^t, beta2^t). It takes one at construction, then every
/// `settings.snapshot_interval` good steps, and whenever snapshot() is called (e.g. at the
/// end of an epoch). A snapshot is only taken of finite weights and optimizer state, and an
/// automatic one waits until the recent loss is at or below the running average.
///
/// A step is rolled back when
///   - the trainer returns non_finite_loss, non_finite_gradient, non_finite_parameter or
///     delta_overflow (numerical trouble of the model, not of the sample), or
///   - it returns ok but last_loss() is not finite, or
///   - after the warm-up, the recent loss (an exponential average, `recent_decay`) exceeds
///     `blow_up_factor` times the running average (`average_decay`) as it was at the last
///     snapshot, or
///   - an automatic snapshot falls due and the weights are not finite.
/// A rollback restores the parameters, the optimizer state, the optimizer object and the
/// two loss averages bit for bit to the snapshot, then sets the learning rate to the one
/// in use times `learning_rate_factor`, counts the rollback and returns status::rolled_back.
///
/// The reference is the average at the last snapshot, not the current one, because a
/// diverging run drags the current average up with it. Each loss enters the recent average
/// capped at twice the blow-up level: per-sample cross-entropy is heavy-tailed (one misfit
/// sample can cost a thousand times the mean late in training), and uncapped single samples
/// would read as divergence. A loss that stays above the level still crosses it within
/// about ln 2 / (1 - recent_decay) steps (23 by default).
///
/// What it cannot see: a run that degrades slowly (the snapshots, and with them the
/// reference, follow it) or that is too fast from the first step (there is no healthy
/// average to compare with).
///
/// Statuses that are the sample's or the caller's fault (non_finite_input,
/// non_finite_target, invalid_hyperparameter) are returned unchanged; the trainer has
/// changed nothing, so neither does the guard.
///
/// A learning-rate schedule that sets `optimizer().learning_rate` itself overrides the
/// lowering: multiply the schedule by learning_rate_scale(). Every rollback lowers the rate
/// again; an application that sees rollbacks() keep climbing should stop and report.
///
/// Memory: `bytes` == sizeof(divergence_guard): the snapshot (snapshot_bytes), the optimizer
/// copy (sizeof the optimizer) and the bookkeeping (a pointer to the trainer, the settings,
/// two averages and their saved copies, four counters, the learning-rate scale), with the
/// padding the layout needs: for the 64-32-10 digits network (2410 parameters) with sgd
/// 9712 B on a Cortex-M and 9720 B on a 64-bit host, with Adam 29 032 B on the host. No heap. The guard refers to the trainer, which must
/// outlive it. Example: examples/guarded_digits.
///
/// Cost per step: two multiply-adds and a few comparisons; each snapshot copies and checks
/// parameter_count + optimizer_state_count values.
template <class Trainer>
class divergence_guard {
public:
    /// The guarded trainer type.
    using trainer_type = Trainer;
    /// The network's scalar type (float or double).
    using T = typename Trainer::T;
    /// The trainer's optimizer (sgd, momentum, adam): the type the guard keeps a copy of.
    using optimizer_type = std::remove_reference_t<decltype(std::declval<Trainer&>().optimizer())>;

    /// The network's parameters (weights and biases).
    static constexpr std::size_t parameter_count = Trainer::parameter_count;
    /// Values of optimizer state (0 for sgd, parameter_count for momentum, 2x for Adam).
    static constexpr std::size_t optimizer_state_count = Trainer::optimizer_state_count;
    /// Values in a snapshot: the parameters, then the optimizer state.
    static constexpr std::size_t snapshot_count = parameter_count + optimizer_state_count;
    /// Bytes of the snapshot arrays.
    static constexpr std::size_t snapshot_bytes = snapshot_count * sizeof(T);

private:
    /// Everything but the snapshot arrays.
    struct bookkeeping {
        Trainer* trainer;
        divergence_guard_settings settings;
        T recent_loss;
        T average_loss;
        T saved_recent_loss;
        T saved_average_loss;
        std::uint32_t averaged_steps;        ///< losses in the averages
        std::uint32_t saved_averaged_steps;
        std::uint32_t steps_since_snapshot;  ///< good steps since the last snapshot
        std::uint32_t rollbacks;
        float learning_rate_scale;           ///< learning_rate_factor^rollbacks
    };

public:
    /// Bytes of the bookkeeping (trainer pointer, settings, averages, counters).
    static constexpr std::size_t bookkeeping_bytes = sizeof(bookkeeping);
    /// The guard's whole RAM: sizeof(divergence_guard), laid out as the members are declared.
    static constexpr std::size_t bytes = [] {
        constexpr std::size_t alignment = alignof(optimizer_type) > alignof(bookkeeping)
                                              ? alignof(optimizer_type) : alignof(bookkeeping);
        constexpr std::size_t largest = alignment > alignof(T) ? alignment : alignof(T);
        std::size_t end = detail::place_member(0, sizeof(optimizer_type), alignof(optimizer_type));
        end = detail::place_member(end, sizeof(bookkeeping), alignof(bookkeeping));
        end = detail::place_member(end, snapshot_bytes, alignof(T));
        return detail::place_member(end, 0, largest);
    }();

    /// Guards `trainer` and takes the first snapshot. Precondition: the network's
    /// parameters and the optimizer state are finite (e.g. after network::initialize()).
    explicit divergence_guard(Trainer& trainer, divergence_guard_settings settings = {})
        : state_{&trainer, settings, T(0), T(0), T(0), T(0), 0u, 0u, 0u, 0u, 1.0f}
    {
        static_assert(sizeof(divergence_guard) == bytes, "divergence_guard::bytes must equal its size.");
        const status taken = snapshot();
        MICROPROP_CHECK(taken == status::ok, "divergence_guard needs finite weights to start from");
        static_cast<void>(taken);
    }

    divergence_guard(const divergence_guard&) = delete;
    divergence_guard& operator=(const divergence_guard&) = delete;

    /// The settings; they may be changed between steps and are checked before each one.
    divergence_guard_settings& settings() { return state_.settings; }
    /// The settings, read-only.
    const divergence_guard_settings& settings() const { return state_.settings; }

    /// The guarded trainer (e.g. to set the learning rate or read last_loss()).
    Trainer& trainer() { return *state_.trainer; }
    /// The guarded trainer, read-only.
    const Trainer& trainer() const { return *state_.trainer; }

    /// One guarded Trainer::train_sample. Returns ok, rolled_back (the step diverged and the
    /// snapshot is back, learning rate lowered), invalid_hyperparameter (the guard's settings
    /// are out of range: nothing done), or the trainer's non_finite_input, non_finite_target,
    /// invalid_hyperparameter unchanged (nothing changed).
    ///
    /// x and d: `std::array`s or C arrays of the network's input and output widths (checked
    /// at compile time, as Trainer::train_sample), or spans (checked at run time:
    /// size_mismatch, nothing changed: like every status but those of a diverged step, it
    /// passes through and leaves the guard's averages alone).
    template <class Input, class Target>
    [[nodiscard]] status train_sample(const Input& x, const Target& d)
    {
        if (!state_.settings.valid()) return status::invalid_hyperparameter;
        return after_step(state_.trainer->train_sample(x, d));
    }
    /// train_sample() without the length check (Trainer::train_sample_unchecked).
    [[nodiscard]] status train_sample_unchecked(const T* x, const T* d)
    {
        if (!state_.settings.valid()) return status::invalid_hyperparameter;
        return after_step(state_.trainer->train_sample_unchecked(x, d));
    }

    /// One guarded Trainer::train_batch (xs `[batch][input_size]`, ds `[batch][output_size]`,
    /// as arrays checked at compile time or spans checked at run time); statuses as for
    /// train_sample.
    template <class Inputs, class Targets>
    [[nodiscard]] status train_batch(const Inputs& xs, const Targets& ds)
    {
        if (!state_.settings.valid()) return status::invalid_hyperparameter;
        return after_step(state_.trainer->train_batch(xs, ds));
    }
    /// train_batch() without the length check (Trainer::train_batch_unchecked).
    [[nodiscard]] status train_batch_unchecked(const T* xs, const T* ds)
    {
        if (!state_.settings.valid()) return status::invalid_hyperparameter;
        return after_step(state_.trainer->train_batch_unchecked(xs, ds));
    }

    /// Takes a snapshot now (e.g. at the end of an epoch). Returns ok, or
    /// non_finite_parameter when a parameter or optimizer state value is NaN or infinite:
    /// then the previous snapshot is kept.
    [[nodiscard]] status snapshot()
    {
        Trainer& tr = *state_.trainer;
        const span<T> parameters = tr.network().parameters();
        const span<T> optimizer_state = tr.optimizer_state();
        if (!all_finite(parameters.data(), parameter_count) ||
            !all_finite(optimizer_state.data(), optimizer_state_count)) {
            return status::non_finite_parameter;
        }
        copy(parameters.data(), saved_.data(), parameter_count);
        copy(optimizer_state.data(), saved_.data() + parameter_count, optimizer_state_count);
        saved_optimizer_ = tr.optimizer();
        state_.saved_recent_loss = state_.recent_loss;
        state_.saved_average_loss = state_.average_loss;
        state_.saved_averaged_steps = state_.averaged_steps;
        state_.steps_since_snapshot = 0;
        return status::ok;
    }

    /// Restores the last snapshot and lowers the learning rate (see the class comment);
    /// returns rolled_back. Called by the steps; may also be called directly, e.g. when a
    /// validation loss turns bad.
    status roll_back()
    {
        Trainer& tr = *state_.trainer;
        const float lowered = tr.optimizer().learning_rate * state_.settings.learning_rate_factor;
        copy(saved_.data(), tr.network().parameters().data(), parameter_count);
        copy(saved_.data() + parameter_count, tr.optimizer_state().data(), optimizer_state_count);
        tr.optimizer() = saved_optimizer_;
        tr.optimizer().learning_rate = lowered;
        state_.recent_loss = state_.saved_recent_loss;
        state_.average_loss = state_.saved_average_loss;
        state_.averaged_steps = state_.saved_averaged_steps;
        state_.steps_since_snapshot = 0;
        ++state_.rollbacks;
        state_.learning_rate_scale *= state_.settings.learning_rate_factor;
        return status::rolled_back;
    }

    /// Rollbacks since construction.
    std::uint32_t rollbacks() const { return state_.rollbacks; }
    /// learning_rate_factor to the power of rollbacks(): what a schedule should multiply by.
    float learning_rate_scale() const { return state_.learning_rate_scale; }
    /// The recent loss (exponential average with settings().recent_decay).
    T recent_loss() const { return state_.recent_loss; }
    /// The running average of the loss (exponential, settings().average_decay).
    T average_loss() const { return state_.average_loss; }

    /// The snapshot's values: the parameters, then the optimizer state.
    span<const T> saved_values() const { return span<const T>(saved_.data(), snapshot_count); }
    /// The snapshot's copy of the optimizer object (hyper-parameters, Adam's beta powers).
    const optimizer_type& saved_optimizer() const { return saved_optimizer_; }

private:
    status after_step(status step)
    {
        switch (step) {
            case status::ok: break;
            case status::non_finite_loss:
            case status::non_finite_gradient:
            case status::non_finite_parameter:
            case status::delta_overflow: return roll_back();
            default: return step;
        }
        const T loss = state_.trainer->last_loss();
        if (!scalar_ops<T>::is_finite(loss)) return roll_back();
        if (state_.averaged_steps == 0) {
            state_.recent_loss = loss;
            state_.average_loss = loss;
        } else {
            const T recent_decay = static_cast<T>(state_.settings.recent_decay);
            const T average_decay = static_cast<T>(state_.settings.average_decay);
            // One badly fitted sample can cost hundreds of times the mean cross-entropy; capped
            // at twice the blow-up level, it moves the recent loss by a few percent of that level,
            // while a loss that stays high still pushes it past the level within ~ln 2 / (1 -
            // recent_decay) steps. No cap while the level follows the running average (before
            // the snapshot has seen a loss): a cap that rises with the loss would hide a blow-up.
            const T cap = T(2) * blow_up_level();
            const T capped = (state_.saved_averaged_steps == 0 || loss < cap) ? loss : cap;
            state_.recent_loss = recent_decay * state_.recent_loss + (T(1) - recent_decay) * capped;
            state_.average_loss = average_decay * state_.average_loss + (T(1) - average_decay) * loss;
        }
        if (state_.averaged_steps != UINT32_MAX) ++state_.averaged_steps;
        if (state_.averaged_steps > state_.settings.warm_up_steps && state_.recent_loss > blow_up_level()) {
            return roll_back();
        }
        if (state_.steps_since_snapshot != UINT32_MAX) ++state_.steps_since_snapshot;
        if (state_.settings.snapshot_interval != 0 && state_.steps_since_snapshot >= state_.settings.snapshot_interval &&
            state_.recent_loss <= state_.average_loss) {
            if (snapshot() != status::ok) return roll_back();
        }
        return status::ok;
    }

    /// blow_up_factor times the running average as it was at the last snapshot: a diverging
    /// run drags the running average up with it, but takes no snapshot (the recent loss is
    /// above the average), so this reference stays at the last healthy level. Until the
    /// snapshot has seen a loss, the running average itself.
    T blow_up_level() const
    {
        const T reference = state_.saved_averaged_steps > 0 ? state_.saved_average_loss : state_.average_loss;
        return static_cast<T>(state_.settings.blow_up_factor) * reference;
    }

    static void copy(const T* from, T* to, std::size_t n)
    {
        for (std::size_t k = 0; k < n; ++k) to[k] = from[k];
    }

    optimizer_type saved_optimizer_;
    bookkeeping state_;
    std::array<T, snapshot_count> saved_{};
};

}  // namespace microprop

#endif
