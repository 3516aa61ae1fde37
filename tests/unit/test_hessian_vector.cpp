// Hessian-vector products by the R-operator (PRML 5.4.6) and the exact Hessian at any
// depth built from them (hessian_vector.hpp), against three independent references:
// fourth-order central differences of the backprop gradient, the closed form of PRML
// (5.93)-(5.95) for one hidden layer (exact_hessian_two_layer), and numpy's complex-step
// Hessians of three-layer networks (tests/golden/generate_hessian_golden.py).
#include <microprop/microprop.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "../golden/hessian_golden.hpp"
#include "microtest.hpp"
#include "numeric_support.hpp"

namespace mp = microprop;

namespace {
// The central difference of central_difference_hessian (step eps^(1/5) ~ 7e-4) is off by
// O(h^4) ~ 3e-13 plus rounding eps / h ~ 3e-13, times the size of the derivatives (<= 10
// here): 1e-10 is far above that and far below any missing or wrong term (>= 1e-3 here).
constexpr double tolerance = 1e-10;
// Closed form and golden values against the R-operator: two exact computations in double,
// whose rounding differs by a few ulp of the entries (|entries| < 10).
constexpr double exact_tolerance = 1e-13;

// Two P x P matrices shared by every test, sized for the largest network here (P = 18), so
// the image also fits the 16 KB of RAM of the smallest port.
constexpr std::size_t largest_p = 18;
double matrix_a[largest_p * largest_p];
double matrix_b[largest_p * largest_p];

template <class Network>
struct sample {
    double x[Network::input_size];
    double v[Network::parameter_count];
};

/// A network with weights and biases from numtest::fill_parameters, an input and a
/// direction v, all drawn from `seed`.
template <class Network>
void draw(Network& net, sample<Network>& s, std::uint32_t seed)
{
    static_assert(Network::parameter_count <= largest_p, "test network larger than the shared matrices");
    numtest::fill_parameters(net, seed);
    numtest::lcg rng(seed + 50);
    for (double& value : s.x) value = rng.symmetric();
    for (double& value : s.v) value = rng.symmetric();
}

/// Largest |a - b| over n values (NaN when either holds one).
double worst_difference(const double* a, const double* b, std::size_t n)
{
    double worst = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
        const double e = std::fabs(a[k] - b[k]);
        worst = e > worst || e != e ? e : worst;
    }
    return worst;
}

/// H v from hessian_vector_product and the exact Hessian (every row an R-operator
/// product) against the central-difference Hessian: the largest difference of either.
template <class Loss, class Network>
NUMTEST_NOINLINE double r_operator_vs_central_differences(std::uint32_t seed, const double* d)
{
    constexpr std::size_t p = Network::parameter_count;
    Network net;
    sample<Network> s;
    draw(net, s, seed);
    const mp::span<const double> x(s.x, Network::input_size);
    const mp::span<const double> target(d, Network::output_size);
    double* exact = matrix_a;
    double* numeric = matrix_b;
    std::memset(exact, 0, sizeof(double) * p * p);
    std::memset(numeric, 0, sizeof(double) * p * p);
    double scratch[mp::hessian_check_scratch_size<Network>];
    if (mp::exact_hessian<Loss>(net, x, target, mp::span<double>(exact, p * p), mp::span<double>(scratch)) != mp::status::ok ||
        mp::central_difference_hessian<Loss>(net, x, target, mp::span<double>(numeric, p * p), mp::span<double>(scratch)) !=
            mp::status::ok) {
        return 1.0;
    }
    double hv[p] = {};
    if (mp::hessian_vector_product<Loss>(net, x, target, mp::span<const double>(s.v), mp::span<double>(hv),
                                         mp::span<double>(scratch)) != mp::status::ok) {
        return 1.0;
    }
    double numeric_hv[p] = {};
    for (std::size_t r = 0; r < p; ++r) {
        for (std::size_t c = 0; c < p; ++c) numeric_hv[r] += numeric[r * p + c] * s.v[c];
    }
    const double matrix_error = worst_difference(exact, numeric, p * p);
    const double product_error = worst_difference(hv, numeric_hv, p);
    return matrix_error > product_error || matrix_error != matrix_error ? matrix_error : product_error;
}

/// exact_hessian (R-operator) against exact_hessian_two_layer (PRML 5.93-5.95).
template <class Loss, class Network>
NUMTEST_NOINLINE double r_operator_vs_closed_form(std::uint32_t seed, const double* d)
{
    constexpr std::size_t p = Network::parameter_count;
    Network net;
    sample<Network> s;
    draw(net, s, seed);
    double* from_products = matrix_a;
    double* closed_form = matrix_b;
    std::memset(from_products, 0, sizeof(double) * p * p);
    std::memset(closed_form, 0, sizeof(double) * p * p);
    double scratch[mp::exact_hessian_scratch_size<Network>];
    double closed_scratch[mp::exact_hessian_two_layer_scratch_size<Network>];
    if (mp::exact_hessian<Loss>(net, mp::span<const double>(s.x), mp::span<const double>(d, Network::output_size),
                                mp::span<double>(from_products, p * p), mp::span<double>(scratch)) != mp::status::ok ||
        mp::exact_hessian_two_layer_unchecked<Loss>(net, s.x, d, mp::span<double>(closed_form, p * p),
                                          mp::span<double>(closed_scratch)) != mp::status::ok) {
        return 1.0;
    }
    return worst_difference(from_products, closed_form, p * p);
}

// Hidden activations x outputs and losses, one hidden layer.
using identity_hidden = mp::network<double, mp::dense<2, 3>, mp::dense<3, 2>>;
using sigmoid_tanh_out = mp::network<double, mp::dense<2, 3>, mp::sigmoid, mp::dense<3, 2>, mp::tanh>;
using tanh_sigmoid_out = mp::network<double, mp::dense<2, 3>, mp::tanh, mp::dense<3, 2>, mp::sigmoid>;
using relu_leaky_out = mp::network<double, mp::dense<2, 3>, mp::relu, mp::dense<3, 2>, mp::leaky_relu>;
using leaky_relu_out = mp::network<double, mp::dense<2, 3>, mp::leaky_relu, mp::dense<3, 2>, mp::relu>;
using tanh_softmax = mp::network<double, mp::dense<2, 2>, mp::tanh, mp::dense<2, 3>, mp::softmax>;
// A tied autoencoder: the shared matrix's rows and columns hold both uses.
using tied_autoencoder = mp::network<double, mp::dense<3, 2>, mp::sigmoid, mp::tied<0>>;

const double d2[2] = {0.3, -0.7};
const double d2_binary[2] = {1.0, 0.0};
const double d3_one_hot[3] = {0.0, 1.0, 0.0};
const double d3_soft[3] = {0.5, 0.2, 0.1};  // sums to 0.8: the delta is y sum(d) - d
const double d3[3] = {0.1, 0.7, 0.5};
}  // namespace

TEST(hessian_vector, one_layer_matches_central_differences)
{
    using net_t = mp::network<double, mp::dense<3, 2>, mp::tanh>;
    EXPECT_LT((r_operator_vs_central_differences<mp::squared_error, net_t>(1, d2)), tolerance);
}

TEST(hessian_vector, one_linear_layer_gives_the_closed_form)
{
    // E = 1/2 ||W x + b - d||^2: d2E / dW_ji dW_j'i' = [j == j'] x_i x_i', with x_i = 1 for
    // the bias; independent of W, b and d.
    using net_t = mp::network<double, mp::dense<3, 2>>;
    constexpr std::size_t p = net_t::parameter_count;
    net_t net;
    sample<net_t> s;
    draw(net, s, 2);
    double* h = matrix_a;
    std::memset(h, 0, sizeof(double) * p * p);
    double scratch[mp::exact_hessian_scratch_size<net_t>];
    ASSERT_EQ(mp::exact_hessian<mp::squared_error>(net, mp::span<const double>(s.x), mp::span<const double>(d2),
                                                   mp::span<double>(h, p * p), mp::span<double>(scratch)),
              mp::status::ok);
    auto unit = [](std::size_t q) { return q < 6 ? q / 3 : q - 6; };     // output j of parameter q
    auto input = [&](std::size_t q) { return q < 6 ? s.x[q % 3] : 1.0; };  // x_i, 1 for a bias
    for (std::size_t r = 0; r < p; ++r) {
        for (std::size_t c = 0; c < p; ++c) {
            const double expected = unit(r) == unit(c) ? input(r) * input(c) : 0.0;
            EXPECT_TRUE(NUMTEST_CLOSE(h[r * p + c], expected, exact_tolerance, 0.0, "hessian", r * p + c));
        }
    }
}

TEST(hessian_vector, two_layers_match_central_differences_for_every_activation_and_loss)
{
    EXPECT_LT((r_operator_vs_central_differences<mp::binary_cross_entropy, tanh_sigmoid_out>(5, d2_binary)), tolerance);
    EXPECT_LT((r_operator_vs_central_differences<mp::cross_entropy, tanh_softmax>(10, d3_soft)), tolerance);
#if !defined(__arm__)
    // On the host only, to keep the Cortex-M images short: these networks are also checked
    // against the closed form below, on every target.
    EXPECT_LT((r_operator_vs_central_differences<mp::squared_error, identity_hidden>(3, d2)), tolerance);
    EXPECT_LT((r_operator_vs_central_differences<mp::squared_error, sigmoid_tanh_out>(4, d2)), tolerance);
    EXPECT_LT((r_operator_vs_central_differences<mp::squared_error, tanh_sigmoid_out>(6, d2)), tolerance);
    EXPECT_LT((r_operator_vs_central_differences<mp::squared_error, relu_leaky_out>(7, d2)), tolerance);
    EXPECT_LT((r_operator_vs_central_differences<mp::squared_error, leaky_relu_out>(8, d2)), tolerance);
    EXPECT_LT((r_operator_vs_central_differences<mp::cross_entropy, tanh_softmax>(9, d3_one_hot)), tolerance);
#endif
}

TEST(hessian_vector, two_layers_match_the_closed_form)
{
    EXPECT_LT((r_operator_vs_closed_form<mp::squared_error, identity_hidden>(11, d2)), exact_tolerance);
    EXPECT_LT((r_operator_vs_closed_form<mp::squared_error, sigmoid_tanh_out>(12, d2)), exact_tolerance);
    EXPECT_LT((r_operator_vs_closed_form<mp::binary_cross_entropy, tanh_sigmoid_out>(13, d2_binary)), exact_tolerance);
    EXPECT_LT((r_operator_vs_closed_form<mp::squared_error, relu_leaky_out>(14, d2)), exact_tolerance);
    EXPECT_LT((r_operator_vs_closed_form<mp::squared_error, leaky_relu_out>(15, d2)), exact_tolerance);
    EXPECT_LT((r_operator_vs_closed_form<mp::cross_entropy, tanh_softmax>(16, d3_one_hot)), exact_tolerance);
    EXPECT_LT((r_operator_vs_closed_form<mp::cross_entropy, tanh_softmax>(17, d3_soft)), exact_tolerance);
    EXPECT_LT((r_operator_vs_closed_form<mp::squared_error, tied_autoencoder>(18, d3)), exact_tolerance);
}

TEST(hessian_vector, three_layers_and_tied_layers_match_central_differences)
{
    using three_softmax = mp::network<double, mp::dense<2, 2>, mp::sigmoid, mp::dense<2, 2>, mp::tanh,
                                      mp::dense<2, 2>, mp::softmax>;
    using three_binary = mp::network<double, mp::dense<2, 2>, mp::relu, mp::dense<2, 2>, mp::leaky_relu,
                                     mp::dense<2, 2>, mp::sigmoid>;
    // tied<1> past the first layer: layer 1's matrix is used by layers 1 and 2.
    using tied_middle = mp::network<double, mp::dense<2, 2>, mp::tanh, mp::dense<2, 3>, mp::sigmoid, mp::tied<1>>;
    EXPECT_LT((r_operator_vs_central_differences<mp::cross_entropy, three_softmax>(19, d2_binary)), tolerance);
    EXPECT_LT((r_operator_vs_central_differences<mp::binary_cross_entropy, three_binary>(20, d2_binary)), tolerance);
    EXPECT_LT((r_operator_vs_central_differences<mp::squared_error, tied_autoencoder>(21, d3)), tolerance);
    EXPECT_LT((r_operator_vs_central_differences<mp::squared_error, tied_middle>(22, d2)), tolerance);
}

namespace {
template <class Golden, class Loss, class Network>
NUMTEST_NOINLINE void check_golden()
{
    constexpr std::size_t p = Network::parameter_count;
    static_assert(p == Golden::p, "the golden case was written for another network");
    Network net;
    for (std::size_t q = 0; q < p; ++q) net.parameters()[q] = Golden::parameters[q];
    double* h = matrix_a;
    std::memset(h, 0, sizeof(double) * p * p);
    double scratch[mp::exact_hessian_scratch_size<Network>];
    const mp::span<const double> x(Golden::input);
    const mp::span<const double> d(Golden::target);
    ASSERT_EQ(mp::exact_hessian<Loss>(net, x, d, mp::span<double>(h, p * p), mp::span<double>(scratch)), mp::status::ok);
    for (std::size_t k = 0; k < p * p; ++k) {
        EXPECT_TRUE(NUMTEST_CLOSE(h[k], Golden::hessian[k], exact_tolerance, 0.0, "hessian", k));
    }
    double hv[p] = {};
    ASSERT_EQ(mp::hessian_vector_product<Loss>(net, x, d, mp::span<const double>(Golden::vector), mp::span<double>(hv),
                                               mp::span<double>(scratch)),
              mp::status::ok);
    for (std::size_t q = 0; q < p; ++q) {
        EXPECT_TRUE(NUMTEST_CLOSE(hv[q], Golden::hessian_vector[q], exact_tolerance, 0.0, "hessian_vector", q));
    }
}
}  // namespace

TEST(hessian_vector, three_layers_match_numpy_complex_step_golden_values)
{
    check_golden<hessian_golden::tanh_sigmoid_softmax_cross_entropy, mp::cross_entropy,
                 mp::network<double, mp::dense<2, 2>, mp::tanh, mp::dense<2, 2>, mp::sigmoid, mp::dense<2, 2>,
                             mp::softmax>>();
    check_golden<hessian_golden::sigmoid_tanh_tanh_squared_error, mp::squared_error,
                 mp::network<double, mp::dense<2, 2>, mp::sigmoid, mp::dense<2, 2>, mp::tanh, mp::dense<2, 2>,
                             mp::tanh>>();
}

TEST(hessian_vector, adds_to_what_the_outputs_hold)
{
    // Like every Hessian function: the sum over a data set is a loop into a zeroed matrix.
    using net_t = tanh_sigmoid_out;
    constexpr std::size_t p = net_t::parameter_count;
    net_t net;
    sample<net_t> s;
    draw(net, s, 23);
    double scratch[mp::exact_hessian_scratch_size<net_t>];
    double once[p] = {};
    double twice[p] = {};
    for (double& value : twice) value = 0.25;
    const mp::span<const double> x(s.x);
    const mp::span<const double> d(d2_binary);
    ASSERT_EQ(mp::hessian_vector_product<mp::binary_cross_entropy>(net, x, d, mp::span<const double>(s.v),
                                                                   mp::span<double>(once), mp::span<double>(scratch)),
              mp::status::ok);
    ASSERT_EQ(mp::hessian_vector_product<mp::binary_cross_entropy>(net, x, d, mp::span<const double>(s.v),
                                                                   mp::span<double>(twice), mp::span<double>(scratch)),
              mp::status::ok);
    for (std::size_t q = 0; q < p; ++q) EXPECT_EQ(twice[q], 0.25 + once[q]);
}

TEST(hessian_vector, bad_input_gets_a_status_and_changes_nothing)
{
    using net_t = tanh_sigmoid_out;
    constexpr std::size_t p = net_t::parameter_count;
    net_t net;
    sample<net_t> s;
    draw(net, s, 24);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    double scratch[mp::hessian_check_scratch_size<net_t>];
    double hv[p];
    for (double& value : hv) value = 0.5;
    double* h = matrix_a;
    for (std::size_t k = 0; k < p * p; ++k) h[k] = 0.5;
    double parameters_before[p];
    std::memcpy(parameters_before, net.parameters().data(), sizeof parameters_before);

    auto product = [&](const double* x, const double* d, const double* v) {
        return mp::hessian_vector_product<mp::squared_error>(net, mp::span<const double>(x, 2), mp::span<const double>(d, 2),
                                                             mp::span<const double>(v, p), mp::span<double>(hv),
                                                             mp::span<double>(scratch));
    };
    auto matrix = [&](const double* x, const double* d) {
        return mp::exact_hessian<mp::squared_error>(net, mp::span<const double>(x, 2), mp::span<const double>(d, 2),
                                                    mp::span<double>(h, p * p), mp::span<double>(scratch));
    };
    auto differences = [&](const double* x, const double* d) {
        return mp::central_difference_hessian<mp::squared_error>(net, mp::span<const double>(x, 2),
                                                                 mp::span<const double>(d, 2),
                                                                 mp::span<double>(h, p * p), mp::span<double>(scratch));
    };
    const double bad_x[2] = {0.5, nan};
    const double bad_d[2] = {std::numeric_limits<double>::infinity(), 0.0};
    double bad_v[p];
    std::memcpy(bad_v, s.v, sizeof bad_v);
    bad_v[p - 1] = nan;
    EXPECT_EQ(product(bad_x, d2, s.v), mp::status::non_finite_input);
    EXPECT_EQ(product(s.x, bad_d, s.v), mp::status::non_finite_target);
    EXPECT_EQ(product(s.x, d2, bad_v), mp::status::non_finite_input);
    EXPECT_EQ(matrix(bad_x, d2), mp::status::non_finite_input);
    EXPECT_EQ(matrix(s.x, bad_d), mp::status::non_finite_target);
    EXPECT_EQ(differences(bad_x, d2), mp::status::non_finite_input);
    EXPECT_EQ(differences(s.x, bad_d), mp::status::non_finite_target);
    EXPECT_EQ((mp::check_hessian<mp::squared_error>(net, mp::span<const double>(bad_x), mp::span<const double>(d2),
                                                    mp::span<double>(scratch))
                   .outcome),
              mp::status::non_finite_input);
    net.parameters()[3] = nan;
    EXPECT_EQ(product(s.x, d2, s.v), mp::status::non_finite_parameter);
    EXPECT_EQ(matrix(s.x, d2), mp::status::non_finite_parameter);
    EXPECT_EQ(differences(s.x, d2), mp::status::non_finite_parameter);
    net.parameters()[3] = parameters_before[3];

    for (double value : hv) EXPECT_EQ(value, 0.5);
    for (std::size_t k = 0; k < p * p; ++k) EXPECT_EQ(h[k], 0.5);
    EXPECT_TRUE(numtest::same_bits(parameters_before, net.parameters().data(), p));
}

TEST(hessian_vector, overflow_gets_a_status_and_changes_nothing)
{
    // Finite weights whose products overflow in a linear network: y, and so H, are infinite.
    using net_t = identity_hidden;
    constexpr std::size_t p = net_t::parameter_count;
    net_t net;
    for (std::size_t q = 0; q < p; ++q) net.parameters()[q] = 1e200;
    const double x[2] = {0.5, 1.0};
    double v[p];
    for (double& value : v) value = 1.0;
    double scratch[mp::hessian_check_scratch_size<net_t>];
    double hv[p];
    for (double& value : hv) value = 0.5;
    double* h = matrix_a;
    for (std::size_t k = 0; k < p * p; ++k) h[k] = 0.5;
    EXPECT_EQ(mp::hessian_vector_product<mp::squared_error>(net, mp::span<const double>(x), mp::span<const double>(d2),
                                                            mp::span<const double>(v), mp::span<double>(hv),
                                                            mp::span<double>(scratch)),
              mp::status::non_finite_gradient);
    EXPECT_EQ(mp::exact_hessian<mp::squared_error>(net, mp::span<const double>(x), mp::span<const double>(d2),
                                                   mp::span<double>(h, p * p), mp::span<double>(scratch)),
              mp::status::non_finite_gradient);
    EXPECT_EQ(mp::central_difference_hessian<mp::squared_error>(net, mp::span<const double>(x),
                                                                mp::span<const double>(d2), mp::span<double>(h, p * p),
                                                                mp::span<double>(scratch)),
              mp::status::non_finite_gradient);
    for (std::size_t q = 0; q < p; ++q) EXPECT_EQ(net.parameters()[q], 1e200);  // the differences restored them
    for (double value : hv) EXPECT_EQ(value, 0.5);
    for (std::size_t k = 0; k < p * p; ++k) EXPECT_EQ(h[k], 0.5);
}

TEST(hessian_vector, a_row_that_overflows_after_finite_ones_leaves_the_matrix_as_it_was)
{
    // y = w2 (w1 x + b1) + b2 with w1 = 1, b1 = 0, w2 = 1e200, b2 = 0, x = 1e-200: y = 1, and
    // H's first row (w1: (w2 x)^2 = 1, w2^2 x = 1e200, ...) is finite, its second (b1:
    // w2^2 = 1e400) is not. A function that added rows as it went would leave row 0 added.
    using net_t = mp::network<double, mp::dense<1, 1>, mp::dense<1, 1>>;
    constexpr std::size_t p = net_t::parameter_count;
    net_t net;
    const double parameters[p] = {1.0, 0.0, 1e200, 0.0};
    for (std::size_t q = 0; q < p; ++q) net.parameters()[q] = parameters[q];
    const double x[1] = {1e-200};
    const double d[1] = {0.0};
    double scratch[mp::hessian_check_scratch_size<net_t>];
    double first_row[p] = {};
    const double unit[p] = {1.0, 0.0, 0.0, 0.0};
    ASSERT_EQ(mp::hessian_vector_product<mp::squared_error>(net, mp::span<const double>(x), mp::span<const double>(d),
                                                            mp::span<const double>(unit), mp::span<double>(first_row),
                                                            mp::span<double>(scratch)),
              mp::status::ok);
    EXPECT_NEAR(first_row[0], 1.0, 1e-15);  // the premise: row 0 is finite
    double h[p * p];
    for (double& value : h) value = 0.5;
    EXPECT_EQ(mp::exact_hessian<mp::squared_error>(net, mp::span<const double>(x), mp::span<const double>(d),
                                                   mp::span<double>(h), mp::span<double>(scratch)),
              mp::status::non_finite_gradient);
    EXPECT_EQ(mp::central_difference_hessian<mp::squared_error>(net, mp::span<const double>(x), mp::span<const double>(d),
                                                                mp::span<double>(h), mp::span<double>(scratch)),
              mp::status::non_finite_gradient);
    for (double value : h) EXPECT_EQ(value, 0.5);
    EXPECT_TRUE(numtest::same_bits(parameters, net.parameters().data(), p));
}

TEST(hessian_vector, check_hessian_agrees_and_restores_every_parameter)
{
    using net_t = mp::network<double, mp::dense<2, 2>, mp::tanh, mp::dense<2, 3>, mp::sigmoid, mp::tied<1>>;
    constexpr std::size_t p = net_t::parameter_count;
    net_t net;
    sample<net_t> s;
    draw(net, s, 25);
    double before[p];
    std::memcpy(before, net.parameters().data(), sizeof before);
    double scratch[mp::hessian_check_scratch_size<net_t>];
    const auto result = mp::check_hessian<mp::squared_error>(net, mp::span<const double>(s.x), mp::span<const double>(d2),
                                                             mp::span<double>(scratch));
    EXPECT_EQ(result.outcome, mp::status::ok);
    EXPECT_LT(result.max_absolute_error, tolerance);
    EXPECT_LT(result.max_relative_error, 1e-6);  // relative to max(|entry|, sqrt(eps))
    EXPECT_TRUE(numtest::same_bits(before, net.parameters().data(), p));
    // The activations hold x's forward pass again, as check_gradient leaves them.
    net_t fresh = net;
    const auto y = fresh.forward(s.x);
    EXPECT_TRUE(numtest::same_bits(y.data(), net.output().data(), net_t::output_size));
}

TEST(hessian_vector, float_networks_agree_with_central_differences_to_float_precision)
{
    using net_t = mp::network<float, mp::dense<2, 3>, mp::tanh, mp::dense<3, 2>, mp::sigmoid>;
    net_t net;
    numtest::fill_parameters(net, 26);
    const float x[2] = {0.25f, -0.5f};
    const float d[2] = {1.0f, 0.0f};
    float scratch[mp::hessian_check_scratch_size<net_t>];
    const auto result = mp::check_hessian<mp::binary_cross_entropy>(net, mp::span<const float>(x),
                                                                    mp::span<const float>(d), mp::span<float>(scratch));
    EXPECT_EQ(result.outcome, mp::status::ok);
    // Step 4e-2: O(h^4) ~ 3e-6 times the fifth derivative, plus eps / h ~ 3e-6 (float).
    EXPECT_LT(result.max_absolute_error, 1e-4f);
}

