// The two-layer closed forms of include/microprop/theory.md section 1 / DL (4.3)-(4.8), written
// out by hand with explicit loops (no library kernel), for identity output and
// squared error, compared with trainer::compute_gradient:
//
//   u^(2) = W^(2) x + b^(2),  z^(2) = f(u^(2)),  y = u^(3) = W^(3) z^(2) + b^(3)
//   E = 1/2 ||y - d||^2                                                    (4.1)
//   dE/dw_kj^(3) = (y_k - d_k) z_j^(2),  dE/db_k^(3) = y_k - d_k            (4.6)
//   dE/dw_ji^(2) = f'(u_j^(2)) sum_k w_kj^(3) (y_k - d_k) x_i               (4.8)
//   dE/db_j^(2)  = f'(u_j^(2)) sum_k w_kj^(3) (y_k - d_k)
//
// and the minibatch matrix form (4.14a)/(4.15) for N samples as columns:
//   dW^(l) = (1/N) Delta^(l) Z^(l-1)^T,  db^(l) = (1/N) Delta^(l) 1_N.
//
// The parameters are read through offsets computed here from the documented
// order (W^(2) [out][in] row-major, b^(2), W^(3), b^(3)), which checks that
// order as well. f and f' are evaluated from u with <cmath>, in double.
#include <microprop/microprop.hpp>

#include <cmath>

#include "microtest.hpp"
#include "numeric_support.hpp"

namespace {

namespace mp = microprop;

constexpr std::size_t I = 3;  // inputs
constexpr std::size_t H = 4;  // hidden units (layer 2)
constexpr std::size_t K = 2;  // outputs (layer 3)
constexpr std::size_t w2_offset = 0;
constexpr std::size_t b2_offset = H * I;
constexpr std::size_t w3_offset = H * I + H;
constexpr std::size_t b3_offset = H * I + H + K * H;
constexpr std::size_t parameter_count = H * I + H + K * H + K;

// The hidden activation and its derivative, both as functions of u.
enum class hidden_kind { identity, sigmoid, tanh, relu, leaky_relu };

// The library keeps the leaky ReLU slope as a float constant (0.01f), so a
// double network uses 0.01f converted to double; the hand formula uses the same.
const double leaky_slope = static_cast<double>(mp::leaky_relu::parameter);

double f(hidden_kind kind, double u)
{
    switch (kind) {
        case hidden_kind::identity: return u;
        case hidden_kind::sigmoid: return 1.0 / (1.0 + std::exp(-u));
        case hidden_kind::tanh: return std::tanh(u);
        case hidden_kind::relu: return u > 0 ? u : 0.0;
        case hidden_kind::leaky_relu: return u > 0 ? u : leaky_slope * u;
    }
    return 0;
}
double f_prime(hidden_kind kind, double u)
{
    switch (kind) {
        case hidden_kind::identity: return 1.0;
        case hidden_kind::sigmoid: {
            const double e = std::exp(-u);
            return e / ((1.0 + e) * (1.0 + e));
        }
        case hidden_kind::tanh: {
            const double c = std::cosh(u);
            return 1.0 / (c * c);
        }
        case hidden_kind::relu: return u > 0 ? 1.0 : 0.0;
        case hidden_kind::leaky_relu: return u > 0 ? 1.0 : leaky_slope;
    }
    return 0;
}

template <class Activation>
constexpr hidden_kind kind_of()
{
    if (std::is_same<Activation, mp::sigmoid>::value) return hidden_kind::sigmoid;
    if (std::is_same<Activation, mp::tanh>::value) return hidden_kind::tanh;
    if (std::is_same<Activation, mp::relu>::value) return hidden_kind::relu;
    if (std::is_same<Activation, mp::leaky_relu>::value) return hidden_kind::leaky_relu;
    return hidden_kind::identity;
}

/// One sample's forward pass and gradient by the closed forms, in double.
/// Returns the loss; writes y and dE/dtheta (parameter order).
double closed_form(hidden_kind kind, const double* theta, const double* x, const double* d, double* y,
                   double* grad)
{
    double u2[H];
    double z2[H];
    for (std::size_t j = 0; j < H; ++j) {
        double acc = theta[b2_offset + j];
        for (std::size_t i = 0; i < I; ++i) acc += theta[w2_offset + j * I + i] * x[i];
        u2[j] = acc;
        z2[j] = f(kind, acc);
    }
    double error[K];  // y_k - d_k, the output delta of (4.4)
    double loss = 0;
    for (std::size_t k = 0; k < K; ++k) {
        double acc = theta[b3_offset + k];
        for (std::size_t j = 0; j < H; ++j) acc += theta[w3_offset + k * H + j] * z2[j];
        y[k] = acc;
        error[k] = acc - d[k];
        loss += 0.5 * error[k] * error[k];
    }
    for (std::size_t k = 0; k < K; ++k) {  // (4.6)
        for (std::size_t j = 0; j < H; ++j) grad[w3_offset + k * H + j] = error[k] * z2[j];
        grad[b3_offset + k] = error[k];
    }
    for (std::size_t j = 0; j < H; ++j) {  // (4.8)
        double back = 0;
        for (std::size_t k = 0; k < K; ++k) back += theta[w3_offset + k * H + j] * error[k];
        const double delta = f_prime(kind, u2[j]) * back;
        for (std::size_t i = 0; i < I; ++i) grad[w2_offset + j * I + i] = delta * x[i];
        grad[b2_offset + j] = delta;
    }
    return loss;
}

// Tolerances. The hand formulas run in double on the network's own parameter
// values, so for a double network only the summation order and the libm
// calls differ: a few ulps of O(1) values, allowed 1e-13 + 1e-12 |g|
// (measured worst 7.8e-16). For a float network the library rounds every
// intermediate to float (eps 1.2e-7) through two layers of O(1) values:
// allowed 2e-6 + 2e-5 |g| (measured worst 3.1e-7).
template <class T>
struct tolerance;
template <>
struct tolerance<float> {
    static constexpr double atol = 2e-6;
    static constexpr double rtol = 2e-5;
};
template <>
struct tolerance<double> {
    static constexpr double atol = 1e-13;
    static constexpr double rtol = 1e-12;
};

template <class T, class Hidden>
NUMTEST_NOINLINE void per_sample_case(std::uint32_t seed)
{
    using net_t = mp::network<T, mp::dense<I, H>, Hidden, mp::dense<H, K>, mp::identity>;
    static_assert(net_t::parameter_count == parameter_count, "the test's offsets assume this shape");
    using tol = tolerance<T>;
    constexpr hidden_kind kind = kind_of<Hidden>();

    net_t net;
    numtest::fill_parameters(net, seed);
    double theta[parameter_count];
    for (std::size_t p = 0; p < parameter_count; ++p) theta[p] = static_cast<double>(net.parameters()[p]);
    // The documented layout: weights(l)(j, i) is parameters()[offset + j * in + i].
    EXPECT_EQ(&net.weights(0)(2, 1), &net.parameters()[w2_offset + 2 * I + 1]);
    EXPECT_EQ(&net.biases(0)[3], &net.parameters()[b2_offset + 3]);
    EXPECT_EQ(&net.weights(1)(1, 3), &net.parameters()[w3_offset + 1 * H + 3]);
    EXPECT_EQ(&net.biases(1)[1], &net.parameters()[b3_offset + 1]);

    numtest::lcg rng(seed + 500);
    mp::trainer<net_t, mp::squared_error, mp::adam> tr(net);
    for (int sample = 0; sample < 4; ++sample) {
        T x[I];
        T d[K];
        double xd[I];
        double dd[K];
        for (std::size_t i = 0; i < I; ++i) xd[i] = static_cast<double>(x[i] = static_cast<T>(1.5 * rng.symmetric()));
        for (std::size_t k = 0; k < K; ++k) dd[k] = static_cast<double>(d[k] = static_cast<T>(rng.symmetric()));

        double y[K];
        double expected[parameter_count];
        const double loss = closed_form(kind, theta, xd, dd, y, expected);

        T gradient[parameter_count];
        ASSERT_EQ(tr.compute_gradient(x, d, gradient), mp::status::ok);
        NUMTEST_CLOSE(tr.last_loss(), loss, tol::atol, tol::rtol, "loss", 0);
        for (std::size_t k = 0; k < K; ++k) NUMTEST_CLOSE(net.output()[k], y[k], tol::atol, tol::rtol, "output y", k);
        for (std::size_t p = 0; p < parameter_count; ++p) {
            NUMTEST_CLOSE(gradient[p], expected[p], tol::atol, tol::rtol, "dE/dtheta", p);
        }
    }
}

template <class T, class Hidden>
NUMTEST_NOINLINE void minibatch_case(std::uint32_t seed)
{
    using net_t = mp::network<T, mp::dense<I, H>, Hidden, mp::dense<H, K>, mp::identity>;
    using tol = tolerance<T>;
    constexpr hidden_kind kind = kind_of<Hidden>();
    constexpr std::size_t N = 3;

    net_t net;
    numtest::fill_parameters(net, seed);
    double theta[parameter_count];
    for (std::size_t p = 0; p < parameter_count; ++p) theta[p] = static_cast<double>(net.parameters()[p]);

    T xs[N][I];
    T ds[N][K];
    numtest::lcg rng(seed + 900);
    for (std::size_t s = 0; s < N; ++s) {
        for (std::size_t i = 0; i < I; ++i) xs[s][i] = static_cast<T>(1.5 * rng.symmetric());
        for (std::size_t k = 0; k < K; ++k) ds[s][k] = static_cast<T>(rng.symmetric());
    }

    // (4.14a): U2 = W2 X + b2 1^T, Z2 = f(U2), Y = W3 Z2 + b3 1^T, columns are samples.
    double u2[H][N];
    double z2[H][N];
    double delta3[K][N];
    double loss = 0;
    for (std::size_t j = 0; j < H; ++j) {
        for (std::size_t s = 0; s < N; ++s) {
            double acc = theta[b2_offset + j];
            for (std::size_t i = 0; i < I; ++i) acc += theta[w2_offset + j * I + i] * static_cast<double>(xs[s][i]);
            u2[j][s] = acc;
            z2[j][s] = f(kind, acc);
        }
    }
    for (std::size_t k = 0; k < K; ++k) {
        for (std::size_t s = 0; s < N; ++s) {
            double acc = theta[b3_offset + k];
            for (std::size_t j = 0; j < H; ++j) acc += theta[w3_offset + k * H + j] * z2[j][s];
            delta3[k][s] = acc - static_cast<double>(ds[s][k]);
            loss += 0.5 * delta3[k][s] * delta3[k][s] / N;
        }
    }
    // (4.15): Delta2 = f'(U2) o (W3^T Delta3); dW = (1/N) Delta Z^T; db = (1/N) Delta 1.
    double delta2[H][N];
    for (std::size_t j = 0; j < H; ++j) {
        for (std::size_t s = 0; s < N; ++s) {
            double back = 0;
            for (std::size_t k = 0; k < K; ++k) back += theta[w3_offset + k * H + j] * delta3[k][s];
            delta2[j][s] = f_prime(kind, u2[j][s]) * back;
        }
    }
    double expected[parameter_count];
    for (std::size_t k = 0; k < K; ++k) {
        double bias = 0;
        for (std::size_t s = 0; s < N; ++s) bias += delta3[k][s];
        expected[b3_offset + k] = bias / N;
        for (std::size_t j = 0; j < H; ++j) {
            double acc = 0;
            for (std::size_t s = 0; s < N; ++s) acc += delta3[k][s] * z2[j][s];
            expected[w3_offset + k * H + j] = acc / N;
        }
    }
    for (std::size_t j = 0; j < H; ++j) {
        double bias = 0;
        for (std::size_t s = 0; s < N; ++s) bias += delta2[j][s];
        expected[b2_offset + j] = bias / N;
        for (std::size_t i = 0; i < I; ++i) {
            double acc = 0;
            for (std::size_t s = 0; s < N; ++s) acc += delta2[j][s] * static_cast<double>(xs[s][i]);
            expected[w2_offset + j * I + i] = acc / N;
        }
    }

    mp::trainer<net_t, mp::squared_error, mp::sgd, N> tr(net);
    T gradient[parameter_count];
    ASSERT_EQ(tr.compute_batch_gradient(xs, ds, gradient), mp::status::ok);
    NUMTEST_CLOSE(tr.last_loss(), loss, tol::atol, tol::rtol, "batch loss", 0);
    for (std::size_t p = 0; p < parameter_count; ++p) {
        NUMTEST_CLOSE(gradient[p], expected[p], tol::atol, tol::rtol, "batch dE/dtheta", p);
    }
}

template <class T>
void all_hidden(std::uint32_t seed)
{
    per_sample_case<T, mp::identity>(seed + 1);
    per_sample_case<T, mp::sigmoid>(seed + 2);
    per_sample_case<T, mp::tanh>(seed + 3);
    per_sample_case<T, mp::relu>(seed + 4);
    per_sample_case<T, mp::leaky_relu>(seed + 5);
}

template <class T>
void all_hidden_minibatch(std::uint32_t seed)
{
    minibatch_case<T, mp::identity>(seed + 1);
    minibatch_case<T, mp::sigmoid>(seed + 2);
    minibatch_case<T, mp::tanh>(seed + 3);
    minibatch_case<T, mp::relu>(seed + 4);
    minibatch_case<T, mp::leaky_relu>(seed + 5);
}

}  // namespace

TEST(closed_forms, float_two_layer_per_sample) { all_hidden<float>(100); }
TEST(closed_forms, double_two_layer_per_sample) { all_hidden<double>(200); }
TEST(closed_forms, float_two_layer_minibatch_of_3) { all_hidden_minibatch<float>(300); }
TEST(closed_forms, double_two_layer_minibatch_of_3) { all_hidden_minibatch<double>(400); }

// The trainer's one-pass loss and output delta against the loss values written out here
// and the fused delta y - d (DL 4.4, DLfS 5.6.3), for each matched pair; a target of 0
// contributes nothing to the cross-entropies' sums.
TEST(closed_forms, loss_value_and_fused_delta_in_one_pass)
{
    const float y[4] = {0.1f, 0.6f, 0.2f, 0.1f};
    const float d[4] = {0.0f, 1.0f, 0.0f, 0.0f};
    float delta[4];
    const float se = mp::value_and_output_delta<mp::squared_error>(mp::activation_kind::identity, 0.0f, y, d, delta, 4);
    EXPECT_NEAR(se, 0.5f * (0.01f + 0.16f + 0.04f + 0.01f), 1e-6f);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(delta[k], y[k] - d[k]);
    const float ce = mp::value_and_output_delta<mp::cross_entropy>(mp::activation_kind::softmax, 0.0f, y, d, delta, 4);
    EXPECT_NEAR(ce, -std::log(0.6f), 1e-6f);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(delta[k], y[k] - d[k]);
    const float bce =
        mp::value_and_output_delta<mp::binary_cross_entropy>(mp::activation_kind::sigmoid, 0.0f, y, d, delta, 4);
    EXPECT_NEAR(bce, -(std::log(0.9f) + std::log(0.6f) + std::log(0.8f) + std::log(0.9f)), 1e-5f);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(delta[k], y[k] - d[k]);
    // Not fused (squared error after a sigmoid): delta = (y - d) y (1 - y), value as before.
    const float se_sigmoid = mp::value_and_output_delta<mp::squared_error>(mp::activation_kind::sigmoid, 0.0f, y, d, delta, 4);
    EXPECT_NEAR(se_sigmoid, se, 1e-7f);
    for (int k = 0; k < 4; ++k) EXPECT_NEAR(delta[k], (y[k] - d[k]) * y[k] * (1.0f - y[k]), 1e-7f);
}
