// Golden forward/backward values from an independent numpy implementation
// (tests/golden/generate_golden.py -> tests/golden/golden_values.hpp): each
// network is loaded with the script's parameters through net.parameters(),
// and its outputs, loss and gradient are compared, in float and double.
//
// Tolerances. The parameters and inputs are exact in float, so the float
// networks see exactly the script's values and only their arithmetic
// differs from float64: each intermediate rounds to float (eps 1.2e-7) over at
// most four layers of O(1) sums, exp and tanh. Allowed for float:
// 5e-7 + 5e-6 |v| (about 8x the largest difference measured, 6.7e-8).
// For double only summation order and libm differ: 1e-13 + 1e-12 |v|.
//
// The initialisation golden values are bit patterns: the same seed must give
// the same weights, bit for bit, on every compiler and core.
#include <microprop/microprop.hpp>

#include <cstring>

#include "../golden/golden_values.hpp"
#include "microtest.hpp"
#include "numeric_support.hpp"

namespace {

namespace mp = microprop;
using mp::basic_leaky_relu;
using mp::dense;
using mp::relu;
using mp::sigmoid;
using mp::softmax;
using mp::tanh;

template <class T>
struct tolerance;
template <>
struct tolerance<float> {
    static constexpr double atol = 5e-7;
    static constexpr double rtol = 5e-6;
};
template <>
struct tolerance<double> {
    static constexpr double atol = 1e-13;
    static constexpr double rtol = 1e-12;
};

template <class T>
struct worst_seen {
    static inline double absolute = 0;
};

void track(double a, double b, double& worst)
{
    const double d = numtest::absolute(a - b);
    if (d > worst) worst = d;
}

/// Loads a golden case into Net, runs it sample by sample and as a batch of
/// all its samples, and compares everything the script computed.
template <class Net, class Loss, class Golden>
NUMTEST_NOINLINE void check_golden(const char* name)
{
    using T = typename Net::scalar;
    using tol = tolerance<T>;
    constexpr std::size_t P = Net::parameter_count;
    constexpr std::size_t in = Net::input_size;
    constexpr std::size_t out = Net::output_size;
    constexpr std::size_t N = Golden::samples;
    static_assert(sizeof(Golden::parameters) / sizeof(double) == P, "golden parameter count");
    static_assert(sizeof(Golden::inputs) / sizeof(double) == N * in, "golden input count");
    static_assert(sizeof(Golden::outputs) / sizeof(double) == N * out, "golden output count");
    double& worst = worst_seen<T>::absolute;

    Net net;
    auto theta = net.parameters();
    for (std::size_t p = 0; p < P; ++p) theta[p] = static_cast<T>(Golden::parameters[p]);
    T xs[N * in];
    T ds[N * out];
    for (std::size_t k = 0; k < N * in; ++k) xs[k] = static_cast<T>(Golden::inputs[k]);
    for (std::size_t k = 0; k < N * out; ++k) ds[k] = static_cast<T>(Golden::targets[k]);

    bool ok = true;
    // Forward, one sample at a time.
    for (std::size_t s = 0; s < N; ++s) {
        const auto y = net.forward_unchecked(xs + s * in);
        for (std::size_t k = 0; k < out; ++k) {
            ok &= NUMTEST_CLOSE(y[k], Golden::outputs[s * out + k], tol::atol, tol::rtol, "output", s * out + k);
            track(static_cast<double>(y[k]), Golden::outputs[s * out + k], worst);
        }
    }

    // Loss and gradient: per-sample for one sample, the minibatch mean for several.
    mp::trainer<Net, Loss, mp::sgd, N> tr(net);
    T gradient[P];
    mp::status s = mp::status::ok;
    if constexpr (N == 1) {
        s = tr.compute_gradient(xs, ds, gradient);
    } else {
        s = tr.compute_batch_gradient(xs, ds, gradient);
    }
    ASSERT_EQ(s, mp::status::ok);
    ok &= NUMTEST_CLOSE(tr.last_loss(), Golden::loss, tol::atol, tol::rtol, "loss", 0);
    track(static_cast<double>(tr.last_loss()), Golden::loss, worst);
    // The library's own loss functions agree with the script too.
    if constexpr (N == 1) {
        const T own = Loss::value(net.output().data(), ds, out);
        ok &= NUMTEST_CLOSE(own, Golden::loss, tol::atol, tol::rtol, "Loss::value", 0);
    }
    for (std::size_t p = 0; p < P; ++p) {
        ok &= NUMTEST_CLOSE(gradient[p], Golden::gradient[p], tol::atol, tol::rtol, "gradient", p);
        track(static_cast<double>(gradient[p]), Golden::gradient[p], worst);
    }
    if (!ok) console::print("    in golden case ", name, " (", sizeof(T) == 4 ? "float" : "double", ")\n");
}

template <class T>
void all_golden_cases()
{
    check_golden<mp::network<T, dense<3, 4>, sigmoid, dense<4, 2>, sigmoid>, mp::squared_error,
                 golden::sigmoid_squared_error>("sigmoid_squared_error");
    check_golden<mp::network<T, dense<4, 5>, tanh, dense<5, 4>, relu, dense<4, 3>, softmax>, mp::cross_entropy,
                 golden::tanh_relu_softmax_cross_entropy>("tanh_relu_softmax_cross_entropy");
    check_golden<mp::network<T, dense<3, 5>, basic_leaky_relu<1, 8>, dense<5, 2>, sigmoid>,
                 mp::binary_cross_entropy, golden::leaky_relu_sigmoid_binary_cross_entropy>(
        "leaky_relu_sigmoid_binary_cross_entropy");
    check_golden<mp::network<T, dense<2, 4>, tanh, dense<4, 4>, sigmoid, dense<4, 3>, relu, dense<3, 2>>,
                 mp::squared_error, golden::three_hidden_layers>("three_hidden_layers");
    check_golden<mp::network<T, dense<3, 4>, tanh, dense<4, 3>, softmax>, mp::cross_entropy,
                 golden::minibatch_of_4>("minibatch_of_4");
    console::print("    largest difference from the golden values (", sizeof(T) == 4 ? "float" : "double", "): ",
                   console::sci{worst_seen<T>::absolute, 2}, "\n");
}

/// The weights drawn by network(seed) against the bit patterns the script
/// computed by reimplementing the documented PRNG and limits.
template <class T, class Bits, std::size_t Count>
void check_init_bits(const Bits (&expected)[Count])
{
    using net_t = mp::network<T, dense<3, 4>, relu, dense<4, 2>, sigmoid>;
    static_assert(net_t::parameter_count == Count, "golden init parameter count");
    static_assert(sizeof(T) == sizeof(Bits), "bit pattern width");
    const net_t net(golden::init_seed_42::seed);
    for (std::size_t p = 0; p < Count; ++p) {
        Bits bits;
        std::memcpy(&bits, &net.parameters()[p], sizeof bits);
        if (bits != expected[p]) {
            console::print("    parameter ", p, ": ", console::sci{static_cast<double>(net.parameters()[p]), 9},
                           " has other bits than the golden value\n");
        }
        EXPECT_EQ(bits, expected[p]);
    }
}

}  // namespace

TEST(golden, float_forward_loss_gradient) { all_golden_cases<float>(); }
TEST(golden, double_forward_loss_gradient) { all_golden_cases<double>(); }
TEST(golden, float_initialisation_bits_for_seed_42) { check_init_bits<float>(golden::init_seed_42::float_bits); }
TEST(golden, double_initialisation_bits_for_seed_42) { check_init_bits<double>(golden::init_seed_42::double_bits); }
