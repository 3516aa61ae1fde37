// check_gradient in float, where the device runs it (issue 17, point 4): on random networks
// with every hidden activation, every output/loss pair and tied layers, over many seeds and
// weight scales (losses up to ~10), backprop's correct float gradient must report a relative
// error below 1e-2, and the same gradient with one entry made wrong must be flagged (above
// 1e-2) at that entry. Backprop's float gradients themselves are checked against the test's
// own double central differences in test_gradient_check.cpp.
#include <microprop/microprop.hpp>

#include "microtest.hpp"
#include "numeric_support.hpp"

namespace {

namespace mp = microprop;
using numtest::absolute;

// Host: 24 seeds per network; on the targets 1, so that the image stays well under a second
// of QEMU time (the M0 has no FPU, and the check runs 4 P + 1 forward passes).
#if defined(__arm__)
constexpr std::uint32_t seeds = 1;
#else
constexpr std::uint32_t seeds = 24;
#endif
// What check_gradient's measure promises for correct gradients, and what flags a wrong one.
constexpr double threshold = 1e-2;

struct summary {
    double worst_correct = 0;      ///< largest measure over correct gradients
    double least_flagged = 1e30;   ///< smallest measure over gradients with a wrong entry
    double largest_loss = 0;
    unsigned checks = 0;
};
summary seen;

enum class target_kind { real, probability, distribution };

template <class Loss>
constexpr target_kind target_for()
{
    if constexpr (std::is_same<Loss, mp::cross_entropy>::value) return target_kind::distribution;
    if constexpr (std::is_same<Loss, mp::binary_cross_entropy>::value) return target_kind::probability;
    return target_kind::real;
}

/// A random input in [-1.5, 1.5) and a target that fits the loss.
void draw_sample(numtest::lcg& rng, float* x, std::size_t inputs, float* d, std::size_t outputs, target_kind kind)
{
    for (std::size_t i = 0; i < inputs; ++i) x[i] = static_cast<float>(1.5 * rng.symmetric());
    double sum = 0;
    for (std::size_t k = 0; k < outputs; ++k) {
        const double r = rng.symmetric();
        d[k] = static_cast<float>(kind == target_kind::real ? r : 0.5 + 0.5 * r);
        sum += static_cast<double>(d[k]);
    }
    if (kind == target_kind::distribution) {
        for (std::size_t k = 0; k < outputs; ++k) d[k] = static_cast<float>(static_cast<double>(d[k]) / sum);
    }
}

/// Judges one measure; prints the case on failure.
void judge(const mp::gradient_check_result<float>& r, bool wrong_entry, std::size_t expected_index, const char* name,
           std::uint32_t seed)
{
    const double measure = static_cast<double>(r.max_relative_error);
    bool ok = r.outcome == mp::status::ok;
    if (wrong_entry) {
        ok = ok && measure > threshold && r.parameter_index == expected_index;
        seen.least_flagged = measure < seen.least_flagged ? measure : seen.least_flagged;
    } else {
        ok = ok && measure < threshold;
        seen.worst_correct = measure > seen.worst_correct ? measure : seen.worst_correct;
    }
    seen.largest_loss = r.loss > seen.largest_loss ? r.loss : seen.largest_loss;
    ++seen.checks;
    EXPECT_TRUE(ok);
    if (!ok) {
        console::print("    ", name, " seed ", seed, wrong_entry ? " (wrong entry " : " (correct", wrong_entry ? "" : ")");
        if (wrong_entry) console::print(expected_index, ")");
        console::print(": measure ", console::sci{measure, 3}, " at ", r.parameter_index, ", analytic ",
                       console::sci{static_cast<double>(r.analytic), 6}, " numeric ",
                       console::sci{static_cast<double>(r.numeric), 6}, " uncertainty ",
                       console::sci{static_cast<double>(r.uncertainty), 3}, " loss ", console::sci{r.loss, 3},
                       "\n");
    }
}

/// One network type over all seeds: weights scaled by 0.5 to 3 (losses up to ~10), the
/// correct gradient, then the same gradient with one entry changed (the largest by 10 %,
/// and on the host also entry 13 seed mod P by 10 % of the largest).
template <class Net, class Loss>
NUMTEST_NOINLINE void check_network(const char* name)
{
    constexpr std::size_t p = Net::parameter_count;
    for (std::uint32_t seed = 1; seed <= seeds; ++seed) {
        Net net;
        numtest::fill_parameters(net, seed * 7919u, 0.5 + 2.5 * static_cast<double>(seed % 4) / 3.0);
        numtest::lcg rng(seed);
        float x[Net::input_size];
        float d[Net::output_size];
        draw_sample(rng, x, Net::input_size, d, Net::output_size, target_for<Loss>());
        float g[p];
        const mp::gradient_check_result<float> correct = mp::check_gradient<Loss>(net, x, d, mp::span<float>(g));
        judge(correct, false, 0, name, seed);

        std::size_t largest = 0;
        for (std::size_t q = 1; q < p; ++q) largest = absolute(g[q]) > absolute(g[largest]) ? q : largest;
        const float saved = g[largest];
        // 10 % of the largest entry, and at least 0.01 (a dead ReLU output can zero them all).
        const float bump = 0.1f * (absolute(saved) > 0.1f ? absolute(saved) : 0.1f);
        g[largest] = saved + (saved < 0.0f ? -bump : bump);
        judge(mp::check_given_gradient<Loss>(net, x, d, mp::span<const float>(g, p)), true, largest, name, seed);
        g[largest] = saved;

#if !defined(__arm__)  // a third check per network would double the M0's time
        const std::size_t chosen = (seed * 13u) % p;
        g[chosen] += bump;
        judge(mp::check_given_gradient<Loss>(net, x, d, mp::span<const float>(g, p)), true, chosen, name, seed);
#endif
    }
}

template <class... Layers>
using net = mp::network<float, Layers...>;

}  // namespace

TEST(float_gradient_check, every_output_and_loss_behind_one_hidden_layer)
{
    check_network<net<mp::dense<3, 5>, mp::tanh, mp::dense<5, 3>>, mp::squared_error>("tanh -> identity/se");
    check_network<net<mp::dense<3, 5>, mp::relu, mp::dense<5, 3>, mp::sigmoid>, mp::squared_error>(
        "relu -> sigmoid/se");
    check_network<net<mp::dense<3, 5>, mp::leaky_relu, mp::dense<5, 3>, mp::tanh>, mp::squared_error>(
        "leaky_relu -> tanh/se");
    check_network<net<mp::dense<3, 5>, mp::sigmoid, mp::dense<5, 3>, mp::relu>, mp::squared_error>(
        "sigmoid -> relu/se");
    check_network<net<mp::dense<3, 5>, mp::identity, mp::dense<5, 3>, mp::leaky_relu>, mp::squared_error>(
        "identity -> leaky_relu/se");
    check_network<net<mp::dense<3, 5>, mp::tanh, mp::dense<5, 3>, mp::softmax>, mp::squared_error>(
        "tanh -> softmax/se");
    check_network<net<mp::dense<3, 5>, mp::relu, mp::dense<5, 4>, mp::softmax>, mp::cross_entropy>(
        "relu -> softmax/ce");
    check_network<net<mp::dense<3, 5>, mp::sigmoid, mp::dense<5, 3>, mp::sigmoid>, mp::binary_cross_entropy>(
        "sigmoid -> sigmoid/bce");
}

TEST(float_gradient_check, every_hidden_activation_in_deeper_networks)
{
    check_network<net<mp::dense<4, 6>, mp::relu, mp::dense<6, 5>, mp::leaky_relu, mp::dense<5, 4>, mp::softmax>,
                  mp::cross_entropy>("relu,leaky_relu -> softmax/ce");
    check_network<net<mp::dense<4, 6>, mp::sigmoid, mp::dense<6, 5>, mp::tanh, mp::dense<5, 2>, mp::sigmoid>,
                  mp::binary_cross_entropy>("sigmoid,tanh -> sigmoid/bce");
    check_network<net<mp::dense<4, 6>, mp::identity, mp::dense<6, 5>, mp::relu, mp::dense<5, 3>>, mp::squared_error>(
        "identity,relu -> identity/se");
}

TEST(float_gradient_check, tied_layers)
{
    check_network<net<mp::dense<4, 3>, mp::tanh, mp::tied<0>, mp::sigmoid>, mp::binary_cross_entropy>(
        "tied autoencoder, bce");
    check_network<net<mp::dense<4, 3>, mp::relu, mp::tied<0>>, mp::squared_error>("tied autoencoder, relu, se");
    check_network<net<mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::sigmoid, mp::tied<1>, mp::tanh, mp::dense<4, 3>,
                      mp::softmax>,
                  mp::cross_entropy>("tie past the first layer, ce");
    console::print("    ", seen.checks, " checks, largest loss ", console::sci{seen.largest_loss, 2},
                   ": correct gradients report at most ", console::sci{seen.worst_correct, 2},
                   ", a wrong entry at least ", console::sci{seen.least_flagged, 2}, " (threshold ",
                   console::sci{threshold, 1}, ")\n");
}
