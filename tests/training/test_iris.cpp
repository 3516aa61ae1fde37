// Iris, 4-16-3 (ReLU, softmax, cross-entropy), trained per sample from the
// flash-resident data set reaches >= 90% test accuracy on the fixed stratified
// 80/20 split of examples/data/iris_data.hpp (30 test samples: >= 27 right).
#include <microprop/microprop.hpp>

#include "iris_data.hpp"
#include "microtest.hpp"

namespace mp = microprop;
namespace data = microprop_data::iris;

namespace {

using iris_net = mp::network<float, mp::dense<4, 16>, mp::relu, mp::dense<16, 3>, mp::softmax>;
iris_net net;

void load(std::size_t i, float* x, float* d)
{
    for (std::size_t j = 0; j < data::feature_count; ++j) {
        x[j] = (data::features[i][j] - data::feature_mean[j]) / data::feature_std[j];
    }
    for (std::size_t k = 0; k < data::class_count; ++k) d[k] = k == data::labels[i] ? 1.0f : 0.0f;
}

template <std::size_t N>
std::size_t correct_count(const std::uint8_t (&index)[N])
{
    float x[data::feature_count];
    float d[data::class_count];
    std::size_t correct = 0;
    for (std::size_t s = 0; s < N; ++s) {
        load(index[s], x, d);
        correct += mp::argmax(net.forward(x)) == data::labels[index[s]] ? 1u : 0u;
    }
    return correct;
}

/// Trains with `Optimizer` for `epochs` passes over the training split in a
/// seeded shuffled order; the learning rate decays as lr / (1 + decay (epoch - 1)).
template <class Optimizer>
bool train(std::uint32_t seed, Optimizer optimizer, float decay, int epochs)
{
    net.initialize(seed);
    mp::trainer<iris_net, mp::cross_entropy, Optimizer> trainer(net, optimizer);
    mp::random_generator rng(seed);
    std::uint8_t order[data::train_count];
    for (std::size_t k = 0; k < data::train_count; ++k) order[k] = data::train_index[k];
    float x[data::feature_count];
    float d[data::class_count];
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

}  // namespace

TEST(training, iris_split_is_stratified_80_20)
{
    std::size_t train_per_class[3] = {0, 0, 0};
    std::size_t test_per_class[3] = {0, 0, 0};
    bool seen[data::sample_count] = {};
    for (std::size_t i : data::train_index) {
        ++train_per_class[data::labels[i]];
        EXPECT_FALSE(seen[i]);
        seen[i] = true;
    }
    for (std::size_t i : data::test_index) {
        ++test_per_class[data::labels[i]];
        EXPECT_FALSE(seen[i]);
        seen[i] = true;
    }
    for (int c = 0; c < 3; ++c) {
        EXPECT_EQ(train_per_class[c], 40u);
        EXPECT_EQ(test_per_class[c], 10u);
    }
}

TEST(training, iris_sgd_reaches_90_percent_test_accuracy)
{
    ASSERT_TRUE(train(3, mp::sgd{0.05f}, 0.1f, 50));
    const std::size_t test_correct = correct_count(data::test_index);
    const std::size_t train_correct = correct_count(data::train_index);
    console::print("  sgd: train ", train_correct, "/", data::train_count, ", test ", test_correct, "/",
                   data::test_count, "\n");
    EXPECT_GE(test_correct, 27u);   // >= 90% of 30
    EXPECT_GE(train_correct, 108u); // >= 90% of 120
}

TEST(training, iris_momentum_reaches_90_percent_test_accuracy)
{
    ASSERT_TRUE(train(4, mp::momentum{0.01f, 0.9f}, 0.1f, 50));
    const std::size_t test_correct = correct_count(data::test_index);
    const std::size_t train_correct = correct_count(data::train_index);
    console::print("  momentum: train ", train_correct, "/", data::train_count, ", test ", test_correct, "/",
                   data::test_count, "\n");
    EXPECT_GE(test_correct, 27u);
    EXPECT_GE(train_correct, 108u);
}
