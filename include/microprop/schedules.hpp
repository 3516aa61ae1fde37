// Learning-rate schedules, early stopping on a held-out split, and a seeded validation split.
// Epochs count from 0: a schedule's `at(0)` is its initial rate. A schedule is a small value
// type; set `trainer.optimizer().learning_rate = schedule.at(epoch)` before each epoch.
#ifndef MICROPROP_SCHEDULES_HPP
#define MICROPROP_SCHEDULES_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "data.hpp"
#include "random.hpp"
#include "scalar.hpp"
#include "status.hpp"

namespace microprop {

/// Constant learning rate.
struct constant_schedule {
    float initial = 0.01f;  ///< the rate at every epoch
    /// The rate at `epoch`: `initial`.
    constexpr float at(std::uint32_t /*epoch*/) const { return initial; }
};

/// Step decay: initial * factor^floor(epoch / step_epochs) (PyTorch's StepLR).
struct step_schedule {
    float initial = 0.01f;        ///< rate of epochs 0 .. step_epochs-1
    float factor = 0.1f;          ///< multiplies the rate every step_epochs epochs
    std::uint32_t step_epochs = 10;  ///< precondition: >= 1 (0 is treated as 1)

    /// The rate at `epoch`.
    float at(std::uint32_t epoch) const
    {
        const std::uint32_t steps = epoch / (step_epochs == 0 ? 1u : step_epochs);
        return static_cast<float>(static_cast<double>(initial) * power(factor, steps));
    }

    /// base^n by repeated squaring in double.
    static double power(float base, std::uint32_t n)
    {
        double result = 1.0;
        double b = static_cast<double>(base);
        for (; n != 0; n >>= 1) {
            if (n & 1u) result *= b;
            b *= b;
        }
        return result;
    }
};

/// Exponential decay: initial * gamma^epoch (PyTorch's ExponentialLR).
struct exponential_schedule {
    float initial = 0.01f;  ///< rate at epoch 0
    float gamma = 0.95f;    ///< factor per epoch, in (0, 1] to decay
    /// The rate at `epoch`.
    float at(std::uint32_t epoch) const
    {
        return static_cast<float>(static_cast<double>(initial) * step_schedule::power(gamma, epoch));
    }
};

/// 1/t decay: initial / (1 + decay * epoch) (Robbins-Monro style; what the digits and iris
/// examples use). Computed in float exactly as written, so a hand-written loop gives the
/// same bits.
struct inverse_time_schedule {
    float initial = 0.01f;  ///< rate at epoch 0
    float decay = 0.5f;     ///< precondition: >= 0
    /// The rate at `epoch`.
    constexpr float at(std::uint32_t epoch) const
    {
        return initial / (1.0f + decay * static_cast<float>(epoch));
    }
};

/// Cosine annealing from `initial` at epoch 0 to `minimum` at epoch `total_epochs` (and after):
/// minimum + (initial - minimum) (1 + cos(pi epoch / total_epochs)) / 2 (Loshchilov & Hutter,
/// SGDR, without restarts). Uses std::cos in double.
struct cosine_schedule {
    float initial = 0.01f;           ///< rate at epoch 0
    float minimum = 0.0f;            ///< rate from epoch total_epochs on
    std::uint32_t total_epochs = 100;  ///< length of the half cosine; 0 gives `minimum` always
    /// The rate at `epoch`.
    float at(std::uint32_t epoch) const
    {
        if (epoch >= total_epochs) return minimum;
        const double pi = 3.14159265358979323846;
        const double phase = pi * static_cast<double>(epoch) / static_cast<double>(total_epochs);
        const double lo = static_cast<double>(minimum);
        return static_cast<float>(lo + (static_cast<double>(initial) - lo) * 0.5 * (1.0 + std::cos(phase)));
    }
};

/// Stops training when the loss on a held-out split has not improved for `patience` epochs.
/// Call update() once per epoch with that loss; it says whether this epoch is the best so far
/// (copy the network then, e.g. `best = net;`, to restore it at the end) and when to stop.
/// Holds a few words; allocates nothing.
class early_stopping {
public:
    /// What update() concluded.
    enum class decision : std::uint8_t {
        improved,   ///< best validation loss so far: keep this network
        wait,       ///< not better by min_delta, patience not used up
        stop,       ///< `patience` epochs in a row without improvement: stop training
    };

    /// Stop after `patience` epochs without an improvement of more than `min_delta`.
    explicit constexpr early_stopping(std::uint32_t patience, float min_delta = 0.0f)
        : patience_(patience), min_delta_(min_delta) {}

    /// Records one epoch's validation loss. A NaN or infinite loss counts as no improvement.
    template <class T>
    decision update(T validation_loss)
    {
        const double loss = static_cast<double>(validation_loss);
        ++epochs_;
        if (scalar_ops<double>::is_finite(loss) && (!has_best_ || loss < best_ - static_cast<double>(min_delta_))) {
            has_best_ = true;
            best_ = loss;
            best_epoch_ = epochs_ - 1;
            waited_ = 0;
            return decision::improved;
        }
        ++waited_;
        return waited_ >= patience_ ? decision::stop : decision::wait;
    }

    /// The best validation loss seen (0 before the first finite one).
    constexpr double best_loss() const { return best_; }
    /// The 0-based update() call that gave best_loss().
    constexpr std::uint32_t best_epoch() const { return best_epoch_; }
    /// Epochs since the last improvement.
    constexpr std::uint32_t epochs_without_improvement() const { return waited_; }
    /// Forgets everything (for a new training run).
    constexpr void reset()
    {
        has_best_ = false;
        best_ = 0.0;
        best_epoch_ = 0;
        waited_ = 0;
        epochs_ = 0;
    }

private:
    std::uint32_t patience_;
    float min_delta_;
    bool has_best_ = false;
    double best_ = 0.0;
    std::uint32_t best_epoch_ = 0;
    std::uint32_t waited_ = 0;
    std::uint32_t epochs_ = 0;
};

/// Splits the samples listed by `samples` (e.g. a header's `train_index`, or
/// index_list::all(n)) at random into a training part and a held-out validation part (e.g. for
/// early_stopping), into caller-owned arrays: `validation` gets `validation_count` of the listed
/// values and `train` the other `samples.size() - validation_count`, each in the list's order.
/// Every subset of that size is equally likely (selection sampling, Knuth TAOCP 3.4.2
/// Algorithm S: the k-th listed sample is held out with probability needed / remaining, one
/// `rng.below()` per sample), and the same seed gives the same split on every platform.
/// Index is an unsigned integer type wide enough for every listed value (uint8_t, uint16_t or
/// uint32_t: the arrays then work as an index_list). Writes `samples.size() * sizeof(Index)`
/// bytes in all. Returns status::ok, or status::invalid_hyperparameter when validation_count >
/// samples.size() or a listed value does not fit Index (nothing written, rng not advanced).
template <class Index>
[[nodiscard]] status validation_split(index_list samples, std::uint32_t validation_count, random_generator& rng,
                                      Index* train, Index* validation)
{
    const std::size_t n = samples.size();
    if (validation_count > n) return status::invalid_hyperparameter;
    for (std::size_t k = 0; k < n; ++k) {
        if (static_cast<std::size_t>(static_cast<Index>(samples[k])) != samples[k]) {
            return status::invalid_hyperparameter;
        }
    }
    std::uint32_t needed = validation_count;
    std::size_t held_out = 0;
    std::size_t kept = 0;
    for (std::size_t k = 0; k < n; ++k) {
        if (rng.below(static_cast<std::uint32_t>(n - k)) < needed) {
            validation[held_out++] = static_cast<Index>(samples[k]);
            --needed;
        } else {
            train[kept++] = static_cast<Index>(samples[k]);
        }
    }
    return status::ok;
}

/// validation_split() of the positions 0..n-1.
template <class Index>
[[nodiscard]] status validation_split(std::uint32_t n, std::uint32_t validation_count, random_generator& rng,
                                      Index* train, Index* validation)
{
    return validation_split(index_list::all(n), validation_count, rng, train, validation);
}

}  // namespace microprop

#endif
