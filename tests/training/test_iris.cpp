// Iris, 4-16-3 (ReLU, softmax, cross-entropy), trained per sample from the
// flash-resident data set reaches >= 90% test accuracy on the fixed stratified
// 80/20 split of examples/data/iris_data.hpp (30 test samples: >= 27 right).
#include <microprop/microprop.hpp>

#include "iris_data.hpp"
#include "iris_training.hpp"
#include "microtest.hpp"

namespace mp = microprop;
namespace data = microprop_data::iris;

namespace {

using iris_net = mp::network<float, mp::dense<4, 16>, mp::relu, mp::dense<16, 3>, mp::softmax>;
iris_net net;

template <std::size_t N>
std::size_t correct_count(const std::uint8_t (&index)[N])
{
    return iris_training::correct_count(net, index);
}

template <class Optimizer>
bool train(std::uint32_t seed, Optimizer optimizer, float decay, int epochs)
{
    return iris_training::train(net, seed, optimizer, decay, epochs);
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
