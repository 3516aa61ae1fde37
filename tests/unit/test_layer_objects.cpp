// Layers as objects (layers/objects.hpp, DLfS ch. 5): each on its own against closed
// forms, and chained by hand into two-layer networks whose loss, output and gradient must
// be the network's and trainer's own, bit for bit.
// The chain is compared with the network bit for bit, so the network must run the dense
// kernels the layer objects call: tiny networks (<= 64 parameters) would otherwise take the
// unrolled engine (engine_unrolled.hpp), which sums in another order on the Cortex-M.
#define MICROPROP_UNROLLED_MAX_PARAMETERS 0
#include <microprop/layers/objects.hpp>
#include <microprop/microprop.hpp>

#include <cmath>
#include <cstring>
#include <type_traits>

#include "microtest.hpp"
#include "numeric_support.hpp"

namespace mp = microprop;

namespace {

/// trainer::compute_gradient on std::arrays where the trainer takes them, else on pointers.
template <class Trainer, class X, class D, class G>
auto gradient_of(Trainer& trainer, const X& x, const D& d, G& g, int) -> decltype(trainer.compute_gradient(x, d, g))
{
    return trainer.compute_gradient(x, d, g);
}
template <class Trainer, class X, class D, class G>
mp::status gradient_of(Trainer& trainer, const X& x, const D& d, G& g, long)
{
    return trainer.compute_gradient(x.data(), d.data(), g.data());
}

// The vector kernels (host, Cortex-M55) compute a float dense layer and the softmax after it
// in one fused kernel for up to 16 outputs, which sums the exponentials in another order
// than softmax alone: there the objects agree with the network to rounding, not bit for bit.
#if defined(MICROPROP_KERNELS_VECTOR) && MICROPROP_KERNELS_VECTOR
constexpr bool fused_float_softmax = true;
#else
constexpr bool fused_float_softmax = false;
#endif

/// Bit for bit when `exact`, else within a few float roundings (relative 1e-5).
template <class T, std::size_t N>
bool agree(const std::array<T, N>& a, const T* b, bool exact)
{
    if (exact) return std::memcmp(a.data(), b, sizeof(T) * N) == 0;
    for (std::size_t k = 0; k < N; ++k) {
        if (!NUMTEST_CLOSE(a[k], b[k], 1e-7, 1e-5, "value", k)) return false;
    }
    return true;
}

/// affine -> activation -> affine -> softmax-with-loss by hand, against
/// network<T, dense<In, Hidden>, Activation, dense<Hidden, Out>, softmax> and its trainer.
template <class T, std::size_t In, std::size_t Hidden, std::size_t Out, class Activation>
NUMTEST_NOINLINE void chain_matches_the_network(std::uint32_t seed, bool soft_targets)
{
    using net_t = mp::network<T, mp::dense<In, Hidden>, Activation, mp::dense<Hidden, Out>, mp::softmax>;
    net_t net;
    numtest::fill_parameters(net, seed);
    numtest::lcg rng(seed + 100);
    std::array<T, In> x;
    for (T& value : x) value = static_cast<T>(rng.symmetric());
    std::array<T, Out> t{};
    if (soft_targets) {
        for (T& value : t) value = static_cast<T>(0.25 + 0.25 * rng.symmetric());  // sum != 1
    } else {
        t[seed % Out] = T(1);
    }

    // On the stack, which every case reuses (NUMTEST_NOINLINE): static objects of every
    // instantiation would add up to more than the 8 KB of RAM of the smallest port.
    mp::affine_layer<T, In, Hidden> first;
    mp::activation_layer<T, Hidden, Activation> hidden;
    mp::affine_layer<T, Hidden, Out> second;
    mp::softmax_with_loss<T, Out> output;
    const mp::layer_info& l0 = net_t::layers[0];
    const mp::layer_info& l1 = net_t::layers[1];
    const T* theta = net.parameters().data();
    std::memcpy(first.weights.data(), theta + l0.weight_offset, sizeof first.weights);
    std::memcpy(first.biases.data(), theta + l0.bias_offset, sizeof first.biases);
    std::memcpy(second.weights.data(), theta + l1.weight_offset, sizeof second.weights);
    std::memcpy(second.biases.data(), theta + l1.bias_offset, sizeof second.biases);

    const T loss = output.forward(second.forward(hidden.forward(first.forward(x))), t);
    const std::array<T, In> dx = first.backward(hidden.backward(second.backward(output.backward())));
    (void)dx;

    std::array<T, net_t::parameter_count> gradient{};
    mp::trainer<net_t, mp::cross_entropy> trainer(net);
    ASSERT_EQ(gradient_of(trainer, x, t, gradient, 0), mp::status::ok);
    const bool exact = !(std::is_same<T, float>::value && fused_float_softmax && Out <= 16);
    const std::array<T, 1> loss_value = {loss};
    EXPECT_TRUE(agree(loss_value, std::array<T, 1>{trainer.last_loss()}.data(), exact));
    EXPECT_TRUE(agree(output.output(), net.output().data(), exact));
    EXPECT_TRUE(agree(first.weight_gradient, gradient.data() + l0.weight_offset, exact));
    EXPECT_TRUE(agree(first.bias_gradient, gradient.data() + l0.bias_offset, exact));
    EXPECT_TRUE(agree(second.weight_gradient, gradient.data() + l1.weight_offset, exact));
    EXPECT_TRUE(agree(second.bias_gradient, gradient.data() + l1.bias_offset, exact));
}

}  // namespace

TEST(layer_objects, chain_gives_the_network_gradient_bit_for_bit_in_float)
{
    chain_matches_the_network<float, 4, 5, 3, mp::sigmoid>(1, false);
    chain_matches_the_network<float, 4, 5, 3, mp::tanh>(2, false);
    chain_matches_the_network<float, 4, 5, 3, mp::relu>(3, true);
    // 16 inputs: the Cortex-M VFP kernels' block path.
    chain_matches_the_network<float, 16, 4, 3, mp::relu>(4, false);
    // 17 outputs: no fused softmax kernel anywhere, so bit for bit on every build.
    chain_matches_the_network<float, 4, 5, 17, mp::relu>(9, false);
}

TEST(layer_objects, chain_gives_the_network_gradient_bit_for_bit_in_double)
{
    chain_matches_the_network<double, 4, 5, 3, mp::sigmoid>(5, true);
    chain_matches_the_network<double, 4, 5, 3, mp::tanh>(6, false);
    chain_matches_the_network<double, 4, 5, 3, mp::relu>(7, false);
    chain_matches_the_network<double, 4, 5, 3, mp::basic_leaky_relu<1, 8>>(10, false);
}

TEST(layer_objects, input_gradient_matches_central_differences)
{
    // dx is not part of the network's gradient: check it against the loss itself.
    mp::affine_layer<double, 3, 4> first;
    mp::tanh_layer<double, 4> hidden;
    mp::affine_layer<double, 4, 2> second;
    mp::softmax_with_loss<double, 2> output;
    numtest::lcg rng(8);
    for (double& w : first.weights) w = rng.symmetric();
    for (double& w : first.biases) w = 0.5 * rng.symmetric();
    for (double& w : second.weights) w = rng.symmetric();
    for (double& w : second.biases) w = 0.5 * rng.symmetric();
    std::array<double, 3> x = {0.3, -0.6, 0.9};
    const std::array<double, 2> t = {0.0, 1.0};
    auto loss_at = [&](const std::array<double, 3>& in) {
        return output.forward(second.forward(hidden.forward(first.forward(in))), t);
    };
    loss_at(x);
    const std::array<double, 3> dx = first.backward(hidden.backward(second.backward(output.backward())));
    const double h = 1e-6;  // O(h^2) ~ 1e-12 truncation, eps / h ~ 1e-10 rounding
    for (std::size_t i = 0; i < 3; ++i) {
        std::array<double, 3> up = x;
        std::array<double, 3> down = x;
        up[i] += h;
        down[i] -= h;
        const double numeric = (loss_at(up) - loss_at(down)) / (2 * h);
        EXPECT_NEAR(dx[i], numeric, 1e-8);
    }
}

TEST(layer_objects, each_layer_alone_matches_its_closed_form)
{
    mp::sigmoid_layer<double, 2> sigmoid;
    const auto s = sigmoid.forward({0.0, std::log(3.0)});
    EXPECT_EQ(s[0], 0.5);
    EXPECT_NEAR(s[1], 0.75, 1e-15);
    const auto ds = sigmoid.backward({1.0, 2.0});
    EXPECT_EQ(ds[0], 0.25);  // z (1 - z) at z = 1/2
    EXPECT_NEAR(ds[1], 2.0 * 0.75 * 0.25, 1e-15);

    mp::tanh_layer<double, 1> tanh;
    EXPECT_EQ(tanh.forward({0.0})[0], 0.0);
    EXPECT_EQ(tanh.backward({3.0})[0], 3.0);  // 1 - z^2 = 1 at 0

    mp::relu_layer<float, 3> relu;
    const auto r = relu.forward({-1.0f, 2.0f, 0.0f});
    EXPECT_EQ(r[0], 0.0f);
    EXPECT_EQ(r[1], 2.0f);
    const auto dr = relu.backward({5.0f, 5.0f, 5.0f});
    EXPECT_EQ(dr[0], 0.0f);  // DLfS's mask: no gradient where x <= 0
    EXPECT_EQ(dr[1], 5.0f);
    EXPECT_EQ(dr[2], 0.0f);

    mp::affine_layer<double, 2, 1> affine;
    affine.weights = {2.0, -3.0};
    affine.biases = {0.5};
    EXPECT_EQ(affine.forward({1.0, 1.0})[0], -0.5);
    const auto dx = affine.backward({4.0});
    EXPECT_EQ(dx[0], 8.0);  // W^T dout
    EXPECT_EQ(dx[1], -12.0);
    EXPECT_EQ(affine.weight_gradient[0], 4.0);  // dout x^T
    EXPECT_EQ(affine.bias_gradient[0], 4.0);

    // Equal scores: y = 1/4 each, E = log 4, dE/dx = y - t.
    mp::softmax_with_loss<double, 4> loss;
    EXPECT_NEAR(loss.forward({0.5, 0.5, 0.5, 0.5}, {0.0, 0.0, 1.0, 0.0}), std::log(4.0), 1e-15);
    const auto dl = loss.backward();
    EXPECT_EQ(dl[0], 0.25);
    EXPECT_EQ(dl[2], -0.75);
    EXPECT_EQ(loss.backward(2.0)[2], -1.5);
    // A score so low that its probability underflows: the loss still comes out exact.
    EXPECT_NEAR(loss.forward({0.0, -2000.0, 0.0, 0.0}, {0.0, 1.0, 0.0, 0.0}), 2000.0 + std::log(3.0), 1e-9);
}
