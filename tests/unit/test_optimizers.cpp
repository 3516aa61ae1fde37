// Single optimizer steps against formulas written out here, from a gradient
// the library computes (trainer::compute_gradient / compute_batch_gradient)
// at the same parameters:
//   sgd            w <- w - lr (g + wd w)
//   momentum       v <- mu v + (g + wd w),  w <- w - lr v
//   Nesterov       v <- mu v + (g + wd w),  w <- w - lr ((g + wd w) + mu v)
//   adam           m <- b1 m + (1 - b1) g,  v <- b2 v + (1 - b2) g^2,
//                  w <- w - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + epsilon)
// Per-sample steps (train_sample) and minibatch steps (train_batch, N = 2,
// whose gradient is the batch mean), in float and double. Momentum, Nesterov
// and Adam take two steps, so the state carried from the first step (and
// Adam's bias correction at t = 1 and t = 2) is checked.
//
// The formulas run in double with the optimizer's hyper-parameters as the
// library sees them (they are float members: 0.9f is 0.899999976 even for a
// double network). Tolerance: the library rounds each of a handful of
// operations to T, so |w_lib - w_hand| <= 8 eps_T (|w| + |step|), where step
// is the hand update.
//
// Settings: valid() at the edges of every range, and a bad setting refused at the next
// step with nothing changed (the sample limits where they are set).
#include <microprop/microprop.hpp>

#include <cmath>
#include <limits>

#include "microtest.hpp"
#include "numeric_support.hpp"

namespace {

namespace mp = microprop;
using numtest::absolute;

template <class T>
using net_t = mp::network<T, mp::dense<2, 3>, mp::tanh, mp::dense<3, 2>>;
constexpr std::size_t P = net_t<float>::parameter_count;

constexpr double sample_x[2][2] = {{0.6, -0.9}, {-0.3, 0.8}};
constexpr double sample_d[2][2] = {{0.4, -0.2}, {-0.7, 0.5}};

template <class T>
struct batch_data {
    T xs[2][2];
    T ds[2][2];
    batch_data()
    {
        for (int s = 0; s < 2; ++s) {
            for (int k = 0; k < 2; ++k) {
                xs[s][k] = static_cast<T>(sample_x[s][k]);
                ds[s][k] = static_cast<T>(sample_d[s][k]);
            }
        }
    }
};

/// The gradient the optimizer will see: one sample's, or the batch mean.
template <class T, std::size_t N>
void gradient_at(net_t<T>& net, const batch_data<T>& data, int step, double* g)
{
    net_t<T> copy = net;
    T out[P];
    if constexpr (N == 1) {
        mp::trainer<net_t<T>, mp::squared_error, mp::adam> probe(copy);
        const int s = step % 2;  // per-sample runs alternate between the two samples
        ASSERT_EQ(probe.compute_gradient(data.xs[s], data.ds[s], out), mp::status::ok);
    } else {
        mp::trainer<net_t<T>, mp::squared_error, mp::adam, N> probe(copy);
        ASSERT_EQ(probe.compute_batch_gradient(data.xs, data.ds, out), mp::status::ok);
    }
    for (std::size_t p = 0; p < P; ++p) g[p] = static_cast<double>(out[p]);
}

template <class T, std::size_t N, class Trainer>
mp::status take_step(Trainer& tr, const batch_data<T>& data, int step)
{
    if constexpr (N == 1) {
        return tr.train_sample(data.xs[step % 2], data.ds[step % 2]);
    } else {
        return tr.train_batch(data.xs, data.ds);
    }
}

/// Compares the network's parameters with the hand result; `before` is w
/// before the step and `expected` after it.
template <class T>
void compare(const net_t<T>& net, const double* before, const double* expected, const char* what)
{
    const double eps = static_cast<double>(mp::scalar_ops<T>::epsilon());
    for (std::size_t p = 0; p < P; ++p) {
        const double step = absolute(expected[p] - before[p]);
        NUMTEST_CLOSE(net.parameters()[p], expected[p], 8 * eps * (absolute(before[p]) + step), 0.0, what, p);
    }
    // The step must have moved every parameter, or the check above proves little.
    for (std::size_t p = 0; p < P; ++p) EXPECT_NE(static_cast<double>(net.parameters()[p]), before[p]);
}

template <class T>
void snapshot(const net_t<T>& net, double* w)
{
    for (std::size_t p = 0; p < P; ++p) w[p] = static_cast<double>(net.parameters()[p]);
}

template <class T>
double as_seen(float hyper_parameter)  // a float hyper-parameter as a T-typed step sees it
{
    return static_cast<double>(static_cast<T>(hyper_parameter));
}

// ---- SGD ---------------------------------------------------------------------------------

template <class T, std::size_t N>
NUMTEST_NOINLINE void sgd_case(float lr, float wd, std::uint32_t seed)
{
    net_t<T> net;
    numtest::fill_parameters(net, seed);
    const batch_data<T> data;
    mp::trainer<net_t<T>, mp::squared_error, mp::sgd, N> tr(net, mp::sgd{lr, wd});
    static_assert(decltype(tr)::fused_sgd == (N == 1), "per-sample sgd is the fused path");
    double w[P];
    double g[P];
    double expected[P];
    for (int step = 0; step < 2; ++step) {
        snapshot(net, w);
        gradient_at<T, N>(net, data, step, g);
        for (std::size_t p = 0; p < P; ++p) expected[p] = w[p] - as_seen<T>(lr) * (g[p] + as_seen<T>(wd) * w[p]);
        ASSERT_EQ((take_step<T, N>(tr, data, step)), mp::status::ok);
        compare(net, w, expected, "sgd");
    }
}

// ---- Momentum and Nesterov ---------------------------------------------------------------

template <class T, std::size_t N>
NUMTEST_NOINLINE void momentum_case(float lr, float mu, bool nesterov, float wd, std::uint32_t seed)
{
    net_t<T> net;
    numtest::fill_parameters(net, seed);
    const batch_data<T> data;
    mp::momentum opt;
    opt.learning_rate = lr;
    opt.momentum = mu;
    opt.nesterov = nesterov;
    opt.weight_decay = wd;
    mp::trainer<net_t<T>, mp::squared_error, mp::momentum, N> tr(net, opt);
    double w[P];
    double g[P];
    double v[P] = {};
    double expected[P];
    for (int step = 0; step < 2; ++step) {
        snapshot(net, w);
        gradient_at<T, N>(net, data, step, g);
        for (std::size_t p = 0; p < P; ++p) {
            const double gp = g[p] + as_seen<T>(wd) * w[p];
            v[p] = as_seen<T>(mu) * v[p] + gp;
            expected[p] = w[p] - as_seen<T>(lr) * (nesterov ? gp + as_seen<T>(mu) * v[p] : v[p]);
        }
        ASSERT_EQ((take_step<T, N>(tr, data, step)), mp::status::ok);
        compare(net, w, expected, nesterov ? "nesterov" : "momentum");
    }
}

// ---- Adam ----------------------------------------------------------------------------------

template <class T, std::size_t N>
NUMTEST_NOINLINE void adam_case(float lr, float wd, std::uint32_t seed)
{
    net_t<T> net;
    numtest::fill_parameters(net, seed);
    const batch_data<T> data;
    mp::adam opt;
    opt.learning_rate = lr;
    opt.weight_decay = wd;
    mp::trainer<net_t<T>, mp::squared_error, mp::adam, N> tr(net, opt);
    const double b1 = as_seen<T>(opt.beta1);
    const double b2 = as_seen<T>(opt.beta2);
    const double epsilon = as_seen<T>(opt.epsilon);
    double w[P];
    double g[P];
    double m[P] = {};
    double v[P] = {};
    double expected[P];
    for (int t = 1; t <= 2; ++t) {
        snapshot(net, w);
        gradient_at<T, N>(net, data, t - 1, g);
        const double m_correction = 1.0 - std::pow(b1, t);
        const double v_correction = 1.0 - std::pow(b2, t);
        for (std::size_t p = 0; p < P; ++p) {
            const double gp = g[p] + as_seen<T>(wd) * w[p];
            m[p] = b1 * m[p] + (1.0 - b1) * gp;
            v[p] = b2 * v[p] + (1.0 - b2) * gp * gp;
            expected[p] = w[p] - as_seen<T>(lr) * (m[p] / m_correction) / (std::sqrt(v[p] / v_correction) + epsilon);
        }
        ASSERT_EQ((take_step<T, N>(tr, data, t - 1)), mp::status::ok);
        compare(net, w, expected, t == 1 ? "adam step 1" : "adam step 2");
        if (t == 1) {
            // Bias correction at t = 1: m/(1-b1) = g and v/(1-b2) = g^2, so every
            // parameter whose gradient is well above epsilon moves by lr * sign(g).
            for (std::size_t p = 0; p < P; ++p) {
                if (absolute(g[p]) > 1e-3) {
                    NUMTEST_CLOSE(absolute(static_cast<double>(net.parameters()[p]) - w[p]), as_seen<T>(lr),
                                  16 * static_cast<double>(mp::scalar_ops<T>::epsilon()) + 1e-5 * as_seen<T>(lr), 0.0,
                                  "adam first step size", p);
                }
            }
        }
    }
}

}  // namespace

TEST(optimizers, float_sgd)
{
    sgd_case<float, 1>(0.1f, 0.0f, 1);    // fused per-sample path
    sgd_case<float, 1>(0.1f, 0.05f, 2);   // fused, with weight decay
    sgd_case<float, 2>(0.2f, 0.0f, 3);    // sgd::step on the batch mean
    sgd_case<float, 2>(0.2f, 0.05f, 4);
}
TEST(optimizers, double_sgd)
{
    sgd_case<double, 1>(0.1f, 0.0f, 1);
    sgd_case<double, 1>(0.1f, 0.05f, 2);
    sgd_case<double, 2>(0.2f, 0.0f, 3);
    sgd_case<double, 2>(0.2f, 0.05f, 4);
}
TEST(optimizers, float_momentum)
{
    momentum_case<float, 1>(0.1f, 0.9f, false, 0.0f, 5);
    momentum_case<float, 2>(0.05f, 0.8f, false, 0.01f, 6);
}
TEST(optimizers, double_momentum)
{
    momentum_case<double, 1>(0.1f, 0.9f, false, 0.0f, 5);
    momentum_case<double, 2>(0.05f, 0.8f, false, 0.01f, 6);
}
TEST(optimizers, float_nesterov)
{
    momentum_case<float, 1>(0.1f, 0.9f, true, 0.0f, 7);
    momentum_case<float, 2>(0.05f, 0.8f, true, 0.01f, 8);
}
TEST(optimizers, double_nesterov)
{
    momentum_case<double, 1>(0.1f, 0.9f, true, 0.0f, 7);
    momentum_case<double, 2>(0.05f, 0.8f, true, 0.01f, 8);
}
TEST(optimizers, float_adam_two_steps)
{
    adam_case<float, 1>(0.01f, 0.0f, 9);
    adam_case<float, 2>(0.001f, 0.0f, 10);
    adam_case<float, 1>(0.01f, 0.02f, 11);
}
TEST(optimizers, double_adam_two_steps)
{
    adam_case<double, 1>(0.01f, 0.0f, 9);
    adam_case<double, 2>(0.001f, 0.0f, 10);
    adam_case<double, 1>(0.01f, 0.02f, 11);
}

// ---- Settings: valid() at the edges of each range (issue 12, point 3) -------------------

TEST(settings, learning_rate_weight_decay_and_clip_edges)
{
    const float below_one = 0.99999994f;  // the largest float below 1
    const float nan = std::numeric_limits<float>::quiet_NaN();
    mp::sgd s;
    EXPECT_TRUE(s.valid());
    for (float lr : {0.0f, 1e-30f, mp::max_learning_rate}) {
        s.learning_rate = lr;
        EXPECT_TRUE(s.valid());
    }
    for (float lr : {-0.0f, -1e-30f, 1001.0f, 1e10f, nan, std::numeric_limits<float>::infinity()}) {
        s.learning_rate = lr;
        EXPECT_FALSE(s.valid());
    }
    s = mp::sgd{};
    s.weight_decay = mp::max_weight_decay;
    EXPECT_TRUE(s.valid());
    s.weight_decay = 1.0001f;
    EXPECT_FALSE(s.valid());
    s.weight_decay = -1e-6f;
    EXPECT_FALSE(s.valid());
    s = mp::sgd{};
    s.gradient_clip = std::numeric_limits<float>::max();
    EXPECT_TRUE(s.valid());
    s.gradient_clip = std::numeric_limits<float>::infinity();
    EXPECT_FALSE(s.valid());

    mp::momentum m;
    m.momentum = below_one;
    EXPECT_TRUE(m.valid());
    m.momentum = 1.0f;
    EXPECT_FALSE(m.valid());
    m.momentum = 0.0f;
    EXPECT_TRUE(m.valid());

    mp::adam a;
    EXPECT_TRUE(a.valid());
    a.beta2 = below_one;
    a.epsilon = std::numeric_limits<float>::denorm_min();
    EXPECT_TRUE(a.valid());
    a.beta1 = 1.0f;
    EXPECT_FALSE(a.valid());
    a = mp::adam{};
    a.epsilon = 0.0f;
    EXPECT_FALSE(a.valid());
    a = mp::adam{};
    a.beta1_power = 1.5;  // a step counter out of [0, 1]
    EXPECT_FALSE(a.valid());
}

TEST(settings, a_bad_setting_changes_nothing_and_the_fixed_one_trains)
{
    using net_t = mp::network<float, mp::dense<2, 3>, mp::tanh, mp::dense<3, 1>>;
    net_t net;
    numtest::fill_parameters(net, 9);
    const net_t start = net;
    mp::trainer<net_t, mp::squared_error, mp::adam> tr(net);
    const float x[] = {0.5f, -0.5f};
    const float d[] = {0.25f};
    tr.optimizer().beta2 = 1.0f;
    EXPECT_EQ(tr.settings_status(), mp::status::invalid_hyperparameter);
    EXPECT_EQ(tr.train_sample(x, d), mp::status::invalid_hyperparameter);
    EXPECT_TRUE(numtest::same_bits(start.parameters().data(), net.parameters().data(), net_t::parameter_count));
    EXPECT_EQ(tr.optimizer().beta1_power, 1.0);  // no step was counted
    tr.optimizer().beta2 = 0.999f;
    EXPECT_EQ(tr.train_sample(x, d), mp::status::ok);
    // The sample limits are set, not tested per step: a bad one is refused where it is set.
    EXPECT_EQ(tr.set_sample_limits(-1.0f, 1.0f), mp::status::invalid_hyperparameter);
    EXPECT_EQ(tr.set_sample_limits(std::numeric_limits<float>::quiet_NaN(), 1.0f), mp::status::invalid_hyperparameter);
    EXPECT_EQ(tr.input_limit(), 1e6f);
    EXPECT_EQ(tr.set_sample_limits(2.0f, 1.0f), mp::status::ok);
    const float big[] = {3.0f, 0.0f};
    EXPECT_EQ(tr.train_sample(big, d), mp::status::input_out_of_range);
    const float big_d[] = {1.5f};
    EXPECT_EQ(tr.train_sample(x, big_d), mp::status::target_out_of_range);
}
