// Input Jacobian by backprop (PRML 5.73-5.74) against central differences of the outputs.
#include <microprop/microprop.hpp>

#include "microtest.hpp"

namespace mp = microprop;

namespace {
// Compares input_jacobian with (y(x + h e_i) - y(x - h e_i)) / 2h. In double with
// h = 1e-5 the truncation error is O(h^2 |y'''|) ~ 1e-10 and rounding ~ 1e-16 / h ~ 1e-11,
// so 1e-8 leaves a wide margin and still catches any wrong term (errors of order 1e-2).
template <class Network>
double worst_jacobian_error(std::uint32_t seed)
{
    Network net(seed);
    mp::random_generator rng(seed + 1000);
    double x[Network::input_size];
    for (double& v : x) v = rng.uniform<double>(-1.0, 1.0);
    double jacobian[Network::output_size * Network::input_size];
    double scratch[2 * Network::max_width];
    if (mp::input_jacobian(net, x, mp::span<double>(jacobian), mp::span<double>(scratch)) != mp::status::ok) {
        return 1.0;
    }
    const double h = 1e-5;
    double worst = 0.0;
    for (std::size_t i = 0; i < Network::input_size; ++i) {
        double up[Network::output_size];
        double down[Network::output_size];
        const double original = x[i];
        x[i] = original + h;
        const auto y_up = net.forward(x);
        for (std::size_t k = 0; k < Network::output_size; ++k) up[k] = y_up[k];
        x[i] = original - h;
        const auto y_down = net.forward(x);
        for (std::size_t k = 0; k < Network::output_size; ++k) down[k] = y_down[k];
        x[i] = original;
        for (std::size_t k = 0; k < Network::output_size; ++k) {
            const double numeric = (up[k] - down[k]) / (2 * h);
            const double error = std::fabs(numeric - jacobian[k * Network::input_size + i]);
            worst = error > worst ? error : worst;
        }
    }
    return worst;
}
}  // namespace

TEST(jacobian, sigmoid_output_matches_finite_differences)
{
    using net_t = mp::network<double, mp::dense<3, 5>, mp::tanh, mp::dense<5, 2>, mp::sigmoid>;
    EXPECT_LT(worst_jacobian_error<net_t>(1), 1e-8);
}

TEST(jacobian, softmax_output_matches_finite_differences)
{
    using net_t = mp::network<double, mp::dense<4, 6>, mp::sigmoid, mp::dense<6, 5>, mp::leaky_relu,
                              mp::dense<5, 3>, mp::softmax>;
    EXPECT_LT(worst_jacobian_error<net_t>(2), 1e-8);
}

TEST(jacobian, identity_output_of_a_linear_net_is_its_weight_matrix)
{
    using net_t = mp::network<double, mp::dense<3, 2>>;
    net_t net(3);
    const double x[3] = {0.1, 0.2, 0.3};
    double jacobian[6];
    double scratch[6];
    ASSERT_EQ(mp::input_jacobian(net, x, mp::span<double>(jacobian), mp::span<double>(scratch)), mp::status::ok);
    for (std::size_t k = 0; k < 6; ++k) EXPECT_EQ(jacobian[k], net.parameters()[k]);
}
