// Hessians (PRML 5.4) against central differences of the backprop gradient.
#include <microprop/microprop.hpp>

#include "microtest.hpp"

namespace mp = microprop;

namespace {
// Central differences of the backprop gradient in double with h = 1e-5: truncation
// O(h^2) ~ 1e-10, rounding ~ 1e-16 / 1e-5 = 1e-11 relative to the gradient's size.
// Tolerance 1e-7 is far below the size of any missing or wrong term (>= 1e-3 here).
constexpr double fd_step = 1e-5;
constexpr double tolerance = 1e-7;

// Two P x P matrices shared by every test, sized for the largest network here (P = 18), so
// the image also fits the 16 KB of RAM of the smallest port.
constexpr std::size_t largest_p = 18;
double matrix_a[largest_p * largest_p];
double matrix_b[largest_p * largest_p];

void clear(double* m, std::size_t n)
{
    for (std::size_t k = 0; k < n; ++k) m[k] = 0.0;
}

template <class Loss, class Network>
void finite_difference_hessian(Network& net, const double* x, const double* d, double* h)
{
    constexpr std::size_t p = Network::parameter_count;
    double up[p] = {};
    double down[p] = {};
    mp::trainer<Network, Loss> backprop(net);
    for (std::size_t q = 0; q < p; ++q) {
        const double original = net.parameters()[q];
        net.parameters()[q] = original + fd_step;
        const bool ok_up = backprop.compute_gradient_unchecked(x, d, up) == mp::status::ok;
        net.parameters()[q] = original - fd_step;
        const bool ok_down = backprop.compute_gradient_unchecked(x, d, down) == mp::status::ok;
        net.parameters()[q] = original;
        // A failed gradient poisons the column, so every comparison with it fails.
        const double poison = ok_up && ok_down ? 0.0 : std::numeric_limits<double>::quiet_NaN();
        for (std::size_t r = 0; r < p; ++r) h[r * p + q] = (up[r] - down[r]) / (2 * fd_step) + poison;
    }
}

template <class Loss, class Network>
double exact_vs_finite_differences(std::uint32_t seed, const double* d)
{
    constexpr std::size_t p = Network::parameter_count;
    Network net(seed);
    mp::random_generator rng(seed + 50);
    double x[Network::input_size];
    for (double& v : x) v = rng.uniform<double>(-1.0, 1.0);
    static_assert(p <= largest_p, "test network larger than the shared matrices");
    double* exact = matrix_a;
    double* numeric = matrix_b;
    clear(exact, p * p);
    double scratch[mp::exact_hessian_two_layer_scratch_size<Network>];
    const mp::span<const double> target(d, Network::output_size);
    if (mp::exact_hessian_two_layer<Loss>(net, mp::span<const double>(x), target, mp::span<double>(exact, p * p),
                                          mp::span<double>(scratch)) != mp::status::ok) {
        return 1.0;
    }
    finite_difference_hessian<Loss>(net, x, d, numeric);
    double worst = 0.0;
    for (std::size_t k = 0; k < p * p; ++k) {
        const double e = std::fabs(exact[k] - numeric[k]);
        worst = e > worst ? e : worst;
    }
    return worst;
}
}  // namespace

TEST(hessian, exact_tanh_hidden_identity_output_squared_error)
{
    using net_t = mp::network<double, mp::dense<2, 3>, mp::tanh, mp::dense<3, 2>>;
    const double d[2] = {0.3, -0.7};
    EXPECT_LT((exact_vs_finite_differences<mp::squared_error, net_t>(1, d)), tolerance);
}

TEST(hessian, exact_sigmoid_hidden_tanh_output_squared_error)
{
    using net_t = mp::network<double, mp::dense<2, 3>, mp::sigmoid, mp::dense<3, 2>, mp::tanh>;
    const double d[2] = {0.5, -0.25};
    EXPECT_LT((exact_vs_finite_differences<mp::squared_error, net_t>(2, d)), tolerance);
}

TEST(hessian, exact_sigmoid_output_binary_cross_entropy)
{
    using net_t = mp::network<double, mp::dense<2, 3>, mp::tanh, mp::dense<3, 2>, mp::sigmoid>;
    const double d[2] = {1.0, 0.0};
    EXPECT_LT((exact_vs_finite_differences<mp::binary_cross_entropy, net_t>(3, d)), tolerance);
}

TEST(hessian, exact_softmax_output_cross_entropy)
{
    using net_t = mp::network<double, mp::dense<2, 2>, mp::sigmoid, mp::dense<2, 3>, mp::softmax>;
    const double d[3] = {0.0, 1.0, 0.0};
    EXPECT_LT((exact_vs_finite_differences<mp::cross_entropy, net_t>(4, d)), tolerance);
}

TEST(hessian, exact_softmax_output_cross_entropy_soft_targets)
{
    // Targets summing to 0.8: the delta y sum(d) - d and the curvature sum(d) (diag y - y y^T)
    // agree with central differences of the gradient (issue 17, point 3).
    using net_t = mp::network<double, mp::dense<2, 2>, mp::sigmoid, mp::dense<2, 3>, mp::softmax>;
    const double d[3] = {0.5, 0.2, 0.1};
    EXPECT_LT((exact_vs_finite_differences<mp::cross_entropy, net_t>(4, d)), tolerance);
}

TEST(hessian, diagonal_approximation_is_exact_for_one_hidden_layer_with_identity_output)
{
    // With M = I the dropped off-diagonal terms vanish, so PRML 5.81 gives the exact diagonal.
    using net_t = mp::network<double, mp::dense<2, 3>, mp::tanh, mp::dense<3, 2>>;
    constexpr std::size_t p = net_t::parameter_count;
    net_t net(5);
    const double x[2] = {0.4, -0.9};
    const double d[2] = {0.1, 0.2};
    double diagonal[p] = {};
    double scratch[4 * net_t::max_width + 4];
    ASSERT_EQ(mp::hessian_diagonal<mp::squared_error>(net, x, d, mp::span<double>(diagonal), mp::span<double>(scratch)),
              mp::status::ok);
    double* numeric = matrix_b;
    finite_difference_hessian<mp::squared_error>(net, x, d, numeric);
    for (std::size_t q = 0; q < p; ++q) EXPECT_NEAR(diagonal[q], numeric[q * p + q], tolerance);
}

TEST(hessian, diagonal_approximation_of_a_deeper_net_is_exact_in_the_last_layer)
{
    using net_t = mp::network<double, mp::dense<2, 2>, mp::sigmoid, mp::dense<2, 2>, mp::tanh, mp::dense<2, 2>, mp::sigmoid>;
    constexpr std::size_t p = net_t::parameter_count;
    net_t net(6);
    const double x[2] = {0.7, 0.2};
    const double d[2] = {1.0, 0.0};
    double diagonal[p] = {};
    double scratch[4 * net_t::max_width + 4];
    ASSERT_EQ(mp::hessian_diagonal<mp::binary_cross_entropy>(net, x, d, mp::span<double>(diagonal),
                                                               mp::span<double>(scratch)),
              mp::status::ok);
    static_assert(p <= largest_p, "test network larger than the shared matrices");
    double* numeric = matrix_b;
    finite_difference_hessian<mp::binary_cross_entropy>(net, x, d, numeric);
    for (std::size_t q = net_t::layers[2].weight_offset; q < p; ++q) {
        EXPECT_NEAR(diagonal[q], numeric[q * p + q], tolerance);
    }
    // Elsewhere it is an approximation: same sign and order of magnitude is all PRML promises.
    for (std::size_t q = 0; q < net_t::layers[2].weight_offset; ++q) EXPECT_TRUE(std::isfinite(diagonal[q]));
}

TEST(hessian, outer_product_is_exact_when_the_residual_is_zero)
{
    // H = sum_k b_k b_k^T + sum_k (y_k - d_k) grad grad y_k (PRML 5.83); with d = y the second sum vanishes.
    using net_t = mp::network<double, mp::dense<2, 3>, mp::tanh, mp::dense<3, 2>>;
    constexpr std::size_t p = net_t::parameter_count;
    net_t net(7);
    const double x[2] = {-0.3, 0.8};
    double d[2];
    const auto y = net.forward(x);
    d[0] = y[0];
    d[1] = y[1];
    double* outer = matrix_a;
    double* numeric = matrix_b;
    clear(outer, p * p);
    double scratch[p + 2 * net_t::max_width];
    ASSERT_EQ(mp::outer_product_hessian<mp::squared_error>(net, x, d, mp::span<double>(outer, p * p), mp::span<double>(scratch)),
              mp::status::ok);
    finite_difference_hessian<mp::squared_error>(net, x, d, numeric);
    for (std::size_t k = 0; k < p * p; ++k) EXPECT_NEAR(outer[k], numeric[k], tolerance);
}

TEST(hessian, sequential_woodbury_inverse_inverts_alpha_plus_outer_products)
{
    using net_t = mp::network<double, mp::dense<2, 3>, mp::tanh, mp::dense<3, 1>>;
    constexpr std::size_t p = net_t::parameter_count;
    net_t net(8);
    const double alpha = 0.5;
    const mp::span<double> h(matrix_a, p * p);
    const mp::span<double> h_inverse(matrix_b, p * p);
    mp::set_scaled_identity(h, p, alpha);
    mp::set_scaled_identity(h_inverse, p, 1.0 / alpha);
    double scratch[2 * p + 2 * net_t::max_width];
    mp::random_generator rng(9);
    for (int n = 0; n < 20; ++n) {
        const double x[2] = {rng.uniform<double>(-1.0, 1.0), rng.uniform<double>(-1.0, 1.0)};
        const double d[1] = {0.0};  // squared error: the Gauss-Newton matrix does not depend on d
        ASSERT_EQ(mp::outer_product_hessian<mp::squared_error>(net, x, d, h, mp::span<double>(scratch)), mp::status::ok);
        ASSERT_EQ(mp::sequential_inverse_hessian<mp::squared_error>(net, x, d, h_inverse, mp::span<double>(scratch)),
                  mp::status::ok);
    }
    // (alpha I + sum b b^T) H^-1 must be the identity; 20 rank-one updates in double stay
    // well within 1e-9 of it for this well-conditioned (alpha = 0.5) matrix.
    for (std::size_t r = 0; r < p; ++r) {
        for (std::size_t c = 0; c < p; ++c) {
            double acc = 0.0;
            for (std::size_t k = 0; k < p; ++k) acc += h[r * p + k] * h_inverse[k * p + c];
            EXPECT_NEAR(acc, r == c ? 1.0 : 0.0, 1e-9);
        }
    }
}
