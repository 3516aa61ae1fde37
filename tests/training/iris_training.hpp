// The iris training protocol shared by test_iris.cpp (float) and
// test_fixed_training.cpp (q3_12 against float): standardised features, one-hot
// targets, the fixed stratified 80/20 split of examples/data/iris_data.hpp, and
// per-sample training in a seeded shuffled order with a decaying learning rate.
#ifndef MICROPROP_TESTS_IRIS_TRAINING_HPP
#define MICROPROP_TESTS_IRIS_TRAINING_HPP

#include <microprop/microprop.hpp>

#include <cstddef>
#include <cstdint>

#include "iris_data.hpp"

namespace iris_training {

namespace mp = microprop;
namespace data = microprop_data::iris;

/// Sample i's standardised features into x and one-hot target into d, as T.
template <class T>
void load(std::size_t i, T* x, T* d)
{
    for (std::size_t j = 0; j < data::feature_count; ++j) {
        x[j] = static_cast<T>((data::features[i][j] - data::feature_mean[j]) / data::feature_std[j]);
    }
    for (std::size_t k = 0; k < data::class_count; ++k) d[k] = static_cast<T>(k == data::labels[i] ? 1.0f : 0.0f);
}

/// How many of the samples listed in `index` the network classifies right.
template <class Net, std::size_t N>
std::size_t correct_count(Net& net, const std::uint8_t (&index)[N])
{
    using T = typename Net::scalar;
    T x[data::feature_count];
    T d[data::class_count];
    std::size_t correct = 0;
    for (std::size_t s = 0; s < N; ++s) {
        load(index[s], x, d);
        correct += mp::argmax(net.forward(x)) == data::labels[index[s]] ? 1u : 0u;
    }
    return correct;
}

/// Initialises net from `seed` and trains it with cross-entropy and `Optimizer` for `epochs`
/// passes over the training split in a seeded shuffled order; the learning rate decays as
/// lr / (1 + decay (epoch - 1)). False when a step fails.
template <class Net, class Optimizer>
bool train(Net& net, std::uint32_t seed, Optimizer optimizer, float decay, int epochs)
{
    using T = typename Net::scalar;
    net.initialize(seed);
    mp::trainer<Net, mp::cross_entropy, Optimizer> trainer(net, optimizer);
    mp::random_generator rng(seed);
    std::uint8_t order[data::train_count];
    for (std::size_t k = 0; k < data::train_count; ++k) order[k] = data::train_index[k];
    T x[data::feature_count];
    T d[data::class_count];
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        trainer.optimizer().learning_rate = optimizer.learning_rate / (1.0f + decay * static_cast<float>(epoch - 1));
        mp::shuffle(order, static_cast<std::uint32_t>(data::train_count), rng);
        for (std::size_t k = 0; k < data::train_count; ++k) {
            load(order[k], x, d);
            if (trainer.train_sample(x, d) != mp::status::ok) return false;
        }
    }
    return true;
}

/// train() with minibatches of BatchSize samples (trainer<..., BatchSize>::train_batch): the
/// last batch of an epoch holds the train_count % BatchSize samples left, if any
/// (train_batch(xs, ds, count)). False when a step fails.
template <std::size_t BatchSize, class Net, class Optimizer>
bool train_batched(Net& net, std::uint32_t seed, Optimizer optimizer, float decay, int epochs)
{
    using T = typename Net::scalar;
    net.initialize(seed);
    mp::trainer<Net, mp::cross_entropy, Optimizer, BatchSize> trainer(net, optimizer);
    mp::random_generator rng(seed);
    std::uint8_t order[data::train_count];
    for (std::size_t k = 0; k < data::train_count; ++k) order[k] = data::train_index[k];
    static T xs[BatchSize][data::feature_count];
    static T ds[BatchSize][data::class_count];
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        trainer.optimizer().learning_rate = optimizer.learning_rate / (1.0f + decay * static_cast<float>(epoch - 1));
        mp::shuffle(order, static_cast<std::uint32_t>(data::train_count), rng);
        for (std::size_t first = 0; first < data::train_count; first += BatchSize) {
            const std::size_t count = data::train_count - first < BatchSize ? data::train_count - first : BatchSize;
            for (std::size_t s = 0; s < count; ++s) load(order[first + s], xs[s], ds[s]);
            if (trainer.train_batch_unchecked(&xs[0][0], &ds[0][0], count) != mp::status::ok) return false;
        }
    }
    return true;
}

}  // namespace iris_training

#endif
