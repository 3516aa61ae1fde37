// pruning.hpp against closed forms. On a linear model with squared error the loss is
// exactly quadratic with Hessian H = sum [x 1][x 1]^T, so Optimal Brain Surgeon must land
// on the least-squares solution constrained to the removed weights being zero (solved here
// directly, without H^-1), raising the loss by exactly w_q^2 / (2 [H^-1]_qq); and with
// orthogonal inputs (H diagonal) Optimal Brain Damage's saliency is the exact rise.
#include <cmath>
#include <cstring>

#include <microprop/microprop.hpp>
#include <microprop/pruning.hpp>

#include "microtest.hpp"

namespace {

namespace mp = microprop;

constexpr int samples = 8;
// 3 inputs, deliberately correlated (x3 ~ x1 + x2) so that OBS and OBD differ.
const double inputs[samples][3] = {{0.3, -1.2, -0.8},  {1.1, 0.4, 1.6},   {-0.7, 0.9, 0.1}, {0.5, 0.5, 1.1},
                                    {-1.3, -0.2, -1.4}, {0.9, -0.6, 0.2},  {0.0, 1.3, 1.2}, {-0.4, -0.9, -1.5}};
const double targets[samples] = {-1.1, 2.4, 0.3, 1.7, -2.2, 0.5, 1.4, -1.9};

/// Least squares over the kept columns of [x1 x2 x3 1] (a column with keep[j] false is fixed
/// at zero): solves the normal equations by elimination. Writes all four coefficients.
void constrained_least_squares(const bool (&keep)[4], double (&theta)[4])
{
    double a[4][4] = {};
    double b[4] = {};
    for (int n = 0; n < samples; ++n) {
        const double row[4] = {inputs[n][0], inputs[n][1], inputs[n][2], 1.0};
        for (int i = 0; i < 4; ++i) {
            b[i] += row[i] * targets[n];
            for (int j = 0; j < 4; ++j) a[i][j] += row[i] * row[j];
        }
    }
    for (int i = 0; i < 4; ++i) {
        if (keep[i]) continue;
        for (int j = 0; j < 4; ++j) a[i][j] = a[j][i] = 0.0;
        a[i][i] = 1.0;
        b[i] = 0.0;
    }
    for (int c = 0; c < 4; ++c) {
        for (int r = c + 1; r < 4; ++r) {
            const double f = a[r][c] / a[c][c];
            for (int j = c; j < 4; ++j) a[r][j] -= f * a[c][j];
            b[r] -= f * b[c];
        }
    }
    for (int r = 3; r >= 0; --r) {
        double s = b[r];
        for (int j = r + 1; j < 4; ++j) s -= a[r][j] * theta[j];
        theta[r] = s / a[r][r];
    }
}

using linear = mp::network<double, mp::dense<3, 1>>;  // parameters: w1 w2 w3 b

double loss(linear& net)
{
    double e = 0.0;
    for (int n = 0; n < samples; ++n) {
        const double r = net.forward_unchecked(inputs[n])[0] - targets[n];
        e += r * r / 2;
    }
    return e;
}

TEST(pruning, optimal_brain_surgeon_lands_on_the_constrained_least_squares_solution)
{
    static linear net;
    const bool all[4] = {true, true, true, true};
    double theta[4];
    constrained_least_squares(all, theta);
    for (int q = 0; q < 4; ++q) net.parameters()[q] = theta[q];
    const double minimum = loss(net);

    // H^-1 exactly, by Gauss-Jordan on H = sum [x 1][x 1]^T (and, as a cross-check, the
    // library's sequential Woodbury updates from alpha = 1e-6, which differ by about alpha).
    static double h_inverse[16];
    {
        double a[4][8] = {};
        for (int n = 0; n < samples; ++n) {
            const double row[4] = {inputs[n][0], inputs[n][1], inputs[n][2], 1.0};
            for (int i = 0; i < 4; ++i) {
                for (int j = 0; j < 4; ++j) a[i][j] += row[i] * row[j];
            }
        }
        for (int i = 0; i < 4; ++i) a[i][4 + i] = 1.0;
        for (int c = 0; c < 4; ++c) {
            const double pivot = a[c][c];
            for (int j = 0; j < 8; ++j) a[c][j] /= pivot;
            for (int r = 0; r < 4; ++r) {
                if (r == c) continue;
                const double f = a[r][c];
                for (int j = 0; j < 8; ++j) a[r][j] -= f * a[c][j];
            }
        }
        for (int i = 0; i < 4; ++i) {
            for (int j = 0; j < 4; ++j) h_inverse[i * 4 + j] = a[i][4 + j];
        }
        static double woodbury[16];
        static double scratch[mp::sequential_inverse_scratch_size<linear>];
        mp::set_scaled_identity(mp::span<double>(woodbury), 4, 1e6);
        for (int n = 0; n < samples; ++n) {
            ASSERT_EQ(mp::sequential_inverse_hessian_unchecked<mp::squared_error>(net, inputs[n], &targets[n], mp::span<double>(woodbury),
                                                                  mp::span<double>(scratch)),
                      mp::status::ok);
        }
        for (int i = 0; i < 16; ++i) EXPECT_NEAR(woodbury[i], h_inverse[i], 1e-4 * (1 + std::fabs(h_inverse[i])));
    }
    double predicted_rise[4];
    for (int q = 0; q < 3; ++q) predicted_rise[q] = theta[q] * theta[q] / (2 * h_inverse[q * 4 + q]);

    mp::pruning_mask<linear> mask;
    ASSERT_EQ(mp::prune_optimal_brain_surgeon(net, mask, mp::span<double>(h_inverse), 1), mp::status::ok);
    ASSERT_EQ(mask.pruned_count(), std::size_t(1));
    int removed = -1;
    for (int q = 0; q < 3; ++q) {
        if (mask.pruned(static_cast<std::size_t>(q))) removed = q;
    }
    ASSERT_GE(removed, 0);
    // It chose the weight with the smallest predicted rise...
    for (int q = 0; q < 3; ++q) EXPECT_LE(predicted_rise[removed], predicted_rise[q]);
    // ...the rise is exactly that (the loss is quadratic)...
    EXPECT_NEAR(loss(net) - minimum, predicted_rise[removed], 1e-9 * (1 + predicted_rise[removed]));
    // ...and the other weights moved to the least-squares solution without that weight.
    bool keep[4] = {true, true, true, true};
    keep[removed] = false;
    double expected[4];
    constrained_least_squares(keep, expected);
    for (int q = 0; q < 4; ++q) EXPECT_NEAR(net.parameters()[q], expected[q], 1e-9);
    EXPECT_EQ(net.parameters()[static_cast<std::size_t>(removed)], 0.0);

    // A second removal uses H^-1 conditioned on the first: again the constrained solution.
    ASSERT_EQ(mp::prune_optimal_brain_surgeon(net, mask, mp::span<double>(h_inverse), 1), mp::status::ok);
    ASSERT_EQ(mask.pruned_count(), std::size_t(2));
    for (int q = 0; q < 3; ++q) keep[q] = !mask.pruned(static_cast<std::size_t>(q));
    constrained_least_squares(keep, expected);
    for (int q = 0; q < 4; ++q) EXPECT_NEAR(net.parameters()[q], expected[q], 1e-9);
}

TEST(pruning, optimal_brain_damage_is_exact_when_the_hessian_is_diagonal)
{
    // Orthogonal, zero-mean input columns: H = diag(sum x_j^2, ..., n) and the weights
    // decouple, so removing w_q raises the loss by exactly h_qq w_q^2 / 2.
    using net_t = mp::network<double, mp::dense<2, 1>>;
    static net_t net;
    const double xs[4][2] = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
    const double ds[4] = {3.5, 0.5, -0.5, -3.5};  // 2 x1 + 1.5 x2, no bias; exact fit
    net.parameters()[0] = 2.0;
    net.parameters()[1] = 1.5;
    net.parameters()[2] = 0.0;
    static double diagonal[3];
    static double scratch[64];
    for (int n = 0; n < 4; ++n) {
        ASSERT_EQ(mp::hessian_diagonal_unchecked<mp::squared_error>(net, xs[n], &ds[n], mp::span<double>(diagonal),
                                                          mp::span<double>(scratch)),
                  mp::status::ok);
    }
    EXPECT_NEAR(diagonal[0], 4.0, 1e-12);
    EXPECT_NEAR(diagonal[1], 4.0, 1e-12);
    double saliency[3];
    mp::obd_saliency(net, mp::span<const double>(diagonal), mp::span<double>(saliency));
    EXPECT_NEAR(saliency[0], 4.0 * 4.0 / 2, 1e-12);
    EXPECT_NEAR(saliency[1], 4.0 * 2.25 / 2, 1e-12);
    EXPECT_TRUE(std::isinf(saliency[2]));  // the bias is never pruned
    mp::pruning_mask<net_t> mask;
    EXPECT_EQ(mp::prune_lowest(net, mask, mp::span<const double>(saliency), 1), std::size_t(1));
    EXPECT_TRUE(mask.pruned(1));
    double rise = 0.0;
    for (int n = 0; n < 4; ++n) {
        const double r = net.forward(xs[n])[0] - ds[n];
        rise += r * r / 2;
    }
    EXPECT_NEAR(rise, saliency[1], 1e-12);
    // Only two weights exist: asking for five prunes the one left.
    EXPECT_EQ(mp::prune_lowest(net, mask, mp::span<const double>(saliency), 5), std::size_t(1));
    EXPECT_EQ(mask.pruned_count(), std::size_t(2));
}

TEST(pruning, retraining_keeps_pruned_weights_at_zero)
{
    using net_t = mp::network<float, mp::dense<4, 6>, mp::tanh, mp::dense<6, 3>, mp::softmax>;
    static net_t net(4);
    static_assert(mp::pruning_mask<net_t>::weight_count == 4 * 6 + 6 * 3, "weights of a 4-6-3 network");
    static float saliency[net_t::parameter_count];
    mp::magnitude_saliency(net, mp::span<float>(saliency));
    mp::pruning_mask<net_t> mask;
    EXPECT_EQ(mp::prune_lowest(net, mask, mp::span<const float>(saliency), 21), std::size_t(21));
    float before[net_t::parameter_count];
    std::memcpy(before, net.parameters().data(), sizeof before);
    mp::trainer<net_t, mp::cross_entropy, mp::momentum> tr(net, mp::momentum{0.1f, 0.9f});
    const float x[4] = {0.5f, -1.0f, 0.25f, 2.0f};
    const float d[3] = {0.0f, 1.0f, 0.0f};
    for (int step = 0; step < 20; ++step) {
        ASSERT_EQ(tr.train_sample(x, d), mp::status::ok);
        mask.apply(net);
    }
    std::size_t zero = 0, moved = 0;
    for (std::size_t q = 0; q < net_t::parameter_count; ++q) {
        if (mask.pruned(q)) {
            zero += net.parameters()[q] == 0.0f ? 1 : 0;
        } else {
            moved += net.parameters()[q] != before[q] ? 1 : 0;
        }
    }
    EXPECT_EQ(zero, std::size_t(21));
    EXPECT_GT(moved, std::size_t(20));
    // The 21 pruned were the 21 smallest in magnitude.
    float largest_pruned = 0.0f, smallest_kept = 1e30f;
    for (std::size_t q = 0; q < net_t::parameter_count; ++q) {
        if (!mp::pruning_mask<net_t>::is_weight(q)) continue;
        const float m = std::fabs(before[q]);
        if (mask.pruned(q)) { if (m > largest_pruned) largest_pruned = m; }
        else if (m < smallest_kept) { smallest_kept = m; }
    }
    EXPECT_LE(largest_pruned, smallest_kept);
}

TEST(pruning, a_bad_inverse_hessian_changes_nothing)
{
    using net_t = mp::network<float, mp::dense<2, 2>, mp::dense<2, 1>>;
    static net_t net(8);
    static float h_inverse[net_t::parameter_count * net_t::parameter_count];
    mp::set_scaled_identity(mp::span<float>(h_inverse), net_t::parameter_count, 1.0f);
    h_inverse[0] = -1.0f;
    float before[net_t::parameter_count];
    std::memcpy(before, net.parameters().data(), sizeof before);
    mp::pruning_mask<net_t> mask;
    EXPECT_EQ(mp::prune_optimal_brain_surgeon(net, mask, mp::span<float>(h_inverse), 2), mp::status::invalid_hyperparameter);
    h_inverse[0] = std::nanf("");
    EXPECT_EQ(mp::prune_optimal_brain_surgeon(net, mask, mp::span<float>(h_inverse), 2), mp::status::invalid_hyperparameter);
    EXPECT_EQ(mp::prune_optimal_brain_surgeon(net, mask, mp::span<float>(h_inverse, 5), 2), mp::status::size_mismatch);
    EXPECT_EQ(std::memcmp(before, net.parameters().data(), sizeof before), 0);
    EXPECT_EQ(mask.pruned_count(), std::size_t(0));
}

}  // namespace
