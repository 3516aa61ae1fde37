// How well a network does on a data set: accuracy, mean loss and the confusion matrix,
// one forward pass per sample, nothing stored but the counts.
#ifndef MICROPROP_EVALUATION_HPP
#define MICROPROP_EVALUATION_HPP

#include <array>
#include <cstddef>
#include <cstdint>

#include "config.hpp"
#include "data.hpp"
#include "network.hpp"
#include "span.hpp"

namespace microprop {

/// Index of the largest of `values` (the first one on ties): argmax() for a `std::array`,
/// e.g. a target or a copy of an output. Precondition: N >= 1.
template <class T, std::size_t N>
constexpr std::size_t argmax(const std::array<T, N>& values)
{
    static_assert(N >= 1, "argmax needs at least one value.");
    std::size_t best = 0;
    for (std::size_t k = 1; k < N; ++k) best = values[k] > values[best] ? k : best;
    return best;
}

/// Index of the largest of `values[0..count)` (the first one on ties). Precondition: count >= 1.
template <class T>
constexpr std::size_t argmax(const T* values, std::size_t count)
{
    MICROPROP_CHECK(count >= 1, "argmax of no values");
    std::size_t best = 0;
    for (std::size_t k = 1; k < count; ++k) best = values[k] > values[best] ? k : best;
    return best;
}

/// Counts of (actual class, predicted class) pairs: `count(actual, predicted)`.
/// Holds `Classes * Classes * 4` bytes.
template <std::size_t Classes>
class confusion_matrix {
public:
    static_assert(Classes >= 2, "A confusion matrix needs at least two classes.");

    /// Adds one sample. Precondition: both classes < Classes (others are ignored).
    constexpr void add(std::size_t actual, std::size_t predicted)
    {
        MICROPROP_CHECK(actual < Classes && predicted < Classes, "class out of range");
        if (actual < Classes && predicted < Classes) ++counts_[actual * Classes + predicted];
    }
    /// Samples of class `actual` predicted as `predicted`.
    constexpr std::uint32_t count(std::size_t actual, std::size_t predicted) const
    {
        return counts_[actual * Classes + predicted];
    }
    /// All samples added.
    constexpr std::uint32_t total() const
    {
        std::uint32_t t = 0;
        for (std::uint32_t c : counts_) t += c;
        return t;
    }
    /// Samples on the diagonal (predicted right).
    constexpr std::uint32_t correct() const
    {
        std::uint32_t t = 0;
        for (std::size_t k = 0; k < Classes; ++k) t += count(k, k);
        return t;
    }
    /// correct() / total(); 0 when empty.
    constexpr double accuracy() const { return ratio(correct(), total()); }
    /// Of the samples of class k, the fraction predicted as k (0 when there are none).
    constexpr double recall(std::size_t k) const
    {
        std::uint32_t row = 0;
        for (std::size_t p = 0; p < Classes; ++p) row += count(k, p);
        return ratio(count(k, k), row);
    }
    /// Of the samples predicted as k, the fraction that are k (0 when there are none).
    constexpr double precision(std::size_t k) const
    {
        std::uint32_t column = 0;
        for (std::size_t a = 0; a < Classes; ++a) column += count(a, k);
        return ratio(count(k, k), column);
    }
    /// Sets every count to 0.
    constexpr void clear()
    {
        for (std::uint32_t& c : counts_) c = 0;
    }

private:
    static constexpr double ratio(std::uint32_t a, std::uint32_t b)
    {
        return b == 0 ? 0.0 : static_cast<double>(a) / static_cast<double>(b);
    }
    std::array<std::uint32_t, Classes * Classes> counts_{};
};

/// Accuracy, mean loss and confusion matrix of one pass over a data set.
template <class T, std::size_t Classes>
struct evaluation {
    std::size_t samples = 0;  ///< samples evaluated
    std::size_t correct = 0;  ///< samples whose argmax output equals their label (labels only)
    T mean_loss = T(0);       ///< mean of Loss over the samples (NaN/Inf if any sample's loss is)
    confusion_matrix<Classes> confusion{};  ///< (label, prediction) counts (labels only)

    /// correct / samples (0 for an empty set).
    double accuracy() const
    {
        return samples == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(samples);
    }
};

namespace detail {

template <class Network, class View>
constexpr bool view_fits_network()
{
    static_assert(dataset_width_must_match<Network::input_size, View::feature_count>::value, "");
    static_assert(dataset_width_must_match<Network::output_size, View::output_count>::value, "");
    return true;
}

/// One forward pass per sample; returns the sum of Loss and calls
/// `on_prediction(label, argmax(output))` for every sample of a view with labels.
template <class Loss, class Network, class View, class OnPrediction>
typename Network::scalar loss_sum(Network& net, const View& data, OnPrediction&& on_prediction)
{
    static_assert(view_fits_network<Network, View>(), "");
    using T = typename Network::scalar;
    std::array<T, Network::input_size> x{};
    std::array<T, Network::output_size> d{};
    T sum = T(0);
    for (std::size_t k = 0; k < data.size(); ++k) {
        data.load(k, x);
        data.target(k, d);
        const span<const T> y = net.forward(x);
        sum += Loss::value(y.data(), d.data(), Network::output_size);
        if (data.has_labels()) on_prediction(data.label(k), argmax(y));
    }
    return sum;
}

}  // namespace detail

/// One forward pass of `net` per sample of `data`: mean loss (the loss of the training,
/// e.g. `cross_entropy`) and, for a view with labels, accuracy and the confusion matrix of
/// argmax(output) against the label. Changes only the network's activations.
/// Stack: one sample and its target, `(inputs + outputs) * sizeof(T)` bytes; the result
/// holds `outputs^2 * 4` bytes of counts (for regression use mean_loss()).
template <class Loss, class Network, class View>
evaluation<typename Network::scalar, Network::output_size> evaluate(Network& net, const View& data)
{
    using T = typename Network::scalar;
    evaluation<T, Network::output_size> result;
    const T sum = detail::loss_sum<Loss>(net, data, [&result](std::size_t label, std::size_t predicted) {
        result.confusion.add(label, predicted);
        result.correct += predicted == label ? 1u : 0u;
    });
    result.samples = data.size();
    if (result.samples > 0) result.mean_loss = sum / static_cast<T>(result.samples);
    return result;
}

/// Fraction of `data`'s samples whose argmax output equals their label (0 for an empty
/// view). Precondition: a view with labels. Changes only the network's activations;
/// stack: one sample, `inputs * sizeof(T)` bytes.
template <class Network, class View>
double accuracy(Network& net, const View& data)
{
    static_assert(detail::view_fits_network<Network, View>(), "");
    using T = typename Network::scalar;
    std::array<T, Network::input_size> x{};
    std::size_t correct = 0;
    for (std::size_t k = 0; k < data.size(); ++k) {
        data.load(k, x);
        correct += argmax(net.forward(x)) == data.label(k) ? 1u : 0u;
    }
    return data.size() == 0 ? 0.0 : static_cast<double>(correct) / static_cast<double>(data.size());
}

/// Mean of Loss over `data` (0 for an empty view; NaN/Inf if any sample's loss is).
/// Changes only the network's activations; stack: `(inputs + outputs) * sizeof(T)` bytes.
template <class Loss, class Network, class View>
typename Network::scalar mean_loss(Network& net, const View& data)
{
    using T = typename Network::scalar;
    const T sum = detail::loss_sum<Loss>(net, data, [](std::size_t, std::size_t) {});
    return data.size() == 0 ? T(0) : sum / static_cast<T>(data.size());
}

}  // namespace microprop

#endif
