// Reading the iris samples (examples/data/iris_data.hpp) for the examples that
// train on them: standardised features, one-hot targets, accuracy on a split.
#ifndef MICROPROP_EXAMPLES_IRIS_SAMPLES_HPP
#define MICROPROP_EXAMPLES_IRIS_SAMPLES_HPP

#include <cstddef>
#include <cstdint>

#include <microprop/microprop.hpp>

#include "../data/iris_data.hpp"

namespace example {

/// Features of iris sample i, standardised with the training split's mean and
/// standard deviation, into x[4]; its one-hot target into d[3].
inline void load_iris_sample(std::size_t i, float* x, float* d)
{
    namespace data = microprop_data::iris;
    for (std::size_t j = 0; j < data::feature_count; ++j) {
        x[j] = (data::features[i][j] - data::feature_mean[j]) / data::feature_std[j];
    }
    for (std::size_t k = 0; k < data::class_count; ++k) d[k] = (k == data::labels[i]) ? 1.0f : 0.0f;
}

/// Fraction of the listed iris samples that `net` classifies correctly.
template <class Network, std::size_t N>
float iris_accuracy(Network& net, const std::uint8_t (&index)[N])
{
    namespace data = microprop_data::iris;
    float x[data::feature_count];
    float d[data::class_count];
    std::size_t correct = 0;
    for (std::size_t s = 0; s < N; ++s) {
        load_iris_sample(index[s], x, d);
        correct += microprop::argmax(net.forward(x)) == data::labels[index[s]] ? 1u : 0u;
    }
    return static_cast<float>(correct) / static_cast<float>(N);
}

}  // namespace example

#endif
