// The length-checked forms of a trainer's step calls, written once for every trainer (float
// trainer<> and the q3_12 one): each checks the lengths of its arguments — at compile time for
// `std::array`s and C arrays, at run time for spans — and hands the pointers to the trainer's own
// `*_unchecked` form, which does the work (size_check.hpp explains the three forms).
#ifndef MICROPROP_CHECKED_TRAINING_CALLS_HPP
#define MICROPROP_CHECKED_TRAINING_CALLS_HPP

#include <cstddef>

#include "config.hpp"
#include "size_check.hpp"
#include "span.hpp"
#include "status.hpp"

namespace microprop {

/// Base of every trainer (CRTP: `Trainer` derives from it) giving train_sample, train_batch
/// and compute_gradient on arrays and spans. `Trainer` provides train_sample_unchecked(x, d),
/// train_batch_unchecked(xs, ds), train_batch_unchecked(xs, ds, count) and
/// compute_gradient_unchecked(x, d, gradient_out); their statuses are the trainer's. A wrong
/// array length is a compile-time error of array_length_must_match naming both lengths; a
/// wrong span length returns status::size_mismatch and changes nothing. No data members.
template <class Trainer, class Network, std::size_t BatchSize>
class checked_training_calls {
    using T = typename Network::scalar;
    static constexpr std::size_t input_size = Network::input_size;
    static constexpr std::size_t output_size = Network::output_size;
    static constexpr std::size_t parameter_count = Network::parameter_count;

public:
    /// One step on one sample: x is a `std::array` or C array of input_size values, d of
    /// output_size. Reads `(input_size + output_size) * sizeof(T)` bytes. Statuses: those of
    /// the trainer's train_sample_unchecked; on any but ok nothing changed.
    template <class Input, class Target, detail::if_fixed<T, Input, Target> = 0>
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status train_sample(const Input& x, const Target& d)
    {
        static_assert(detail::sample_fits<Network, Input, Target>(), "");
        return self().train_sample_unchecked(detail::first_of(x), detail::first_of(d));
    }
    /// train_sample() on spans: status::size_mismatch, and nothing changed, unless
    /// `x.size() == input_size` and `d.size() == output_size`.
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status train_sample(span<const T> x, span<const T> d)
    {
        if (x.size() != input_size || d.size() != output_size) return status::size_mismatch;
        return self().train_sample_unchecked(x.data(), d.data());
    }

    /// One step on BatchSize samples stored one after another: xs is a `std::array` or C
    /// array of `BatchSize * input_size` values (`[BatchSize][input_size]`), ds of
    /// `BatchSize * output_size`. Statuses: those of train_batch_unchecked; on any but ok
    /// nothing changed.
    template <class Inputs, class Targets, detail::if_fixed<T, Inputs, Targets> = 0>
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status train_batch(const Inputs& xs, const Targets& ds)
    {
        static_assert(batch_fits<Inputs, Targets>(), "");
        return self().train_batch_unchecked(detail::first_of(xs), detail::first_of(ds));
    }
    /// train_batch() on spans: status::size_mismatch, and nothing changed, unless
    /// `xs.size() == BatchSize * input_size` and `ds.size() == BatchSize * output_size`.
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status train_batch(span<const T> xs, span<const T> ds)
    {
        if (xs.size() != BatchSize * input_size || ds.size() != BatchSize * output_size) return status::size_mismatch;
        return self().train_batch_unchecked(xs.data(), ds.data());
    }

    /// One step on the first `count` samples of a minibatch buffer with room for BatchSize
    /// (lengths as train_batch(xs, ds), checked at compile time), the gradient averaged over
    /// `count`: the last, partial minibatch of an epoch. status::invalid_hyperparameter, and
    /// nothing changed, unless 1 <= count <= BatchSize; otherwise the statuses of
    /// train_batch_unchecked(xs, ds, count).
    template <class Inputs, class Targets, detail::if_fixed<T, Inputs, Targets> = 0>
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status train_batch(const Inputs& xs, const Targets& ds, std::size_t count)
    {
        static_assert(batch_fits<Inputs, Targets>(), "");
        return self().train_batch_unchecked(detail::first_of(xs), detail::first_of(ds), count);
    }
    /// train_batch(xs, ds, count) on spans holding exactly the `count` samples:
    /// invalid_hyperparameter unless 1 <= count <= BatchSize, then size_mismatch unless
    /// `xs.size() == count * input_size` and `ds.size() == count * output_size`; on either
    /// nothing changed.
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status train_batch(span<const T> xs, span<const T> ds, std::size_t count)
    {
        if (count == 0 || count > BatchSize) return status::invalid_hyperparameter;
        if (xs.size() != count * input_size || ds.size() != count * output_size) return status::size_mismatch;
        return self().train_batch_unchecked(xs.data(), ds.data(), count);
    }

    /// dE/dtheta for one sample into `gradient_out` (parameter order): x and d as for
    /// train_sample, gradient_out a `std::array` or C array of parameter_count values.
    /// Changes no parameter; writes `parameter_count * sizeof(T)` bytes. Statuses: those of
    /// the trainer's compute_gradient_unchecked.
    template <class Input, class Target, class Gradient, detail::if_fixed<T, Input, Target, Gradient> = 0>
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status compute_gradient(const Input& x, const Target& d,
                                                                  Gradient& gradient_out)
    {
        static_assert(detail::sample_fits<Network, Input, Target>(), "");
        static_assert(array_length_must_match<array_kind::gradient, detail::length_of<Gradient, T>,
                                              parameter_count>::value, "");
        return self().compute_gradient_unchecked(detail::first_of(x), detail::first_of(d),
                                                    detail::first_of(gradient_out));
    }
    /// compute_gradient() on spans: status::size_mismatch, and nothing written, unless the
    /// lengths are input_size, output_size and parameter_count.
    [[nodiscard]] MICROPROP_ALWAYS_INLINE status compute_gradient(span<const T> x, span<const T> d,
                                                                  span<T> gradient_out)
    {
        if (x.size() != input_size || d.size() != output_size || gradient_out.size() != parameter_count) {
            return status::size_mismatch;
        }
        return self().compute_gradient_unchecked(x.data(), d.data(), gradient_out.data());
    }

protected:
    /// Compile-time check that minibatch arrays hold BatchSize inputs and targets.
    template <class Inputs, class Targets>
    static constexpr bool batch_fits()
    {
        return array_length_must_match<array_kind::batch_input, detail::length_of<Inputs, T>,
                                       BatchSize * input_size>::value &&
               array_length_must_match<array_kind::batch_target, detail::length_of<Targets, T>,
                                       BatchSize * output_size>::value;
    }

private:
    MICROPROP_ALWAYS_INLINE Trainer& self() { return static_cast<Trainer&>(*this); }
};

}  // namespace microprop

#endif
