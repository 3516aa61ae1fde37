// evaluation.hpp against hand-counted references: a 2-3 network whose weights make its output
// a known function of the input, on six samples whose predictions are worked out here.
#include <microprop/microprop.hpp>

#include <cmath>

#include "microtest.hpp"

namespace {

namespace mp = microprop;

// Output = x_1 e_0 + x_2 e_1 + x_3 e_2 through an identity-like dense<3, 3> (no activation):
// the prediction is the index of the largest feature.
using net_t = mp::network<float, mp::dense<3, 3>>;

net_t identity_net()
{
    net_t net;
    for (std::size_t r = 0; r < 3; ++r) {
        for (std::size_t c = 0; c < 3; ++c) net.weights(0)(r, c) = r == c ? 1.0f : 0.0f;
    }
    return net;
}

// Labels and the prediction (argmax of the features) of each sample:
//   sample  label  predicted
//     0       0       0
//     1       0       1
//     2       1       1
//     3       2       1
//     4       2       2
//     5       1       0
constexpr float features[6][3] = {{0.9f, 0.1f, 0.0f}, {0.2f, 0.7f, 0.1f}, {0.1f, 0.8f, 0.1f},
                                  {0.3f, 0.4f, 0.3f}, {0.0f, 0.0f, 1.0f}, {0.6f, 0.3f, 0.1f}};
constexpr std::uint8_t labels[6] = {0, 0, 1, 2, 2, 1};

TEST(evaluation, argmax_of_arrays_and_pointers)
{
    const std::array<float, 4> a{0.1f, 0.7f, 0.7f, -1.0f};
    EXPECT_EQ(mp::argmax(a), 1u);  // the first of two equal values
    const std::array<double, 1> one{3.0};
    EXPECT_EQ(mp::argmax(one), 0u);
    const float p[3] = {-3.0f, -1.0f, -2.0f};
    EXPECT_EQ(mp::argmax(p, 3), 1u);
}

TEST(evaluation, confusion_matrix_counted_by_hand)
{
    net_t net = identity_net();
    const auto view = mp::classification_view<float, 3>(features, labels);
    const auto result = mp::evaluate<mp::squared_error>(net, view);
    // Rows: actual class; columns: predicted class (from the table above).
    constexpr std::uint32_t expected[3][3] = {{1, 1, 0}, {1, 1, 0}, {0, 1, 1}};
    for (std::size_t a = 0; a < 3; ++a) {
        for (std::size_t p = 0; p < 3; ++p) EXPECT_EQ(result.confusion.count(a, p), expected[a][p]);
    }
    EXPECT_EQ(result.samples, 6u);
    EXPECT_EQ(result.correct, 3u);
    EXPECT_NEAR(result.accuracy(), 0.5, 1e-15);
    EXPECT_EQ(result.confusion.total(), 6u);
    EXPECT_NEAR(result.confusion.recall(2), 0.5, 1e-15);     // 1 of class 2's two samples
    EXPECT_NEAR(result.confusion.precision(1), 1.0 / 3.0, 1e-15);  // 1 of the 3 predicted 1
    EXPECT_NEAR(result.confusion.precision(2), 1.0, 1e-15);
    EXPECT_NEAR(mp::accuracy(net, view), 0.5, 1e-15);

    // Squared error 1/2 |y - d|^2 with y = x, summed by hand per sample:
    //   0: (0.1^2 + 0.1^2)/2 = 0.01      1: (0.8^2 + 0.7^2 + 0.1^2)/2 = 0.57
    //   2: (0.1^2 + 0.2^2 + 0.1^2)/2 = 0.03      3: (0.3^2 + 0.4^2 + 0.7^2)/2 = 0.37
    //   4: 0      5: (0.6^2 + 0.7^2 + 0.1^2)/2 = 0.43      mean = 1.41 / 6
    EXPECT_NEAR(result.mean_loss, 1.41f / 6.0f, 1e-6f);
    EXPECT_NEAR(mp::mean_loss<mp::squared_error>(net, view), 1.41f / 6.0f, 1e-6f);

    // A subset: samples 4 and 1 only.
    static constexpr std::uint8_t pick[2] = {4, 1};
    const auto two = mp::evaluate<mp::squared_error>(net, view.subset(pick));
    EXPECT_EQ(two.correct, 1u);
    EXPECT_EQ(two.confusion.count(0, 1), 1u);
    EXPECT_EQ(two.confusion.count(2, 2), 1u);
    EXPECT_NEAR(two.mean_loss, 0.57f / 2.0f, 1e-6f);
}

TEST(evaluation, empty_views_and_cleared_matrices)
{
    net_t net = identity_net();
    static constexpr std::uint8_t none[1] = {0};
    const auto empty = mp::classification_view<float, 3>(features, labels).subset(mp::index_list(none, 0));
    const auto result = mp::evaluate<mp::squared_error>(net, empty);
    EXPECT_EQ(result.samples, 0u);
    EXPECT_EQ(result.accuracy(), 0.0);
    EXPECT_EQ(result.mean_loss, 0.0f);
    mp::confusion_matrix<2> m;
    m.add(1, 0);
    EXPECT_EQ(m.total(), 1u);
    EXPECT_EQ(m.recall(0), 0.0);  // no samples of class 0
    m.clear();
    EXPECT_EQ(m.total(), 0u);
}

}  // namespace
