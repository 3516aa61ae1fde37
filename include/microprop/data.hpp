// Data sets stored in flash, read one sample at a time: dataset views, one-hot targets,
// standardisation statistics, a RAM-free shuffled epoch order and minibatch assembly.
//
// The storage format is the one examples/tools/csv_to_header.py writes (and
// tests/data/generate_datasets.py wrote for the examples' iris and digits data):
//   features[sample_count][feature_count]   float, or 8-bit codes q standing for scale * q + offset
//   labels[sample_count]                    class indices 0..class_count-1 (classification), or
//   targets[sample_count][output_count]     target values (regression)
//   train_index[] / test_index[]            a split, as uint8/uint16/uint32 index arrays
//   feature_mean[] / feature_std[]          the training split's statistics (optional)
// Nothing here copies a data set into RAM: a view holds pointers, and a sample becomes
// a vector of T only when it is loaded into a caller's buffer.
#ifndef MICROPROP_DATA_HPP
#define MICROPROP_DATA_HPP

#include <array>
#include <cstddef>
#include <cstdint>

#include "config.hpp"
#include "network.hpp"
#include "random.hpp"
#include "scalar.hpp"
#include "size_check.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

/// Compile-time check that a data set's width matches a network's: the message names
/// both numbers (the template arguments in the compiler's note).
template <std::size_t network_width, std::size_t dataset_width>
struct dataset_width_must_match {
    static_assert(network_width == dataset_width,
                  "Data set and network widths do not match: the network's input (or output) width "
                  "must equal the data set's feature (or output) count (the two numbers are the "
                  "template arguments of microprop::dataset_width_must_match<network_width, "
                  "dataset_width> in the note above).");
    /// True; the check is the static_assert above.
    static constexpr bool value = true;
};

/// Writes the one-hot encoding of class `label` into `target[0..count)`: 1 at `label`, 0
/// elsewhere. Precondition: `label < count` (a label out of range gives all zeros).
/// Writes `count * sizeof(T)` bytes; reads nothing else.
template <class T>
constexpr void one_hot(std::size_t label, T* target, std::size_t count)
{
    for (std::size_t k = 0; k < count; ++k) target[k] = k == label ? T(1) : T(0);
}

/// one_hot() into a `std::array` of the class count.
template <class T, std::size_t Classes>
constexpr void one_hot(std::size_t label, std::array<T, Classes>& target)
{
    one_hot(label, target.data(), Classes);
}

/// A read-only list of sample indices stored as 8-, 16- or 32-bit integers (e.g. a
/// split's `train_index` in flash), or the identity 0..size-1. Holds a pointer, the
/// width and the count (12 bytes on a 32-bit core); never copies the indices.
class index_list {
public:
    /// The identity list 0, 1, ..., count - 1.
    static constexpr index_list all(std::size_t count) { return index_list(nullptr, 0, count); }

    /// All N indices of an 8-bit array (e.g. a header's `train_index`), which must outlive the list.
    template <std::size_t N>
    constexpr index_list(const std::uint8_t (&indices)[N]) : index_list(indices, 1, N) {}
    /// All N indices of a 16-bit array, which must outlive the list.
    template <std::size_t N>
    constexpr index_list(const std::uint16_t (&indices)[N]) : index_list(indices, 2, N) {}
    /// All N indices of a 32-bit array, which must outlive the list.
    template <std::size_t N>
    constexpr index_list(const std::uint32_t (&indices)[N]) : index_list(indices, 4, N) {}
    /// `count` 8-bit indices at `indices` (which must outlive the list); e.g. an empty split's
    /// `test_index` with `test_count` = 0.
    constexpr index_list(const std::uint8_t* indices, std::size_t count) : index_list(indices, 1, count) {}
    /// `count` 16-bit indices at `indices` (which must outlive the list).
    constexpr index_list(const std::uint16_t* indices, std::size_t count) : index_list(indices, 2, count) {}
    /// `count` 32-bit indices at `indices` (which must outlive the list).
    constexpr index_list(const std::uint32_t* indices, std::size_t count) : index_list(indices, 4, count) {}

    /// Number of indices.
    constexpr std::size_t size() const { return size_; }
    /// The k-th index. Precondition: `k < size()`.
    constexpr std::size_t operator[](std::size_t k) const
    {
        MICROPROP_CHECK(k < size_, "index_list position out of range");
        switch (width_) {
            case 1: return static_cast<const std::uint8_t*>(data_)[k];
            case 2: return static_cast<const std::uint16_t*>(data_)[k];
            case 4: return static_cast<const std::uint32_t*>(data_)[k];
            default: return k;
        }
    }

private:
    constexpr index_list(const void* data, std::uint8_t width, std::size_t size)
        : data_(data), width_(width), size_(size) {}
    const void* data_;
    std::uint8_t width_;
    std::size_t size_;
};

/// Per-feature mean and standard deviation, for standardised inputs (x - mean) / std.
/// Either copied from a header's `feature_mean` / `feature_std` (computed on the host) or
/// computed on the device from a dataset view (compute()). Holds `2 * Features * sizeof(T)`
/// bytes.
template <class T, std::size_t Features>
struct feature_statistics {
    std::array<T, Features> mean{};     ///< mean of each feature
    std::array<T, Features> std_dev{};  ///< population standard deviation of each feature (1 where it is 0)

    /// Statistics from arrays (e.g. in flash); each holds Features values.
    static constexpr feature_statistics from(const T (&mean_values)[Features], const T (&std_values)[Features])
    {
        feature_statistics s{};
        for (std::size_t j = 0; j < Features; ++j) {
            s.mean[j] = mean_values[j];
            s.std_dev[j] = std_values[j];
        }
        return s;
    }

    /// Mean and population standard deviation (divide by n) of every feature of `data`'s
    /// samples, as the view decodes them but before any standardisation of its own,
    /// by Welford's one-pass update (no RAM beyond this object; stable where the naive
    /// sum of squares cancels). A feature whose deviation is 0 gets std 1, so that
    /// standardising leaves it at 0 instead of dividing by 0.
    /// Returns status::ok; status::invalid_hyperparameter when `data` is empty (the
    /// statistics are then left unchanged); status::non_finite_input when a value is
    /// not finite (the statistics are then left unchanged).
    template <class View>
    [[nodiscard]] status compute(const View& data)
    {
        static_assert(dataset_width_must_match<Features, View::feature_count>::value, "");
        if (data.size() == 0) return status::invalid_hyperparameter;
        std::array<T, Features> m{};
        std::array<T, Features> m2{};
        std::array<T, Features> x{};
        for (std::size_t n = 0; n < data.size(); ++n) {
            data.load_raw(n, x);
            const T count = static_cast<T>(n + 1);
            for (std::size_t j = 0; j < Features; ++j) {
                if (!scalar_ops<T>::is_finite(x[j])) return status::non_finite_input;
                const T d = x[j] - m[j];
                m[j] += d / count;
                m2[j] += d * (x[j] - m[j]);
            }
        }
        for (std::size_t j = 0; j < Features; ++j) {
            const T variance = m2[j] / static_cast<T>(data.size());
            const T s = scalar_ops<T>::sqrt(variance);
            mean[j] = m[j];
            std_dev[j] = s > T(0) ? s : T(1);
        }
        return status::ok;
    }
};

/// A classification or regression data set stored as arrays (typically `static constexpr`,
/// so in flash), read one sample at a time.
///
/// Sample k of the view is row `indices[k]` of the arrays. Its features are decoded as
/// x_j = scale_j * stored_j + offset_j (scale 1, offset 0 unless with_coding() says
/// otherwise: the 8-bit digits pixels 0..16 use scale 1/16) and then, when statistics are
/// attached (standardized()), standardised as (x_j - mean_j) / std_j. Targets are the
/// one-hot encoding of `labels[i]` or the row `targets[i]`.
///
/// A view holds only pointers and the index list (about 40 bytes on a 32-bit core);
/// every array it points at must outlive it.
///
/// @tparam T        scalar type of the network (float or double)
/// @tparam Stored   type of the stored features: T, or an 8-bit integer with a coding
/// @tparam Features values per sample (the network's input width)
/// @tparam Outputs  class count for labels, or values per target row
template <class T, class Stored, std::size_t Features, std::size_t Outputs>
class dataset_view {
public:
    using scalar = T;                                     ///< the network's scalar type
    static constexpr std::size_t feature_count = Features;  ///< values per sample
    static constexpr std::size_t output_count = Outputs;    ///< classes (labels) or values per target row

    /// Classification: `labels[i]` (0..Outputs-1) is row i's class, every row is in the view.
    /// `features` holds `rows * Features` values, row by row.
    constexpr dataset_view(const Stored* features, const std::uint8_t* labels, std::size_t rows)
        : features_(features), labels_(labels), targets_(nullptr), indices_(index_list::all(rows)) {}
    /// Regression: `targets` holds `rows * Outputs` values, row by row.
    constexpr dataset_view(const Stored* features, const T* targets, std::size_t rows)
        : features_(features), labels_(nullptr), targets_(targets), indices_(index_list::all(rows)) {}

    /// The same arrays restricted to (and ordered by) `indices`, e.g. a header's
    /// `train_index`. Precondition: every index is below the arrays' row count.
    constexpr dataset_view subset(index_list indices) const
    {
        dataset_view v = *this;
        v.indices_ = indices;
        return v;
    }
    /// Features decoded as scale * stored + offset, one scale and offset for all features.
    /// The two values must outlive the view (e.g. `static constexpr` constants).
    constexpr dataset_view with_coding(const T& scale, const T& offset) const
    {
        dataset_view v = *this;
        v.scale_ = &scale;
        v.offset_ = &offset;
        v.coding_stride_ = 0;
        return v;
    }
    /// A temporary would dangle: the view keeps pointers to the scale and offset.
    dataset_view with_coding(const T&& scale, const T&& offset) const = delete;
    /// Features decoded with a scale and offset per feature (Features values each).
    constexpr dataset_view with_coding(const T (&scale)[Features], const T (&offset)[Features]) const
    {
        dataset_view v = *this;
        v.scale_ = scale;
        v.offset_ = offset;
        v.coding_stride_ = 1;
        return v;
    }
    /// Features standardised with `statistics` after decoding (nullptr: not standardised).
    /// The statistics object must outlive the view.
    constexpr dataset_view standardized(const feature_statistics<T, Features>* statistics) const
    {
        dataset_view v = *this;
        v.statistics_ = statistics;
        return v;
    }

    /// Samples in the view.
    constexpr std::size_t size() const { return indices_.size(); }
    /// Row of the arrays that sample k reads. Precondition: `k < size()`.
    constexpr std::size_t row(std::size_t k) const { return indices_[k]; }
    /// True for a classification view (labels, one-hot targets).
    constexpr bool has_labels() const { return labels_ != nullptr; }
    /// Class of sample k. Precondition: has_labels() and `k < size()`.
    constexpr std::size_t label(std::size_t k) const
    {
        MICROPROP_CHECK(labels_ != nullptr, "label() of a regression view");
        return labels_[row(k)];
    }

    /// Decoded and (when statistics are attached) standardised features of sample k into a
    /// `std::array<T, N>` or C array `T[N]`; N must be Features (array_length_must_match at
    /// compile time). Precondition: `k < size()`. Writes `Features * sizeof(T)` bytes.
    template <class Input, detail::if_fixed<T, Input> = 0>
    void load(std::size_t k, Input& x) const
    {
        static_assert(array_length_must_match<array_kind::input, detail::length_of<Input, T>, Features>::value, "");
        load_unchecked(k, detail::first_of(x));
    }
    /// load() into a span, checked at run time: status::size_mismatch, and nothing written,
    /// unless `x.size() == Features`.
    [[nodiscard]] status load(std::size_t k, span<T> x) const
    {
        if (x.size() != Features) return status::size_mismatch;
        load_unchecked(k, x.data());
        return status::ok;
    }
    /// load() without the length check: the caller vouches that x has room for Features values.
    void load_unchecked(std::size_t k, T* x) const
    {
        load_raw_unchecked(k, x);
        if (statistics_ != nullptr) {
            for (std::size_t j = 0; j < Features; ++j) {
                x[j] = (x[j] - statistics_->mean[j]) / statistics_->std_dev[j];
            }
        }
    }
    /// Decoded features of sample k, not standardised (what feature_statistics::compute
    /// reads), into a `std::array` or C array of Features values (checked at compile time).
    template <class Input, detail::if_fixed<T, Input> = 0>
    void load_raw(std::size_t k, Input& x) const
    {
        static_assert(array_length_must_match<array_kind::input, detail::length_of<Input, T>, Features>::value, "");
        load_raw_unchecked(k, detail::first_of(x));
    }
    /// load_raw() without the length check: the caller vouches for room for Features values.
    void load_raw_unchecked(std::size_t k, T* x) const
    {
        const Stored* stored = features_ + row(k) * Features;
        for (std::size_t j = 0; j < Features; ++j) {
            const std::size_t c = j * coding_stride_;
            x[j] = static_cast<T>(stored[j]) * scale_[c] + offset_[c];
        }
    }

    /// Target of sample k (one-hot of its label, or its target row) into a `std::array<T, N>`
    /// or C array `T[N]`; N must be Outputs (array_length_must_match at compile time).
    /// Precondition: `k < size()`. Writes `Outputs * sizeof(T)` bytes.
    template <class Target, detail::if_fixed<T, Target> = 0>
    void target(std::size_t k, Target& d) const
    {
        static_assert(array_length_must_match<array_kind::target, detail::length_of<Target, T>, Outputs>::value, "");
        target_unchecked(k, detail::first_of(d));
    }
    /// target() into a span, checked at run time: status::size_mismatch, and nothing
    /// written, unless `d.size() == Outputs`.
    [[nodiscard]] status target(std::size_t k, span<T> d) const
    {
        if (d.size() != Outputs) return status::size_mismatch;
        target_unchecked(k, d.data());
        return status::ok;
    }
    /// target() without the length check: the caller vouches for room for Outputs values.
    void target_unchecked(std::size_t k, T* d) const
    {
        if (labels_ != nullptr) {
            one_hot(labels_[row(k)], d, Outputs);
        } else {
            const T* t = targets_ + row(k) * Outputs;
            for (std::size_t j = 0; j < Outputs; ++j) d[j] = t[j];
        }
    }

private:
    static constexpr T unit_scale = T(1);
    static constexpr T zero_offset = T(0);

    const Stored* features_;
    const std::uint8_t* labels_;
    const T* targets_;
    index_list indices_;
    const T* scale_ = &unit_scale;
    const T* offset_ = &zero_offset;
    std::size_t coding_stride_ = 0;
    const feature_statistics<T, Features>* statistics_ = nullptr;
};

/// A classification view over `features[rows][Features]` and `labels[rows]`, every row:
/// `classification_view<float, 10>(digits::pixels, digits::labels)`.
template <class T, std::size_t Classes, class Stored, std::size_t Rows, std::size_t Features>
constexpr dataset_view<T, Stored, Features, Classes> classification_view(const Stored (&features)[Rows][Features],
                                                                          const std::uint8_t (&labels)[Rows])
{
    return dataset_view<T, Stored, Features, Classes>(&features[0][0], &labels[0], Rows);
}

/// A regression view over `features[rows][Features]` and `targets[rows][Outputs]`, every row.
template <class T, class Stored, std::size_t Rows, std::size_t Features, std::size_t Outputs>
constexpr dataset_view<T, Stored, Features, Outputs> regression_view(const Stored (&features)[Rows][Features],
                                                                      const T (&targets)[Rows][Outputs])
{
    return dataset_view<T, Stored, Features, Outputs>(&features[0][0], &targets[0][0], Rows);
}

/// Visits 0..n-1 in a new pseudo-random order each epoch without a RAM table:
/// position k maps to (offset + k * stride) mod n with stride coprime to n, both drawn
/// from the library's PRNG by reshuffle(). Not every permutation is reachable (n * phi(n)
/// of them), which is enough to break the order of a stored data set between epochs.
/// Holds 12 bytes. Before the first reshuffle() the order is the identity.
class epoch_order {
public:
    /// An order over n positions. Precondition: n >= 1.
    explicit constexpr epoch_order(std::uint32_t n) : n_(n) {}

    /// Draws a new offset and stride from `rng` (two or more `below()` calls).
    void reshuffle(random_generator& rng)
    {
        offset_ = rng.below(n_);
        if (n_ < 2u) return;
        do {
            stride_ = 1u + rng.below(n_ - 1u);
        } while (gcd(stride_, n_) != 1u);
    }
    /// Number of positions.
    constexpr std::uint32_t size() const { return n_; }
    /// The position visited k-th in this epoch. Precondition: `k < size()`.
    constexpr std::uint32_t operator[](std::uint32_t k) const
    {
        return static_cast<std::uint32_t>((offset_ + static_cast<std::uint64_t>(k) * stride_) % n_);
    }

private:
    static constexpr std::uint32_t gcd(std::uint32_t a, std::uint32_t b)
    {
        while (b != 0u) {
            const std::uint32_t t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
    std::uint32_t n_;
    std::uint32_t offset_ = 0;
    std::uint32_t stride_ = 1;
};

/// A clock for train_epoch() that measures nothing (the default). A clock of one's own
/// has `start()` and `stop(std::uint32_t samples)`, called around every training step.
struct no_clock {
    /// Called before a training step; does nothing.
    void start() {}
    /// Called after a step on `samples` samples; does nothing.
    void stop(std::uint32_t /*samples*/) {}
};

/// What one epoch of train_epoch() did.
template <class T>
struct epoch_summary {
    status result = status::ok;  ///< ok, or the first failing step's status (the epoch stopped there)
    std::size_t samples = 0;     ///< samples trained on (all of the view's on success)
    std::size_t steps = 0;       ///< optimizer steps: samples / batch size, rounded up
    T mean_loss = T(0);          ///< sample-weighted mean of the steps' losses (before each update)
    /// Per-sample training (batch size 1) on labels only: samples whose prediction was
    /// right in the forward pass of their own step, before the update. 0 otherwise.
    std::size_t running_correct = 0;
};

/// One epoch over `data` in the order `order` (whose size must equal data.size()):
/// per sample with a batch size of 1, else in minibatches of Trainer::batch_size samples
/// assembled on the stack, the last one partial when the batch size does not divide the
/// sample count (trainer::train_batch(xs, ds, count)). `clock.start()` / `clock.stop(n)`
/// bracket each step, so a clock measures training only, not the decoding of samples.
///
/// Stack: one minibatch, `batch_size * (inputs + outputs) * sizeof(T)` bytes.
/// Returns the summary; its `result` is status::ok, or the status of the first step that
/// failed (non-finite input, target, loss or gradient: that step changed nothing, the steps
/// before it stand, and the epoch stops), or status::invalid_hyperparameter when the
/// order's size differs from the view's (nothing trained).
template <class Trainer, class View, class Clock = no_clock>
epoch_summary<typename Trainer::T> train_epoch(Trainer& trainer, const View& data, const epoch_order& order,
                                               Clock&& clock = Clock{})
{
    using T = typename Trainer::T;
    using net_t = typename Trainer::network_type;
    static_assert(dataset_width_must_match<net_t::input_size, View::feature_count>::value, "");
    static_assert(dataset_width_must_match<net_t::output_size, View::output_count>::value, "");
    constexpr std::size_t in = net_t::input_size;
    constexpr std::size_t out = net_t::output_size;
    constexpr std::size_t batch = Trainer::batch_size;

    epoch_summary<T> summary;
    if (order.size() != data.size()) {
        summary.result = status::invalid_hyperparameter;
        return summary;
    }
    T xs[batch * in];
    T ds[batch * out];
    T loss_sum = T(0);
    for (std::size_t first = 0; first < data.size(); first += batch) {
        const std::size_t count = data.size() - first < batch ? data.size() - first : batch;
        for (std::size_t s = 0; s < count; ++s) {
            const std::size_t k = order[static_cast<std::uint32_t>(first + s)];
            data.load_unchecked(k, xs + s * in);
            data.target_unchecked(k, ds + s * out);
        }
        clock.start();
        status step;
        if constexpr (batch == 1) {
            step = trainer.train_sample(xs, ds);
        } else {
            step = trainer.train_batch(xs, ds, count);
        }
        clock.stop(static_cast<std::uint32_t>(count));
        if (step != status::ok) {
            summary.result = step;
            break;
        }
        loss_sum += trainer.last_loss() * static_cast<T>(count);
        summary.samples += count;
        ++summary.steps;
        if constexpr (batch == 1) {
            if (data.has_labels()) {
                const std::size_t label = data.label(order[static_cast<std::uint32_t>(first)]);
                // The network's output still holds this sample's forward pass (before the update).
                summary.running_correct += argmax(trainer.network().output()) == label ? 1u : 0u;
            }
        }
    }
    if (summary.samples > 0) summary.mean_loss = loss_sum / static_cast<T>(summary.samples);
    return summary;
}

}  // namespace microprop

#endif
