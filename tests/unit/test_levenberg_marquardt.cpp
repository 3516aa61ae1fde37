// levenberg_marquardt.hpp against independent references: the closed-form least-squares
// solution of a linear model, a damped Gauss-Newton step built here from a Jacobian by
// central differences and solved by Gaussian elimination, and the rule that an epoch
// either lowers the error or leaves every parameter bit as it was.
#include <cmath>
#include <cstring>

#include <microprop/levenberg_marquardt.hpp>
#include <microprop/microprop.hpp>

#include "microtest.hpp"

namespace {

namespace mp = microprop;

/// Solves the n x n system a z = b in place by Gaussian elimination with partial pivoting
/// (independent of the library's Cholesky); a is row-major and destroyed.
template <std::size_t N>
void gauss_solve(double (&a)[N][N], double (&b)[N])
{
    for (std::size_t c = 0; c < N; ++c) {
        std::size_t pivot = c;
        for (std::size_t r = c + 1; r < N; ++r) {
            if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) pivot = r;
        }
        for (std::size_t j = 0; j < N; ++j) { const double t = a[c][j]; a[c][j] = a[pivot][j]; a[pivot][j] = t; }
        { const double t = b[c]; b[c] = b[pivot]; b[pivot] = t; }
        for (std::size_t r = c + 1; r < N; ++r) {
            const double f = a[r][c] / a[c][c];
            for (std::size_t j = c; j < N; ++j) a[r][j] -= f * a[c][j];
            b[r] -= f * b[c];
        }
    }
    for (std::size_t r = N; r-- > 0;) {
        double s = b[r];
        for (std::size_t j = r + 1; j < N; ++j) s -= a[r][j] * b[j];
        b[r] = s / a[r][r];
    }
}

// y = w1 x1 + w2 x2 + b fitted to 6 noisy points: LM must land on the normal equations'
// solution, which this test computes itself (3 x 3 system).
TEST(levenberg_marquardt, linear_model_reaches_closed_form_least_squares)
{
    using net_t = mp::network<double, mp::dense<2, 1>>;
    static const double xs[12] = {0.1, 1.0, -0.5, 0.3, 0.9, -1.2, 1.5, 0.2, -0.7, -0.8, 0.4, 0.6};
    static const double ds[6] = {-1.35, 0.31, 3.62, 4.71, 0.92, -0.05};
    double a[3][3] = {};
    double b[3] = {};
    for (int n = 0; n < 6; ++n) {
        const double row[3] = {xs[2 * n], xs[2 * n + 1], 1.0};
        for (int i = 0; i < 3; ++i) {
            b[i] += row[i] * ds[n];
            for (int j = 0; j < 3; ++j) a[i][j] += row[i] * row[j];
        }
    }
    gauss_solve(a, b);
    static net_t net(3);
    static mp::levenberg_marquardt<net_t> lm(net);
    for (int epoch = 0; epoch < 8; ++epoch) ASSERT_EQ(lm.train_epoch(xs, ds), mp::status::ok);
    const auto p = net.parameters();  // weights [w1, w2], then the bias
    EXPECT_NEAR(p[0], b[0], 1e-9);
    EXPECT_NEAR(p[1], b[1], 1e-9);
    EXPECT_NEAR(p[2], b[2], 1e-9);
}

// One step on a 2-2-2 tanh network: J by central differences of the outputs, A = J^T J,
// g = J^T r, (A + lambda I) delta = -g solved by elimination; the library's accepted
// step must equal delta.
TEST(levenberg_marquardt, step_matches_damped_gauss_newton_from_finite_differences)
{
    using net_t = mp::network<double, mp::dense<2, 2>, mp::tanh, mp::dense<2, 2>>;
    constexpr std::size_t p = net_t::parameter_count;  // 12
    constexpr int count = 5;
    static const double xs[2 * count] = {0.3, -0.2, 1.1, 0.4, -0.6, 0.9, 0.05, -1.0, 0.7, 0.7};
    static const double ds[2 * count] = {0.5, -0.1, 0.2, 0.8, -0.4, 0.3, 0.9, -0.6, 0.1, 0.0};
    static net_t net(11);
    const double lambda = 0.5;

    static double jacobian[2 * count][p];
    double residual[2 * count];
    double theta[p];
    for (std::size_t q = 0; q < p; ++q) theta[q] = net.parameters()[q];
    for (int n = 0; n < count; ++n) {
        const auto y = net.forward_unchecked(xs + 2 * n);
        residual[2 * n] = y[0] - ds[2 * n];
        residual[2 * n + 1] = y[1] - ds[2 * n + 1];
    }
    const double h = 1e-6;
    for (std::size_t q = 0; q < p; ++q) {
        for (int n = 0; n < count; ++n) {
            net.parameters()[q] = theta[q] + h;
            const auto up = net.forward_unchecked(xs + 2 * n);
            const double up0 = up[0], up1 = up[1];
            net.parameters()[q] = theta[q] - h;
            const auto down = net.forward_unchecked(xs + 2 * n);
            jacobian[2 * n][q] = (up0 - down[0]) / (2 * h);
            jacobian[2 * n + 1][q] = (up1 - down[1]) / (2 * h);
        }
        net.parameters()[q] = theta[q];
    }
    static double a[p][p];
    double rhs[p];
    for (std::size_t i = 0; i < p; ++i) {
        rhs[i] = 0;
        for (int r = 0; r < 2 * count; ++r) rhs[i] -= jacobian[r][i] * residual[r];
        for (std::size_t j = 0; j < p; ++j) {
            a[i][j] = 0;
            for (int r = 0; r < 2 * count; ++r) a[i][j] += jacobian[r][i] * jacobian[r][j];
        }
    }
    for (std::size_t i = 0; i < p; ++i) a[i][i] += lambda;
    gauss_solve(a, rhs);

    static mp::levenberg_marquardt<net_t> lm(net, lambda);
    ASSERT_EQ(lm.train_epoch(xs, ds), mp::status::ok);
    ASSERT_TRUE(lm.last_step_accepted());
    ASSERT_EQ(lm.last_attempts(), std::size_t(1));
    double worst = 0;
    for (std::size_t q = 0; q < p; ++q) {
        const double e = std::fabs((net.parameters()[q] - theta[q]) - rhs[q]) / (1e-3 + std::fabs(rhs[q]));
        if (e > worst) worst = e;
    }
    // Central differences with h = 1e-6 are good to about 1e-9 here.
    EXPECT_LT(worst, 1e-6);
    // Accepted: lambda shrank, by at most 3x.
    EXPECT_LT(lm.damping(), lambda);
    EXPECT_GE(lm.damping(), lambda / 3 * (1 - 1e-12));
}

// sin(pi u) on 32 points of [-1, 1] by a 1-8-1 tanh network in float: LM gets the mean
// squared error below 1e-3 within 20 epochs (6 to 8 over five seeds; Adam needs over a hundred: examples/levenberg_marquardt).
TEST(levenberg_marquardt, fits_a_sine_in_float_within_twenty_epochs)
{
    using net_t = mp::network<float, mp::dense<1, 8>, mp::tanh, mp::dense<8, 1>>;
    static float xs[32];
    static float ds[32];
    for (int k = 0; k < 32; ++k) {
        xs[k] = -1.0f + 2.0f * static_cast<float>(k) / 31.0f;
        ds[k] = std::sin(3.14159265f * xs[k]);
    }
    static net_t net(5);
    static mp::levenberg_marquardt<net_t> lm(net);
    EXPECT_LT(sizeof(lm), std::size_t(3200));
    int epochs = 0;
    while (epochs < 20) {
        ASSERT_EQ(lm.train_epoch(xs, ds), mp::status::ok);
        ++epochs;
        if (2.0f * lm.last_loss() < 1e-3f) break;
    }
    EXPECT_LT(2.0f * lm.last_loss(), 1e-3f);
}

// Every epoch either lowers the error or leaves the parameters bit for bit as they were.
TEST(levenberg_marquardt, an_epoch_lowers_the_error_or_changes_nothing)
{
    using net_t = mp::network<float, mp::dense<1, 6>, mp::sigmoid, mp::dense<6, 1>>;
    static float xs[16];
    static float ds[16];
    for (int k = 0; k < 16; ++k) {
        xs[k] = static_cast<float>(k) / 8.0f - 1.0f;
        ds[k] = (k % 3 == 0) ? 1.0f : -0.5f;  // not representable: the error stays above zero
    }
    static net_t net(2);
    static mp::levenberg_marquardt<net_t> lm(net);
    float previous = 1e30f;
    int rejected = 0;
    for (int epoch = 0; epoch < 80; ++epoch) {
        float before[net_t::parameter_count];
        std::memcpy(before, net.parameters().data(), sizeof before);
        ASSERT_EQ(lm.train_epoch(xs, ds), mp::status::ok);
        if (lm.last_step_accepted()) {
            EXPECT_LT(lm.last_loss(), previous);
            previous = lm.last_loss();
        } else {
            ++rejected;
            EXPECT_EQ(std::memcmp(before, net.parameters().data(), sizeof before), 0);
        }
    }
    EXPECT_GE(lm.damping(), net_t::scalar(0));
    (void)rejected;
}

// Bad data gets a status and changes nothing.
TEST(levenberg_marquardt, bad_data_changes_nothing)
{
    using net_t = mp::network<float, mp::dense<2, 4>, mp::tanh, mp::dense<4, 1>>;
    static net_t net(9);
    static mp::levenberg_marquardt<net_t> lm(net);
    float xs[6] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    float ds[3] = {1.0f, 0.0f, -1.0f};
    float before[net_t::parameter_count];
    std::memcpy(before, net.parameters().data(), sizeof before);
    const float lambda = lm.damping();
    auto unchanged = [&] {
        return std::memcmp(before, net.parameters().data(), sizeof before) == 0 && lm.damping() == lambda;
    };

    xs[3] = std::nanf("");
    EXPECT_EQ(lm.train_epoch(xs, ds), mp::status::non_finite_input);
    EXPECT_TRUE(unchanged());
    xs[3] = 0.4f;
    ds[1] = INFINITY;
    EXPECT_EQ(lm.train_epoch(xs, ds), mp::status::non_finite_target);
    EXPECT_TRUE(unchanged());
    ds[1] = 1e30f;  // (y - d)^2 overflows float
    EXPECT_EQ(lm.train_epoch(xs, ds), mp::status::non_finite_loss);
    EXPECT_TRUE(unchanged());
    ds[1] = 0.0f;
    EXPECT_EQ(lm.train_epoch(mp::span<const float>(xs, 5), mp::span<const float>(ds, 3)), mp::status::size_mismatch);
    EXPECT_EQ(lm.train_epoch(mp::span<const float>(xs, 6), mp::span<const float>(ds, 2)), mp::status::size_mismatch);
    EXPECT_EQ(lm.train_epoch(mp::span<const float>(xs, 0), mp::span<const float>(ds, 0)), mp::status::size_mismatch);
    EXPECT_TRUE(unchanged());
    EXPECT_EQ(lm.train_epoch(xs, ds), mp::status::ok);
    EXPECT_TRUE(mp::all_finite(net.parameters().data(), net_t::parameter_count));
}

}  // namespace


