// pruning.hpp against closed forms. On a linear model with squared error the loss is
// exactly quadratic with Hessian H = sum [x 1][x 1]^T, so Optimal Brain Surgeon must land
// on the least-squares solution constrained to the removed weights being zero (solved here
// directly, without H^-1), raising the loss by exactly w_q^2 / (2 [H^-1]_qq); and with
// orthogonal inputs (H diagonal) Optimal Brain Damage's saliency is the exact rise.
#include <cmath>
#include <cstring>
#include <utility>

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

// ---- Layer-wise Optimal Brain Surgeon ----

/// Solves the n x n system a x = b (n <= 8) by Gauss-Jordan elimination with partial pivoting.
template <int n>
void solve(double (&a)[n][n], double (&b)[n], double (&x)[n])
{
    for (int c = 0; c < n; ++c) {
        int pivot = c;
        for (int r = c + 1; r < n; ++r) {
            if (std::fabs(a[r][c]) > std::fabs(a[pivot][c])) pivot = r;
        }
        for (int j = 0; j < n; ++j) std::swap(a[c][j], a[pivot][j]);
        std::swap(b[c], b[pivot]);
        for (int r = 0; r < n; ++r) {
            if (r == c) continue;
            const double f = a[r][c] / a[c][c];
            for (int j = 0; j < n; ++j) a[r][j] -= f * a[c][j];
            b[r] -= f * b[c];
        }
    }
    for (int r = 0; r < n; ++r) x[r] = b[r] / a[r][r];
}

/// argmin over theta (n = inputs + 1, the last one a bias) of sum_k (theta . [y_k 1] - u_k)^2
/// with theta_j = 0 wherever keep[j] is false: the layer-wise reconstruction OBS must reach.
template <int n>
void reconstruction_least_squares(const double (*ys)[n - 1], const double* us, int count, const bool (&keep)[n],
                                  double (&theta)[n])
{
    double a[n][n] = {};
    double b[n] = {};
    for (int k = 0; k < count; ++k) {
        double row[n];
        for (int j = 0; j < n - 1; ++j) row[j] = ys[k][j];
        row[n - 1] = 1.0;
        for (int i = 0; i < n; ++i) {
            b[i] += row[i] * us[k];
            for (int j = 0; j < n; ++j) a[i][j] += row[i] * row[j];
        }
    }
    for (int i = 0; i < n; ++i) {
        if (keep[i]) continue;
        for (int j = 0; j < n; ++j) a[i][j] = a[j][i] = 0.0;
        a[i][i] = 1.0;
        b[i] = 0.0;
    }
    solve(a, b, theta);
}

TEST(pruning, layerwise_obs_is_exact_obs_on_a_linear_layer)
{
    // One dense layer with squared error: the loss is a sum over output rows of each row's
    // quadratic, so the full P x P Hessian is block-diagonal with (N times) the layer-wise H
    // in each block, and layer-wise OBS must make full OBS's choice and correction.
    using net_t = mp::network<double, mp::dense<3, 2>>;  // parameters: W (2 x 3), then b (2)
    constexpr int p = 8;
    const double second_targets[samples] = {0.2, -0.9, 1.3, 0.1, 0.4, -1.2, 0.8, 0.6};
    static net_t net;
    // Each row at its own least-squares fit, so both are at the loss's minimum.
    for (int row = 0; row < 2; ++row) {
        const bool all[4] = {true, true, true, true};
        double us[samples];
        for (int k = 0; k < samples; ++k) us[k] = row == 0 ? targets[k] : second_targets[k];
        double theta[4];
        reconstruction_least_squares<4>(inputs, us, samples, all, theta);
        for (int j = 0; j < 3; ++j) net.parameters()[static_cast<std::size_t>(row * 3 + j)] = theta[j];
        net.parameters()[static_cast<std::size_t>(6 + row)] = theta[3];
    }
    static mp::layerwise_obs<net_t> obs;
    obs.reset();
    for (int k = 0; k < samples; ++k) ASSERT_EQ(obs.accumulate(net, mp::span<const double>(inputs[k], 3)), mp::status::ok);
    ASSERT_EQ(obs.invert(0.0), mp::status::ok);

    // Closed form: H^-1 of (1/N) sum [x 1][x 1]^T, column by column.
    for (int j = 0; j < 4; ++j) {
        double a[4][4] = {};
        double e[4] = {};
        e[j] = 1.0;
        for (int k = 0; k < samples; ++k) {
            const double row[4] = {inputs[k][0], inputs[k][1], inputs[k][2], 1.0};
            for (int r = 0; r < 4; ++r) {
                for (int c = 0; c < 4; ++c) a[r][c] += row[r] * row[c] / samples;
            }
        }
        double column[4];
        solve(a, e, column);
        for (int r = 0; r < 4; ++r) EXPECT_NEAR(obs.inverse(0)[static_cast<std::size_t>(r * 4 + j)], column[r], 1e-9 * (1 + std::fabs(column[r])));
    }

    // Full OBS on the same network: exact P x P inverse of the squared error's Hessian.
    static double h_inverse[p * p];
    {
        double a[p][p] = {};
        for (int k = 0; k < samples; ++k) {
            for (int row = 0; row < 2; ++row) {
                double g[p] = {};  // d output_row / d theta
                for (int j = 0; j < 3; ++j) g[row * 3 + j] = inputs[k][j];
                g[6 + row] = 1.0;
                for (int r = 0; r < p; ++r) {
                    for (int c = 0; c < p; ++c) a[r][c] += g[r] * g[c];
                }
            }
        }
        for (int j = 0; j < p; ++j) {
            double m[p][p];
            std::memcpy(m, a, sizeof m);
            double e[p] = {};
            e[j] = 1.0;
            double column[p];
            solve(m, e, column);
            for (int r = 0; r < p; ++r) h_inverse[r * p + j] = column[r];
        }
    }
    // Layer-wise saliency is the loss rise divided by N (H carries the 1/N).
    static double layerwise_saliency[p];
    obs.saliency(net, mp::span<double>(layerwise_saliency));
    for (int q = 0; q < 6; ++q) {
        const double full = net.parameters()[static_cast<std::size_t>(q)] * net.parameters()[static_cast<std::size_t>(q)] /
                            (2 * h_inverse[q * p + q]);
        EXPECT_NEAR(layerwise_saliency[q] * samples, full, 1e-9 * (1 + full));
    }
    EXPECT_TRUE(std::isinf(layerwise_saliency[6]) && std::isinf(layerwise_saliency[7]));

    static net_t full = net;
    mp::pruning_mask<net_t> full_mask;
    ASSERT_EQ(mp::prune_optimal_brain_surgeon(full, full_mask, mp::span<double>(h_inverse), 1), mp::status::ok);
    mp::pruning_mask<net_t> mask;
    ASSERT_EQ(obs.prune(net, mask, 1), mp::status::ok);
    ASSERT_EQ(mask.pruned_count(), std::size_t(1));
    for (std::size_t q = 0; q < p; ++q) {
        EXPECT_EQ(mask.pruned(q), full_mask.pruned(q));
        EXPECT_NEAR(net.parameters()[q], full.parameters()[q], 1e-9);
    }

    // Three more: whichever the choice, each row must land on its constrained least-squares
    // fit (conditioning makes the per-row corrections exact), and the biases stay.
    ASSERT_EQ(obs.prune(net, mask, 3), mp::status::ok);
    ASSERT_EQ(mask.pruned_count(), std::size_t(4));
    EXPECT_FALSE(mask.pruned(6) || mask.pruned(7));
    for (int row = 0; row < 2; ++row) {
        bool keep[4] = {true, true, true, true};
        for (int j = 0; j < 3; ++j) keep[j] = !mask.pruned(static_cast<std::size_t>(row * 3 + j));
        double us[samples];
        for (int k = 0; k < samples; ++k) us[k] = row == 0 ? targets[k] : second_targets[k];
        double expected[4];
        reconstruction_least_squares<4>(inputs, us, samples, keep, expected);
        for (int j = 0; j < 3; ++j) EXPECT_NEAR(net.parameters()[static_cast<std::size_t>(row * 3 + j)], expected[j], 1e-9);
        EXPECT_NEAR(net.parameters()[static_cast<std::size_t>(6 + row)], expected[3], 1e-9);
    }
}

TEST(pruning, layerwise_obs_reconstructs_a_hidden_layers_preactivations)
{
    // 3-4-2 tanh network, pruning only the second layer: its inputs are the tanh outputs, and
    // each of its rows must end at the least-squares reconstruction of that row's original
    // pre-activations u = W2 z + b2 from [z 1] with the pruned weights at zero. The unconditioned
    // form (Dong et al.) applies each removal's correction alone: with two or more removals in
    // a row it misses that fit, and reconstructs worse.
    using net_t = mp::network<double, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>>;
    static net_t original(11);
    static net_t net;
    static net_t unconditioned;
    net = original;
    unconditioned = original;
    static mp::layerwise_obs<net_t> obs;
    obs.reset();
    double hidden[samples][4];
    double us[2][samples];
    for (int k = 0; k < samples; ++k) {
        ASSERT_EQ(obs.accumulate(net, mp::span<const double>(inputs[k], 3)), mp::status::ok);
        for (int j = 0; j < 4; ++j) hidden[k][j] = net.layer_output(0)[static_cast<std::size_t>(j)];
        for (int row = 0; row < 2; ++row) us[row][k] = net.output()[static_cast<std::size_t>(row)];
    }
    ASSERT_EQ(obs.invert(0.0), mp::status::ok);
    mp::pruning_mask<net_t> mask, unconditioned_mask;
    ASSERT_EQ(obs.prune_layer(net, mask, 1, 5), mp::status::ok);
    ASSERT_EQ(obs.prune_layer(unconditioned, unconditioned_mask, 1, 5, mp::obs_conditioning::unconditioned), mp::status::ok);
    EXPECT_EQ(mask.pruned_count(), std::size_t(5));
    constexpr std::size_t w2 = 3 * 4 + 4;  // first weight of layer 2
    constexpr std::size_t b2 = w2 + 4 * 2;
    for (std::size_t q = 0; q < w2; ++q) EXPECT_EQ(net.parameters()[q], original.parameters()[q]);  // layer 1 untouched
    double conditioned_error = 0.0, unconditioned_error = 0.0;
    for (int row = 0; row < 2; ++row) {
        bool keep[5] = {true, true, true, true, true};
        for (int j = 0; j < 4; ++j) keep[j] = !mask.pruned(w2 + static_cast<std::size_t>(row * 4 + j));
        double expected[5];
        reconstruction_least_squares<5>(hidden, us[row], samples, keep, expected);
        for (int j = 0; j < 4; ++j) EXPECT_NEAR(net.parameters()[w2 + static_cast<std::size_t>(row * 4 + j)], expected[j], 1e-8);
        EXPECT_NEAR(net.parameters()[b2 + static_cast<std::size_t>(row)], expected[4], 1e-8);
        for (int k = 0; k < samples; ++k) {
            double a = net.parameters()[b2 + static_cast<std::size_t>(row)] - us[row][k];
            double b = unconditioned.parameters()[b2 + static_cast<std::size_t>(row)] - us[row][k];
            for (int j = 0; j < 4; ++j) {
                a += net.parameters()[w2 + static_cast<std::size_t>(row * 4 + j)] * hidden[k][j];
                b += unconditioned.parameters()[w2 + static_cast<std::size_t>(row * 4 + j)] * hidden[k][j];
            }
            conditioned_error += a * a;
            unconditioned_error += b * b;
        }
    }
    EXPECT_LT(conditioned_error, unconditioned_error);
    // Pruned weights are zero in both forms.
    for (std::size_t q = 0; q < net_t::parameter_count; ++q) {
        if (mask.pruned(q)) EXPECT_EQ(net.parameters()[q], 0.0);
        if (unconditioned_mask.pruned(q)) EXPECT_EQ(unconditioned.parameters()[q], 0.0);
    }
}

TEST(pruning, layerwise_obs_bad_input_changes_nothing)
{
    using net_t = mp::network<float, mp::dense<2, 1>>;
    static net_t net;
    static mp::layerwise_obs<net_t> obs;
    obs.reset();
    mp::pruning_mask<net_t> mask;
    EXPECT_EQ(obs.prune(net, mask, 1), mp::status::invalid_hyperparameter);  // not inverted yet
    EXPECT_EQ(obs.invert(0.0f), mp::status::invalid_hyperparameter);          // no sample
    const float bad[2] = {1.0f, std::nanf("")};
    EXPECT_EQ(obs.accumulate(net, mp::span<const float>(bad)), mp::status::non_finite_input);
    EXPECT_EQ(obs.accumulate(net, mp::span<const float>(bad, 1)), mp::status::size_mismatch);
    // Collinear inputs (x2 = x1): H is singular without damping.
    const float xs[3][2] = {{1.0f, 1.0f}, {-2.0f, -2.0f}, {0.5f, 0.5f}};
    for (const auto& x : xs) ASSERT_EQ(obs.accumulate(net, mp::span<const float>(x)), mp::status::ok);
    EXPECT_EQ(obs.invert(0.0f), mp::status::singular_matrix);
    EXPECT_EQ(obs.invert(-1.0f), mp::status::invalid_hyperparameter);
    EXPECT_EQ(obs.invert(INFINITY), mp::status::invalid_hyperparameter);
    // The NaN sample added nothing and the failed inversions kept the sums: with damping the
    // diagonal of H^-1 is the closed form for these three samples.
    ASSERT_EQ(obs.invert(1e-3f), mp::status::ok);
    {
        // H = [[s, s, m], [s, s, m], [m, m, 1]] + lambda I, s = mean x^2 = 1.75, m = mean x = -1/6.
        double a[3][3] = {{1.75 + 1e-3, 1.75, -1.0 / 6}, {1.75, 1.75 + 1e-3, -1.0 / 6}, {-1.0 / 6, -1.0 / 6, 1.0 + 1e-3}};
        double e[3] = {1.0, 0.0, 0.0};
        double column[3];
        solve(a, e, column);
        EXPECT_NEAR(obs.inverse(0)[0], column[0], 1e-3 * column[0]);
    }
    EXPECT_EQ(obs.accumulate(net, mp::span<const float>(xs[0])), mp::status::invalid_hyperparameter);  // reset() first

    // Huge equal weights on collinear inputs: removing one moves the other by about the same
    // amount, past the float range: non_finite_parameter, and nothing changes.
    net.parameters()[0] = 3e38f;
    net.parameters()[1] = 3e38f;
    net.parameters()[2] = 0.5f;
    float before[net_t::parameter_count];
    std::memcpy(before, net.parameters().data(), sizeof before);
    EXPECT_EQ(obs.prune(net, mask, 1), mp::status::non_finite_parameter);
    EXPECT_EQ(std::memcmp(before, net.parameters().data(), sizeof before), 0);
    EXPECT_EQ(mask.pruned_count(), std::size_t(0));
    net.parameters()[0] = std::nanf("");
    EXPECT_EQ(obs.prune(net, mask, 1), mp::status::non_finite_parameter);
    EXPECT_EQ(mask.pruned_count(), std::size_t(0));
    net.parameters()[0] = 1.0f;
    net.parameters()[1] = 2.0f;
    ASSERT_EQ(obs.prune(net, mask, 5), mp::status::ok);  // asks for five, two exist
    EXPECT_EQ(mask.pruned_count(), std::size_t(2));
    EXPECT_EQ(obs.prune_layer(net, mask, 1, 1), mp::status::invalid_hyperparameter);
}

}  // namespace
