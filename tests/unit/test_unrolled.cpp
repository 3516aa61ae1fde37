// engine_unrolled.hpp (tiny float networks at compile-time sizes) against the size-erased
// engine that every other network uses: the same steps from the same weights must give the same
// weights, outputs and losses, with and without weight decay and gradient clipping.
#include <cmath>
#include <limits>

#include <microprop/microprop.hpp>

#include "microtest.hpp"

namespace mp = microprop;

namespace {

using sigmoid_net = mp::network<float, mp::dense<2, 8>, mp::sigmoid, mp::dense<8, 1>, mp::sigmoid>;
using tanh_softmax_net = mp::network<float, mp::dense<3, 5>, mp::tanh, mp::dense<5, 2>, mp::softmax>;
using relu_identity_net = mp::network<float, mp::dense<4, 6>, mp::relu, mp::dense<6, 3>>;
using three_layer_net =
    mp::network<float, mp::dense<2, 4>, mp::leaky_relu, mp::dense<4, 3>, mp::sigmoid, mp::dense<3, 2>, mp::softmax>;
using too_large_net = mp::network<float, mp::dense<8, 7>, mp::relu, mp::dense<7, 1>>;  // 71 parameters

static_assert(mp::engine::unrolled::applies<sigmoid_net> && mp::engine::unrolled::applies<tanh_softmax_net> &&
                  mp::engine::unrolled::applies<relu_identity_net> && mp::engine::unrolled::applies<three_layer_net>,
              "The test networks must take the unrolled path.");
static_assert(!mp::engine::unrolled::applies<too_large_net>, "71 parameters are above the default limit of 64.");
static_assert(!mp::engine::unrolled::applies<mp::network<double, mp::dense<2, 2>, mp::dense<2, 1>>>,
              "Only float networks take the unrolled path.");

/// One fused SGD step through the size-erased engine (engine.hpp), as trainer::train_sample
/// took it before the unrolled path existed. Returns the loss, or NaN when clipping refused.
template <class Net, class Loss>
float engine_step(Net& net, const float* x, const float* d, float lr, float decay, float clip)
{
    const mp::model_ref<float> m = net.view();
    mp::engine::forward<float, false>(m, x);
    constexpr mp::layer_info last = Net::layers[Net::layer_count - 1];
    float delta[2 * Net::max_width] = {};
    const float loss = mp::value_and_output_delta<Loss>(last.activation, last.activation_parameter,
                                                        m.activations + last.output_offset, d, delta,
                                                        Net::output_size);
    if (clip == 0.0f) {
        mp::engine::backward_sgd<float, false>(m, x, delta, delta + Net::max_width, lr, decay);
    } else if (!mp::engine::backward_sgd_clipped<float, false>(m, x, delta, delta + Net::max_width, lr, decay,
                                                                clip)) {
        return std::numeric_limits<float>::quiet_NaN();
    }
    return loss;
}

/// Inputs in [-1, 1] and targets (one-hot for softmax outputs, values in [0, 1] otherwise)
/// from a fixed generator.
template <class Net>
void sample(mp::random_generator& rng, float* x, float* d)
{
    for (std::size_t i = 0; i < Net::input_size; ++i) x[i] = rng.uniform(-1.0f, 1.0f);
    if constexpr (Net::output_activation == mp::activation_kind::softmax) {
        const std::size_t hot = static_cast<std::size_t>(rng.uniform<float>() * static_cast<float>(Net::output_size)) %
                                Net::output_size;
        for (std::size_t k = 0; k < Net::output_size; ++k) d[k] = k == hot ? 1.0f : 0.0f;
    } else {
        for (std::size_t k = 0; k < Net::output_size; ++k) d[k] = rng.uniform<float>();
    }
}

/// 40 steps through trainer::train_sample (unrolled) and through engine_step (size-erased) from
/// the same initial weights: every parameter and loss agrees to `tolerance` (the two sum in
/// different orders, and weight decay rounds once more in the unrolled path).
template <class Net, class Loss>
void compare(float lr, float decay, float clip, float tolerance)
{
    Net unrolled(7);
    Net erased(7);
    mp::trainer<Net, Loss> tr(unrolled, mp::sgd{lr, decay});
    tr.optimizer().gradient_clip = clip;
    mp::random_generator rng(11);
    float x[Net::input_size];
    float d[Net::output_size];
    for (int step = 0; step < 40; ++step) {
        sample<Net>(rng, x, d);
        ASSERT_EQ(tr.train_sample(x, d), mp::status::ok);
        const float loss = engine_step<Net, Loss>(erased, x, d, lr, decay, clip);
        ASSERT_NEAR(tr.last_loss(), loss, tolerance);
    }
    const auto a = unrolled.parameters();
    const auto b = erased.parameters();
    for (std::size_t k = 0; k < Net::parameter_count; ++k) ASSERT_NEAR(a[k], b[k], tolerance);
    // The forward pass alone (network::forward) agrees too.
    sample<Net>(rng, x, d);
    const auto y = unrolled.forward(x);
    mp::engine::forward<float, false>(erased.view(), x);
    const auto y_erased = erased.output();
    for (std::size_t k = 0; k < Net::output_size; ++k) EXPECT_NEAR(y[k], y_erased[k], tolerance);
}

}  // namespace

TEST(unrolled, plain_sgd_matches_the_size_erased_engine)
{
    compare<sigmoid_net, mp::squared_error>(0.5f, 0.0f, 0.0f, 1e-5f);
    compare<tanh_softmax_net, mp::cross_entropy>(0.2f, 0.0f, 0.0f, 1e-5f);
    compare<relu_identity_net, mp::squared_error>(0.05f, 0.0f, 0.0f, 1e-5f);
    compare<three_layer_net, mp::cross_entropy>(0.2f, 0.0f, 0.0f, 1e-5f);
}

TEST(unrolled, weight_decay_matches_the_size_erased_engine)
{
    compare<sigmoid_net, mp::squared_error>(0.5f, 0.1f, 0.0f, 1e-5f);
    compare<three_layer_net, mp::cross_entropy>(0.2f, 0.05f, 0.0f, 1e-5f);
}

TEST(unrolled, gradient_clipping_matches_the_size_erased_engine)
{
    // Thresholds small enough that most steps of every layer are clipped.
    compare<sigmoid_net, mp::squared_error>(0.5f, 0.0f, 0.01f, 1e-5f);
    compare<relu_identity_net, mp::squared_error>(0.05f, 0.0f, 0.02f, 1e-5f);
    compare<three_layer_net, mp::cross_entropy>(0.2f, 0.01f, 0.05f, 1e-5f);
}

TEST(unrolled, bad_sample_changes_nothing)
{
    sigmoid_net net(3);
    mp::trainer<sigmoid_net, mp::squared_error> tr(net, mp::sgd{0.5f});
    float before[sigmoid_net::parameter_count];
    for (std::size_t k = 0; k < sigmoid_net::parameter_count; ++k) before[k] = net.parameters()[k];
    const float x[2] = {std::numeric_limits<float>::quiet_NaN(), 0.0f};
    const float d[1] = {1.0f};
    EXPECT_EQ(tr.train_sample(x, d), mp::status::non_finite_input);
    for (std::size_t k = 0; k < sigmoid_net::parameter_count; ++k) ASSERT_EQ(net.parameters()[k], before[k]);
}

// engine::unrolled::sigmoid (what the unrolled layers use on Arm) against 1 / (1 + e^-x) in
// double: within 2 ulp where the result is normal, within 6.06e-39 for x <= -88 (flushed
// to 0; e^-88 = 6.055e-39), a subnormal rounded once above that; NaN stays NaN; the edges of its two cut-offs (-88 and 86) included.
TEST(unrolled, sigmoid_matches_double_reference)
{
    const float points[] = {-1e30f, -200.0f, -103.0f, -88.73f, -88.01f, -88.0f, -87.99f, -87.0f, -60.0f, -20.0f,
                            -3.5f,   -1.0f,   -1e-8f,   0.0f,    1e-8f,   0.75f,  5.0f,    16.0f,  85.99f, 86.0f,
                            86.01f,  90.0f,   1e30f};
    for (const float x : points) {
        const double exact = 1.0 / (1.0 + std::exp(-static_cast<double>(x)));
        const float got = mp::engine::unrolled::sigmoid(x);
        if (exact >= static_cast<double>(std::numeric_limits<float>::min())) {
            EXPECT_NEAR(static_cast<double>(got), exact, 2.0 * exact * std::numeric_limits<float>::epsilon());
        } else if (x <= -88.0f) {
            EXPECT_NEAR(static_cast<double>(got), exact, 6.06e-39);  // flushed: e^-88 = 6.055e-39
        } else {
            // A subnormal result: one rounding at the subnormal spacing 2^-149 (1.4e-45).
            EXPECT_NEAR(static_cast<double>(got), exact, 3e-45 + 2.0 * exact * std::numeric_limits<float>::epsilon());
        }
    }
    EXPECT_EQ(mp::engine::unrolled::sigmoid(std::numeric_limits<float>::infinity()), 1.0f);
    EXPECT_EQ(mp::engine::unrolled::sigmoid(-std::numeric_limits<float>::infinity()), 0.0f);
    const float nan = mp::engine::unrolled::sigmoid(std::numeric_limits<float>::quiet_NaN());
    EXPECT_TRUE(nan != nan);
}
