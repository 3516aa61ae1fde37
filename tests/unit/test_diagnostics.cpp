// Per-layer gradient norms, and the vanishing gradient of deep sigmoid stacks (DL 4.5).
#include <microprop/microprop.hpp>

#include "microtest.hpp"

namespace mp = microprop;

namespace {
template <class Act>
using deep = mp::network<float, mp::dense<8, 8>, Act, mp::dense<8, 8>, Act, mp::dense<8, 8>, Act,
                         mp::dense<8, 8>, Act, mp::dense<8, 8>, Act, mp::dense<8, 8>, Act,
                         mp::dense<8, 8>, Act, mp::dense<8, 1>>;

/// Ratio of the first layer's gradient RMS to the last hidden layer's, summed over seeds
/// (a single ReLU net can have a dead layer, so single ratios may be 0/0).
template <class Act>
float first_to_last_ratio()
{
    using net_t = deep<Act>;
    float first_sum = 0.0f;
    float last_sum = 0.0f;
    const int seeds = 8;
    for (int seed = 1; seed <= seeds; ++seed) {
        net_t net(static_cast<std::uint32_t>(seed));
        mp::random_generator rng(static_cast<std::uint32_t>(100 + seed));
        float x[8];
        for (float& v : x) v = rng.uniform<float>(-1.0f, 1.0f);
        const float d[1] = {1.0f};
        float scratch[net_t::parameter_count];
        std::array<mp::layer_gradient_stats<float>, net_t::layer_count> stats;
        if (mp::layer_gradient_norms<mp::squared_error>(net, x, d, mp::span<float>(scratch), stats) !=
            mp::status::ok) {
            return -1.0f;
        }
        first_sum += stats[0].weight_rms;
        last_sum += stats[net_t::layer_count - 2].weight_rms;
    }
    return first_sum / last_sum;
}
}  // namespace

TEST(diagnostics, norms_match_the_gradient)
{
    using net_t = mp::network<double, mp::dense<2, 3>, mp::tanh, mp::dense<3, 1>>;
    net_t net(5);
    const double x[2] = {0.5, -1.0};
    const double d[1] = {0.25};
    double gradient[net_t::parameter_count];
    mp::trainer<net_t, mp::squared_error> trainer(net);
    ASSERT_EQ(trainer.compute_gradient(x, d, gradient), mp::status::ok);
    double scratch[net_t::parameter_count];
    std::array<mp::layer_gradient_stats<double>, 2> stats;
    ASSERT_EQ(mp::layer_gradient_norms<mp::squared_error>(net, x, d, mp::span<double>(scratch), stats),
              mp::status::ok);
    // Layer 1: weights are parameters 9..11, bias 12 (parameter order).
    const double w1 = std::sqrt(gradient[9] * gradient[9] + gradient[10] * gradient[10] + gradient[11] * gradient[11]);
    EXPECT_NEAR(stats[1].weight_norm, w1, 1e-15);
    EXPECT_NEAR(stats[1].weight_rms, w1 / std::sqrt(3.0), 1e-15);
    EXPECT_NEAR(stats[1].bias_norm, std::fabs(gradient[12]), 1e-15);
}

TEST(diagnostics, deep_sigmoid_gradients_vanish_but_relu_gradients_do_not)
{
    // Each sigmoid layer scales the delta by f' <= 1/4 (times the weights): after six
    // layers the first layer sees a tiny fraction of the last one's gradient. He-initialised
    // ReLU layers keep the delta's size, so the ratio stays of order one.
    const float sigmoid_ratio = first_to_last_ratio<mp::sigmoid>();
    const float relu_ratio = first_to_last_ratio<mp::relu>();
    console::print("  first/last hidden layer gradient RMS: sigmoid ", console::sci{sigmoid_ratio, 3},
                   ", relu ", console::sci{relu_ratio, 3}, "\n");
    EXPECT_GT(sigmoid_ratio, 0.0f);
    EXPECT_LT(sigmoid_ratio, 0.01f);
    EXPECT_GT(relu_ratio, 0.1f);
}
