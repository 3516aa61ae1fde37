// Headers written by examples/tools/csv_to_header.py from examples/data/iris.csv (at build time,
// tests/tools/CMakeLists.txt), checked against the committed examples/data/iris_data.hpp (made
// by tests/data/generate_datasets.py from the same file) and used through data.hpp:
//   float + statistics, seed 20260521: features, labels, mean, std and split equal the committed ones
//   8-bit codes, seed 7, 30% test: every decoded value within half a code step of the float value,
//                                 a stratified 35/15 split per class, statistics equal to
//                                 feature_statistics::compute on the device, and a 4-16-3 network
//                                 trained on it reaches >= 0.9 test accuracy
//   regression, min-max, no test split: targets are the labels, features in [0, 1]
#include <microprop/microprop.hpp>

#include <cmath>

#include "iris_data.hpp"
#include "iris_float.hpp"
#include "iris_regression.hpp"
#include "iris_u8.hpp"
#include "microtest.hpp"

namespace {

namespace mp = microprop;
namespace ref = microprop_data::iris;

TEST(csv_to_header, float_header_equals_the_committed_one)
{
    namespace gen = generated::iris_float;
    static_assert(gen::sample_count == ref::sample_count && gen::feature_count == ref::feature_count, "");
    static_assert(gen::class_count == ref::class_count && gen::train_count == ref::train_count, "");
    for (std::size_t i = 0; i < ref::sample_count; ++i) {
        for (std::size_t j = 0; j < ref::feature_count; ++j) EXPECT_EQ(gen::features[i][j], ref::features[i][j]);
        EXPECT_EQ(gen::labels[i], ref::labels[i]);
    }
    for (std::size_t j = 0; j < ref::feature_count; ++j) {
        EXPECT_EQ(gen::feature_mean[j], ref::feature_mean[j]);
        EXPECT_EQ(gen::feature_std[j], ref::feature_std[j]);
    }
    for (std::size_t k = 0; k < ref::train_count; ++k) EXPECT_EQ(gen::train_index[k], ref::train_index[k]);
    for (std::size_t k = 0; k < ref::test_count; ++k) EXPECT_EQ(gen::test_index[k], ref::test_index[k]);
}

TEST(csv_to_header, eight_bit_header_decodes_within_half_a_step)
{
    namespace gen = generated::iris_u8;
    const auto view = mp::classification_view<float, gen::class_count>(gen::features, gen::labels)
                          .with_coding(gen::feature_scale, gen::feature_offset);
    float x[4];
    for (std::size_t i = 0; i < gen::sample_count; ++i) {
        view.load(i, x);
        for (std::size_t j = 0; j < 4; ++j) {
            EXPECT_NEAR(x[j], ref::features[i][j], 0.5f * gen::feature_scale[j] + 1e-5f);
        }
        EXPECT_EQ(view.label(i), ref::labels[i]);
    }
    // Stratified: 15 of each class's 50 samples held out (round(0.3 * 50)).
    static_assert(gen::test_count == 45 && gen::train_count == 105, "");
    std::size_t per_class[3] = {};
    bool seen[150] = {};
    for (std::size_t k = 0; k < gen::test_count; ++k) {
        ++per_class[gen::labels[gen::test_index[k]]];
        seen[gen::test_index[k]] = true;
    }
    for (std::size_t k = 0; k < gen::train_count; ++k) {
        EXPECT_FALSE(seen[gen::train_index[k]]);
        seen[gen::train_index[k]] = true;
    }
    for (std::size_t c = 0; c < 3; ++c) EXPECT_EQ(per_class[c], 15u);

    // The host's statistics are the device's (of the decoded training samples).
    mp::feature_statistics<float, 4> device;
    ASSERT_EQ(device.compute(view.subset(gen::train_index)), mp::status::ok);
    for (std::size_t j = 0; j < 4; ++j) {
        EXPECT_NEAR(device.mean[j], gen::feature_mean[j], 1e-5f * (1.0f + std::fabs(gen::feature_mean[j])));
        EXPECT_NEAR(device.std_dev[j], gen::feature_std[j], 1e-4f * gen::feature_std[j]);
    }
}

TEST(csv_to_header, a_network_learns_from_the_eight_bit_header)
{
    namespace gen = generated::iris_u8;
    static constexpr auto stats = mp::feature_statistics<float, 4>::from(gen::feature_mean, gen::feature_std);
    const auto all = mp::classification_view<float, gen::class_count>(gen::features, gen::labels)
                         .with_coding(gen::feature_scale, gen::feature_offset)
                         .standardized(&stats);
    using net_t = mp::network<float, mp::dense<4, 16>, mp::relu, mp::dense<16, 3>, mp::softmax>;
    net_t net(3);
    mp::trainer<net_t, mp::cross_entropy, mp::sgd, 8> tr(net, mp::sgd{0.1f});  // 105 = 13 * 8 + 1
    mp::epoch_order order(gen::train_count);
    mp::random_generator rng(3);
    const auto train = all.subset(gen::train_index);
    for (int epoch = 0; epoch < 60; ++epoch) {
        order.reshuffle(rng);
        const auto summary = mp::train_epoch(tr, train, order);
        ASSERT_EQ(summary.result, mp::status::ok);
        ASSERT_EQ(summary.steps, 14u);
    }
    const auto result = mp::evaluate<mp::cross_entropy>(net, all.subset(gen::test_index));
    console::print("  8-bit iris, minibatches of 8: test accuracy ", console::fixed{result.accuracy(), 4}, "\n");
    EXPECT_GE(result.accuracy(), 0.9);
}

TEST(csv_to_header, regression_header)
{
    namespace gen = generated::iris_regression;
    static_assert(gen::output_count == 1 && gen::test_count == 0 && gen::train_count == 150, "");
    const auto view = mp::regression_view(gen::features, gen::targets);
    float x[4];
    float d[1];
    for (std::size_t i = 0; i < gen::sample_count; ++i) {
        view.load(i, x);
        view.target(i, d);
        EXPECT_EQ(d[0], static_cast<float>(ref::labels[i]));
        for (float v : x) {
            EXPECT_GE(v, 0.0f);
            EXPECT_LE(v, 1.0f);
        }
    }
}

}  // namespace
