// Backpropagation against finite differences for every layer, activation and
// loss combination (DL 4.4.3), in float and double:
//  - every activation except softmax as the hidden activation, with 1, 2 and 3
//    hidden layers,
//  - every activation as the output, with each loss that fits it:
//    squared_error after all six (softmax through the general Jacobian path),
//    cross_entropy after softmax and binary_cross_entropy after sigmoid,
//  - checked twice: by the library's mp::check_gradient, and by central
//    differences computed here with the test's own loss functions and step.
// Also: the minibatch gradient is the mean of the per-sample gradients, and
// the fused per-sample SGD step equals w - lr * grad.
#include <microprop/microprop.hpp>

#include "microtest.hpp"
#include "numeric_support.hpp"

namespace {

namespace mp = microprop;
using numtest::absolute;

// ---- Tolerances ---------------------------------------------------------------------------
//
// Own check: central difference with step h = cbrt(eps) * max(1, |w|), the step that
// balances the truncation error (h^2/6 * E''') against the rounding error
// (~ eps * |E| / h); both are then ~eps^(2/3): 4e-5 in float, 4e-11 in double.
// The loss is computed in double from the network's outputs, so the rounding
// that remains is the forward pass's own (a few ulps of the outputs,
// amplified by 1/h). Measured worst |a - n| over all combinations below
// (printed by the last test of each type): float 2.9e-5, double 8e-11. The
// tolerances leave about 10x headroom:
//   float:  |a - n| <= 3e-4 + 2e-3 * max(|a|, |n|)
//   double: |a - n| <= 1e-9 + 1e-7 * max(|a|, |n|)
// A real backprop mistake (a wrong derivative, a missing term, a transposed
// index) changes gradients by O(1) relative, far beyond either; replacing the
// leaky ReLU slope 0.01 by 0 in the derivative, or the softmax Jacobian's
// sum by 0.99 of it, fails every case that uses them.
//
// mp::check_gradient uses the same step and the loss in double, and scales its
// relative error by the difference quotient's own uncertainty (gradient_check.hpp):
// a correct gradient reports below 1e-2 in float (measured worst 7.8e-4) and below
// 1e-4 in double (measured worst 1.9e-5).
// Each image defines only the specialisations it uses (NUMTEST_ONLY_FLOAT / _DOUBLE): Clang's
// -Wunused-const-variable reports the members of an unused one.
template <class T>
struct tolerance;
#if !defined(NUMTEST_ONLY_DOUBLE)
template <>
struct tolerance<float> {
    static constexpr double own_atol = 3e-4;
    static constexpr double own_rtol = 2e-3;
    static constexpr double library_max_relative = 1e-2;
};
#endif
#if !defined(NUMTEST_ONLY_FLOAT)
template <>
struct tolerance<double> {
    static constexpr double own_atol = 1e-9;
    static constexpr double own_rtol = 1e-7;
    static constexpr double library_max_relative = 1e-4;
};
#endif

// ---- Output activation / loss pairs -----------------------------------------------------

// Each pair names the output activation, the loss, and a target that fits them.
struct identity_se {
    using output = mp::identity;
    using loss = mp::squared_error;
    static constexpr double target[3] = {0.3, -0.8, 1.2};
    static constexpr const char* name = "identity/squared_error";
};
struct sigmoid_se {
    using output = mp::sigmoid;
    using loss = mp::squared_error;
    static constexpr double target[3] = {0.9, 0.1, 0.6};
    static constexpr const char* name = "sigmoid/squared_error";
};
struct tanh_se {
    using output = mp::tanh;
    using loss = mp::squared_error;
    static constexpr double target[3] = {0.5, -0.7, 0.2};
    static constexpr const char* name = "tanh/squared_error";
};
struct relu_se {
    using output = mp::relu;
    using loss = mp::squared_error;
    static constexpr double target[3] = {0.8, 0.2, 1.1};
    static constexpr const char* name = "relu/squared_error";
};
struct leaky_se {
    using output = mp::leaky_relu;
    using loss = mp::squared_error;
    static constexpr double target[3] = {0.8, -0.3, 0.5};
    static constexpr const char* name = "leaky_relu/squared_error";
};
struct softmax_se {  // the general path: softmax Jacobian times dE/dy
    using output = mp::softmax;
    using loss = mp::squared_error;
    static constexpr double target[3] = {0.1, 0.7, 0.2};
    static constexpr const char* name = "softmax/squared_error";
};
struct softmax_ce {  // soft target (sums to one), fused delta y - d
    using output = mp::softmax;
    using loss = mp::cross_entropy;
    static constexpr double target[3] = {0.25, 0.5, 0.25};
    static constexpr const char* name = "softmax/cross_entropy";
};
struct sigmoid_bce {  // fused delta y - d
    using output = mp::sigmoid;
    using loss = mp::binary_cross_entropy;
    static constexpr double target[3] = {1.0, 0.0, 0.25};
    static constexpr const char* name = "sigmoid/binary_cross_entropy";
};

// ---- Network shapes with 1, 2 or 3 hidden layers --------------------------------------

template <class T, class Output, class... Hidden>
struct make_network;
template <class T, class Output, class H1>
struct make_network<T, Output, H1> {
    using type = mp::network<T, mp::dense<3, 4>, H1, mp::dense<4, 3>, Output>;
};
template <class T, class Output, class H1, class H2>
struct make_network<T, Output, H1, H2> {
    using type = mp::network<T, mp::dense<3, 4>, H1, mp::dense<4, 5>, H2, mp::dense<5, 3>, Output>;
};
template <class T, class Output, class H1, class H2, class H3>
struct make_network<T, Output, H1, H2, H3> {
    using type = mp::network<T, mp::dense<3, 4>, H1, mp::dense<4, 5>, H2, mp::dense<5, 4>, H3,
                             mp::dense<4, 3>, Output>;
};

constexpr double sample_input[3] = {0.7, -1.1, 0.4};

/// Worst cases seen so far, per scalar type, printed by the last test of each
/// type so the margins below the tolerances are visible in the test log.
template <class T>
struct worst_seen {
    static inline double own_fraction = 0;     ///< max |a - n| / (atol + rtol * max(|a|, |n|))
    static inline double own_absolute = 0;     ///< max |a - n|
    static inline double library_relative = 0; ///< max of check_gradient's max_relative_error
};

// The per-network part of a case is kept small (the network, its trainer and
// mp::check_gradient); everything else is generic in T, so that all the
// combinations fit in the flash of a Cortex-M0 test image.

/// Our own central differences on our own loss, for any network: `loss_at`
/// runs the network on (x, d) with its current parameters.
template <class T>
bool own_central_differences(mp::span<T> theta, const T* analytic, double (*loss_at)(void*, const T*, const T*),
                             void* net, const T* x, const T* d)
{
    using tol = tolerance<T>;
    bool all_ok = true;
    const double h_rel = std::cbrt(static_cast<double>(mp::scalar_ops<T>::epsilon()));
    for (std::size_t p = 0; p < theta.size(); ++p) {
        const T original = theta[p];
        const double magnitude = absolute(static_cast<double>(original));
        const T step = static_cast<T>(h_rel * (magnitude > 1.0 ? magnitude : 1.0));
        const T up = original + step;
        const T down = original - step;
        theta[p] = up;
        const double e_up = loss_at(net, x, d);
        theta[p] = down;
        const double e_down = loss_at(net, x, d);
        theta[p] = original;
        const double numeric = (e_up - e_down) / (static_cast<double>(up) - static_cast<double>(down));
        all_ok &= NUMTEST_CLOSE(analytic[p], numeric, tol::own_atol, tol::own_rtol, "own central difference", p);
        const double a = static_cast<double>(analytic[p]);
        const double diff = absolute(a - numeric);
        const double scale = absolute(a) > absolute(numeric) ? absolute(a) : absolute(numeric);
        const double fraction = diff / (tol::own_atol + tol::own_rtol * scale);
        if (fraction > worst_seen<T>::own_fraction) worst_seen<T>::own_fraction = fraction;
        if (diff > worst_seen<T>::own_absolute) worst_seen<T>::own_absolute = diff;
    }
    return all_ok;
}

/// Judges mp::check_gradient's result, and that it restored the parameters.
template <class T>
void judge_library_check(const mp::gradient_check_result<T>& r, bool own_ok, const T* before, const T* after,
                         std::size_t count, const char* hidden_name, const char* pair_name, std::uint32_t seed)
{
    using tol = tolerance<T>;
    EXPECT_EQ(r.outcome, mp::status::ok);
    EXPECT_LE(r.max_relative_error, static_cast<T>(tol::library_max_relative));
    if (static_cast<double>(r.max_relative_error) > worst_seen<T>::library_relative) {
        worst_seen<T>::library_relative = static_cast<double>(r.max_relative_error);
    }
    EXPECT_TRUE(numtest::same_bits(before, after, count));
    if (!own_ok || !(r.max_relative_error <= static_cast<T>(tol::library_max_relative))) {
        console::print("    in case ", sizeof(T) == 4 ? "float" : "double", " ", hidden_name, " -> ", pair_name,
                       ", seed ", seed, "; check_gradient worst parameter ", r.parameter_index, " (layer ",
                       r.layer, "): analytic ", console::sci{static_cast<double>(r.analytic), 6}, " numeric ",
                       console::sci{static_cast<double>(r.numeric), 6}, "\n");
    }
}

template <class T>
void load_sample(const double* target, T* x, T* d)
{
    for (int k = 0; k < 3; ++k) {
        x[k] = static_cast<T>(sample_input[k]);
        d[k] = static_cast<T>(target[k]);
    }
}

template <class Net, class Loss>
double loss_at(void* net, const typename Net::scalar* x, const typename Net::scalar* d)
{
    return numtest::own_loss<Loss>::value(static_cast<Net*>(net)->forward_unchecked(x).data(), d, Net::output_size);
}

/// Checks one network (parameters drawn from `seed`) on one sample, both ways.
template <class T, class Pair, class... Hidden>
NUMTEST_NOINLINE void check_case(std::uint32_t seed, const char* hidden_name)
{
    using net_t = typename make_network<T, typename Pair::output, Hidden...>::type;
    using loss_t = typename Pair::loss;
    constexpr std::size_t P = net_t::parameter_count;

    net_t net;
    numtest::fill_parameters(net, seed);
    T x[3];
    T d[3];
    load_sample(Pair::target, x, d);

    // Backprop's gradient.
    T analytic[P];
    mp::trainer<net_t, loss_t, mp::sgd> tr(net);
    ASSERT_EQ(tr.compute_gradient(x, d, analytic), mp::status::ok);

    const bool own_ok = own_central_differences<T>(net.parameters(), analytic, &loss_at<net_t, loss_t>, &net, x, d);

    // The library's check, which must also restore every parameter bit for bit.
    T before[P];
    for (std::size_t p = 0; p < P; ++p) before[p] = net.parameters()[p];
    const auto r = mp::check_gradient<loss_t>(net, x, d, mp::span<T>(analytic, P));
    judge_library_check<T>(r, own_ok, before, net.parameters().data(), P, hidden_name, Pair::name, seed);
}

/// One hidden activation with every output/loss pair.
template <class T, class Hidden>
void one_hidden_all_outputs(const char* hidden_name)
{
    check_case<T, identity_se, Hidden>(11, hidden_name);
    check_case<T, sigmoid_se, Hidden>(12, hidden_name);
    check_case<T, tanh_se, Hidden>(13, hidden_name);
    check_case<T, relu_se, Hidden>(14, hidden_name);
    check_case<T, leaky_se, Hidden>(15, hidden_name);
    check_case<T, softmax_se, Hidden>(16, hidden_name);
    check_case<T, softmax_ce, Hidden>(17, hidden_name);
    check_case<T, sigmoid_bce, Hidden>(18, hidden_name);
}

/// Every output/loss pair behind two and three hidden layers, the hidden
/// activations rotating so that each appears at every depth.
template <class T>
void deep_all_outputs()
{
    check_case<T, identity_se, mp::sigmoid, mp::tanh>(21, "sigmoid,tanh");
    check_case<T, sigmoid_se, mp::relu, mp::leaky_relu>(22, "relu,leaky_relu");
    check_case<T, tanh_se, mp::identity, mp::sigmoid>(23, "identity,sigmoid");
    check_case<T, relu_se, mp::tanh, mp::relu>(24, "tanh,relu");
    check_case<T, leaky_se, mp::leaky_relu, mp::identity>(25, "leaky_relu,identity");
    check_case<T, softmax_se, mp::tanh, mp::sigmoid>(26, "tanh,sigmoid");
    check_case<T, softmax_ce, mp::relu, mp::tanh>(27, "relu,tanh");
    check_case<T, sigmoid_bce, mp::sigmoid, mp::leaky_relu>(28, "sigmoid,leaky_relu");

    check_case<T, identity_se, mp::tanh, mp::relu, mp::sigmoid>(31, "tanh,relu,sigmoid");
    check_case<T, sigmoid_se, mp::leaky_relu, mp::identity, mp::tanh>(32, "leaky_relu,identity,tanh");
    check_case<T, tanh_se, mp::sigmoid, mp::leaky_relu, mp::relu>(33, "sigmoid,leaky_relu,relu");
    check_case<T, relu_se, mp::identity, mp::tanh, mp::leaky_relu>(34, "identity,tanh,leaky_relu");
    check_case<T, leaky_se, mp::relu, mp::sigmoid, mp::identity>(35, "relu,sigmoid,identity");
    check_case<T, softmax_se, mp::leaky_relu, mp::tanh, mp::sigmoid>(36, "leaky_relu,tanh,sigmoid");
    check_case<T, softmax_ce, mp::tanh, mp::leaky_relu, mp::relu>(37, "tanh,leaky_relu,relu");
    check_case<T, sigmoid_bce, mp::sigmoid, mp::relu, mp::tanh>(38, "sigmoid,relu,tanh");
}

// ---- Minibatch gradient = mean of per-sample gradients ---------------------------------

// The batch pass computes the same activations and deltas as N single passes
// (the kernels sum in the same order); only the gradient's sum over samples
// and the place where 1/N is applied differ, a few roundings of O(|g|):
// float 1e-6 + 1e-5 |g|, double 1e-14 + 1e-12 |g|.
template <class T>
struct batch_tolerance;
#if !defined(NUMTEST_ONLY_DOUBLE)
template <>
struct batch_tolerance<float> {
    static constexpr double atol = 1e-6;
    static constexpr double rtol = 1e-5;
};
#endif
#if !defined(NUMTEST_ONLY_FLOAT)
template <>
struct batch_tolerance<double> {
    static constexpr double atol = 1e-14;
    static constexpr double rtol = 1e-12;
};
#endif

template <class T, class Pair, class... Hidden>
NUMTEST_NOINLINE void batch_case(std::uint32_t seed)
{
    using net_t = typename make_network<T, typename Pair::output, Hidden...>::type;
    using loss_t = typename Pair::loss;
    using tol = batch_tolerance<T>;
    constexpr std::size_t P = net_t::parameter_count;
    constexpr std::size_t N = 4;

    net_t net;
    numtest::fill_parameters(net, seed);
    // Four different samples; targets are rotations of the pair's target, so
    // they stay valid for the loss (soft labels summing to one, values in [0, 1]).
    T xs[N][3];
    T ds[N][3];
    numtest::lcg rng(seed + 1000);
    for (std::size_t s = 0; s < N; ++s) {
        for (std::size_t k = 0; k < 3; ++k) {
            xs[s][k] = static_cast<T>(1.5 * rng.symmetric());
            ds[s][k] = static_cast<T>(Pair::target[(k + s) % 3]);
        }
    }

    mp::trainer<net_t, loss_t, mp::sgd> single(net);
    T g[P];
    double mean[P] = {};
    double mean_loss = 0;
    for (std::size_t s = 0; s < N; ++s) {
        ASSERT_EQ(single.compute_gradient(xs[s], ds[s], g), mp::status::ok);
        mean_loss += static_cast<double>(single.last_loss()) / N;
        for (std::size_t p = 0; p < P; ++p) mean[p] += static_cast<double>(g[p]) / N;
    }

    mp::trainer<net_t, loss_t, mp::sgd, N> batch(net);
    T batch_gradient[P];
    ASSERT_EQ(batch.compute_batch_gradient(xs, ds, batch_gradient), mp::status::ok);
    NUMTEST_CLOSE(batch.last_loss(), mean_loss, tol::atol, tol::rtol, "batch loss", 0);
    for (std::size_t p = 0; p < P; ++p) {
        NUMTEST_CLOSE(batch_gradient[p], mean[p], tol::atol, tol::rtol, "batch gradient", p);
    }
}

template <class T>
void batch_cases()
{
    batch_case<T, identity_se, mp::tanh>(41);
    batch_case<T, relu_se, mp::sigmoid>(42);
    batch_case<T, leaky_se, mp::leaky_relu, mp::relu>(43);
    batch_case<T, softmax_se, mp::identity>(44);
    batch_case<T, softmax_ce, mp::tanh, mp::relu>(45);
    batch_case<T, sigmoid_bce, mp::relu, mp::sigmoid, mp::tanh>(46);
}

// ---- Fused per-sample SGD = w - lr * (grad + weight_decay * w) -----------------------

// The fused kernel computes w - (lr * delta_j) * x_i, the reference
// w - lr * (delta_j * x_i): the products round differently, by at most an ulp
// or two of lr * g and of w. Allowed: 4 eps (|w| + lr |g + decay w|).
template <class T, class Pair, class... Hidden>
NUMTEST_NOINLINE void fused_sgd_case(std::uint32_t seed, float learning_rate, float weight_decay)
{
    using net_t = typename make_network<T, typename Pair::output, Hidden...>::type;
    using loss_t = typename Pair::loss;
    using fused_t = mp::trainer<net_t, loss_t, mp::sgd>;
    static_assert(fused_t::fused_sgd && fused_t::gradient_bytes == 0, "per-sample sgd must take the fused path");
    constexpr std::size_t P = net_t::parameter_count;

    net_t net;
    numtest::fill_parameters(net, seed);
    T x[3];
    T d[3];
    for (int k = 0; k < 3; ++k) {
        x[k] = static_cast<T>(sample_input[k]);
        d[k] = static_cast<T>(Pair::target[k]);
    }
    net_t reference = net;
    T g[P];
    mp::trainer<net_t, loss_t, mp::adam> probe(reference);  // not fused: only used for compute_gradient
    ASSERT_EQ(probe.compute_gradient(x, d, g), mp::status::ok);

    fused_t tr(net, mp::sgd{learning_rate, weight_decay});
    ASSERT_EQ(tr.train_sample(x, d), mp::status::ok);
    EXPECT_EQ(tr.last_loss(), probe.last_loss());

    const double lr = static_cast<double>(static_cast<T>(learning_rate));
    const double decay = static_cast<double>(static_cast<T>(weight_decay));
    const double eps = static_cast<double>(mp::scalar_ops<T>::epsilon());
    const auto theta = net.parameters();
    const auto before = reference.parameters();
    for (std::size_t p = 0; p < P; ++p) {
        const double w = static_cast<double>(before[p]);
        const double step = lr * (static_cast<double>(g[p]) + decay * w);
        const double expected = w - step;
        NUMTEST_CLOSE(theta[p], expected, 4 * eps * (absolute(w) + absolute(step)), 0.0, "fused sgd parameter", p);
    }
}

template <class T>
void fused_sgd_cases(float weight_decay)
{
    fused_sgd_case<T, identity_se, mp::sigmoid>(51, 0.1f, weight_decay);
    fused_sgd_case<T, softmax_ce, mp::relu, mp::tanh>(52, 0.05f, weight_decay);
    fused_sgd_case<T, sigmoid_bce, mp::leaky_relu>(53, 0.2f, weight_decay);
    fused_sgd_case<T, softmax_se, mp::tanh, mp::leaky_relu, mp::sigmoid>(54, 0.3f, weight_decay);
}

template <class T>
void print_worst()
{
    console::print("    worst over all ", sizeof(T) == 4 ? "float" : "double", " cases: own check |a-n| ",
                   console::sci{worst_seen<T>::own_absolute, 2}, " (", console::sci{worst_seen<T>::own_fraction, 2},
                   " of its tolerance), check_gradient relative error ",
                   console::sci{worst_seen<T>::library_relative, 2}, " (tolerance ",
                   console::sci{tolerance<T>::library_max_relative, 2}, ")\n");
}

}  // namespace

// NUMTEST_ONLY_FLOAT / NUMTEST_ONLY_DOUBLE build one scalar type per image (see CMakeLists.txt).
#if !defined(NUMTEST_ONLY_DOUBLE)
TEST(gradient_check, float_hidden_identity) { one_hidden_all_outputs<float, mp::identity>("identity"); }
TEST(gradient_check, float_hidden_sigmoid) { one_hidden_all_outputs<float, mp::sigmoid>("sigmoid"); }
TEST(gradient_check, float_hidden_tanh) { one_hidden_all_outputs<float, mp::tanh>("tanh"); }
TEST(gradient_check, float_hidden_relu) { one_hidden_all_outputs<float, mp::relu>("relu"); }
TEST(gradient_check, float_hidden_leaky_relu) { one_hidden_all_outputs<float, mp::leaky_relu>("leaky_relu"); }
TEST(gradient_check, float_two_and_three_hidden_layers)
{
    deep_all_outputs<float>();
    print_worst<float>();
}
TEST(minibatch, float_gradient_is_mean_of_samples) { batch_cases<float>(); }
TEST(fused_sgd, float_step_is_w_minus_lr_grad) { fused_sgd_cases<float>(0.0f); }
TEST(fused_sgd, float_step_with_weight_decay) { fused_sgd_cases<float>(0.1f); }
#endif

#if !defined(NUMTEST_ONLY_FLOAT)
TEST(gradient_check, double_hidden_identity) { one_hidden_all_outputs<double, mp::identity>("identity"); }
TEST(gradient_check, double_hidden_sigmoid) { one_hidden_all_outputs<double, mp::sigmoid>("sigmoid"); }
TEST(gradient_check, double_hidden_tanh) { one_hidden_all_outputs<double, mp::tanh>("tanh"); }
TEST(gradient_check, double_hidden_relu) { one_hidden_all_outputs<double, mp::relu>("relu"); }
TEST(gradient_check, double_hidden_leaky_relu) { one_hidden_all_outputs<double, mp::leaky_relu>("leaky_relu"); }
TEST(gradient_check, double_two_and_three_hidden_layers)
{
    deep_all_outputs<double>();
    print_worst<double>();
}
TEST(minibatch, double_gradient_is_mean_of_samples) { batch_cases<double>(); }
TEST(fused_sgd, double_step_is_w_minus_lr_grad) { fused_sgd_cases<double>(0.0f); }
TEST(fused_sgd, double_step_with_weight_decay) { fused_sgd_cases<double>(0.1f); }
#endif
