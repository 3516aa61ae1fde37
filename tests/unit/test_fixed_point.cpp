// q3_12 fixed point (include/microprop/fixed_point.hpp): the scalar's saturation
// (counted, never wrapping), the table functions against <cmath> over every
// input, conversion of a float network and back, and the fixed-point forward
// pass and backprop gradient against the float ones on the same (quantised)
// weights, both compute_gradient's and the one the fused per-sample SGD step applies
// (read back from the weights). Tolerances are stated in steps of 1/4096 (one "LSB").
#include <microprop/fixed_point.hpp>
#include <microprop/microprop.hpp>

#include <cmath>
#include <cstdint>

#include "microtest.hpp"

namespace mp = microprop;
using mp::q3_12;

namespace {

constexpr double lsb = 1.0 / 4096.0;
#if defined(__arm__)
constexpr std::int32_t sweep_stride = 7;  // soft-float <cmath> in double is slow under QEMU
#else
constexpr std::int32_t sweep_stride = 1;
#endif

double as_double(q3_12 v) { return static_cast<double>(static_cast<float>(v)); }

}  // namespace

TEST(fixed_point, arithmetic_saturates_and_counts_instead_of_wrapping)
{
    mp::reset_saturation_count();
    const q3_12 seven(7);
    EXPECT_EQ((seven + seven).raw, 32767);              // 14 would wrap to -2 in int16
    EXPECT_EQ((-seven - seven).raw, -32768);
    EXPECT_EQ((q3_12(-8) * q3_12(-8)).raw, 32767);      // 64
    EXPECT_EQ((-q3_12::from_raw(-32768)).raw, 32767);
    EXPECT_EQ((seven / q3_12::from_raw(1)).raw, 32767);  // 28672
    EXPECT_EQ(mp::saturation_count(), 5u);
    EXPECT_EQ((q3_12(1.5f) * q3_12(-2.25f)).raw, -13824);  // -3.375 exactly, no saturation
    EXPECT_EQ(q3_12(100.0f).raw, 32767);
    EXPECT_EQ(q3_12(-1e30f).raw, -32768);
    EXPECT_EQ(mp::saturation_count(), 7u);
    mp::reset_saturation_count();
    EXPECT_EQ(mp::saturation_count(), 0u);
}

TEST(fixed_point, conversion_from_float_rounds_to_nearest)
{
    EXPECT_EQ(q3_12(0.0f).raw, 0);
    EXPECT_EQ(q3_12(1.0f).raw, 4096);
    EXPECT_EQ(q3_12(-0.5f).raw, -2048);
    EXPECT_EQ(q3_12(0.01f).raw, 41);                 // 40.96
    EXPECT_EQ(q3_12(-0.01f).raw, -41);
    EXPECT_EQ(q3_12(1.0f / 8192.0f + 1e-6f).raw, 1);  // just above half a step
    EXPECT_EQ(q3_12(7.9997f).raw, 32767);
    EXPECT_EQ(q3_12(1e-9f).raw, 0);
    EXPECT_EQ(q3_12(std::nanf("")).raw, 0);
    EXPECT_EQ(static_cast<float>(q3_12::from_raw(-6144)), -1.5f);
}

TEST(fixed_point, sigmoid_and_tanh_tables_within_stated_error_over_every_input)
{
    double sigmoid_error = 0.0, tanh_error = 0.0;
    for (std::int32_t r = -32768; r < 32768; r += sweep_stride) {
        const double u = r * lsb;
        const double s = mp::fixed::math::sigmoid_raw(r) * lsb - 1.0 / (1.0 + std::exp(-u));
        const double t = mp::fixed::math::tanh_raw(r) * lsb - std::tanh(u);
        sigmoid_error = std::fabs(s) > sigmoid_error ? std::fabs(s) : sigmoid_error;
        tanh_error = std::fabs(t) > tanh_error ? std::fabs(t) : tanh_error;
    }
    console::print("  max error: sigmoid ", console::fixed{sigmoid_error / lsb, 2}, " LSB, tanh ",
                   console::fixed{tanh_error / lsb, 2}, " LSB\n");
    EXPECT_LE(sigmoid_error, 2 * lsb);
    EXPECT_LE(tanh_error, 3 * lsb);
}

TEST(fixed_point, exp_and_log_within_stated_error)
{
    double exp_relative = 0.0, log_error = 0.0;
    for (std::int32_t r = -8 * 4096; r <= 0; r += sweep_stride) {
        const double exact = std::exp(r * lsb) * 65536.0;
        const double got = mp::fixed::math::exp_nonpositive_q16(r);
        // Half a unit of Q16 is the rounding of the result itself; the rest is relative.
        const double e = (std::fabs(got - exact) - 0.5) / exact;
        exp_relative = e > exp_relative ? e : exp_relative;
    }
    for (std::int32_t r = 1; r < 32768; r += sweep_stride) {
        const double e = std::fabs(mp::fixed::math::log_raw(r) * lsb - std::log(r * lsb));
        log_error = e > log_error ? e : log_error;
    }
    console::print("  max error: exp 0.5 Q16 unit + ", console::sci{exp_relative, 2}, " relative, log ",
                   console::fixed{log_error / lsb, 2}, " LSB\n");
    EXPECT_LE(exp_relative, 5e-4);
    EXPECT_LE(log_error, 2 * lsb);
}

TEST(fixed_point, softmax_matches_float_within_two_lsb)
{
    q3_12 z[10];
    float u[10];
    for (int k = 0; k < 10; ++k) {
        u[k] = static_cast<float>(k * 37 % 11) * 0.6f - 3.0f;
        z[k] = q3_12(u[k]);
    }
    mp::kernels::fixed::softmax(z, 10);
    double largest = -1e9, sum = 0.0;
    for (int k = 0; k < 10; ++k) largest = as_double(q3_12(u[k])) > largest ? as_double(q3_12(u[k])) : largest;
    for (int k = 0; k < 10; ++k) sum += std::exp(as_double(q3_12(u[k])) - largest);
    for (int k = 0; k < 10; ++k) {
        EXPECT_NEAR(as_double(z[k]), std::exp(as_double(q3_12(u[k])) - largest) / sum, 2 * lsb);
    }
}

TEST(fixed_point, dense_forward_saturates_a_sum_that_overflows_32_bits)
{
    // 64 products of (-8)(-8) sum to 2^36 in Q24: a 32-bit accumulator would wrap.
    static q3_12 w[64], x[64];
    for (int i = 0; i < 64; ++i) {
        w[i] = q3_12::from_raw(-32768);
        x[i] = q3_12::from_raw(-32768);
    }
    const q3_12 b = q3_12::from_raw(0);
    q3_12 u;
    mp::reset_saturation_count();
    mp::kernels::fixed::dense_forward(w, &b, x, &u, 64, 1);
    EXPECT_EQ(u.raw, 32767);
    EXPECT_EQ(mp::saturation_count(), 1u);
    x[0] = q3_12::from_raw(32767);  // the negative side: (-8)(8 - 1/4096) 64 times
    for (int i = 0; i < 64; ++i) x[i] = q3_12::from_raw(32767);
    mp::kernels::fixed::dense_forward(w, &b, x, &u, 64, 1);
    EXPECT_EQ(u.raw, -32768);
    EXPECT_EQ(mp::saturation_count(), 2u);
}

TEST(fixed_point, sgd_update_saturates_weights_at_the_range_ends)
{
    // 33 weights so that the vector loops and their tails both meet a clamped weight.
    static q3_12 w[33];
    static q3_12 x[33];
    for (int i = 0; i < 33; ++i) {
        w[i] = q3_12::from_raw(i % 2 == 0 ? 32700 : -32700);
        x[i] = q3_12(i % 2 == 0 ? 4 : -4);
    }
    q3_12 b[1] = {q3_12::from_raw(32760)};
    const q3_12 delta[1] = {q3_12(-2)};
    mp::random_generator rng(1);
    mp::reset_saturation_count();
    // w - lr delta x with lr = 0.25: +2 for every weight, -2 for every other one: all leave the range.
    mp::kernels::fixed::dense_sgd_update(w, b, x, delta, 33, 1, mp::kernels::fixed::factor_from_float(0.25f),
                                         mp::kernels::fixed::factor{}, rng);
    for (int i = 0; i < 33; ++i) EXPECT_EQ(w[i].raw, i % 2 == 0 ? 32767 : -32768);
    EXPECT_EQ(b[0].raw, 32767);  // 7.998 + 0.5
    EXPECT_EQ(mp::saturation_count(), 34u);
    // lr delta beyond 1/2 is clamped to 1/2 (a step of at most 4 per weight) and counted once.
    q3_12 one_w[1] = {q3_12(0)};
    const q3_12 one_x[1] = {q3_12(1)};
    const q3_12 big_delta[1] = {q3_12(-4)};
    mp::reset_saturation_count();
    mp::kernels::fixed::dense_sgd_update(one_w, b, one_x, big_delta, 1, 1, mp::kernels::fixed::factor_from_float(1.0f),
                                         mp::kernels::fixed::factor{}, rng);
    EXPECT_EQ(one_w[0].raw, 2048);
    EXPECT_EQ(mp::saturation_count(), 2u);  // the step and the bias (already at 8)
}

TEST(fixed_point, stochastic_rounding_keeps_updates_far_below_one_step)
{
    // lr delta x = 1e-4 * 0.5 * 0.5 = 2.5e-5, a tenth of a step: rounded to nearest it
    // would never move the weight. 4000 such steps move it by 0.1 in expectation.
    q3_12 w[1] = {q3_12(0)};
    q3_12 b[1] = {q3_12(0)};
    const q3_12 x[1] = {q3_12(0.5f)};
    const q3_12 delta[1] = {q3_12(-0.5f)};
    mp::random_generator rng(7);
    const auto lr = mp::kernels::fixed::factor_from_float(1e-4f);
    for (int s = 0; s < 4000; ++s) {
        mp::kernels::fixed::dense_sgd_update(w, b, x, delta, 1, 1, lr, mp::kernels::fixed::factor{}, rng);
    }
    // Binomial spread: sd = sqrt(4000 * 0.1 * 0.9) = 19 steps = 0.0046; 5 sd.
    EXPECT_NEAR(as_double(w[0]), 0.1, 0.024);
    EXPECT_NEAR(as_double(b[0]), 0.2, 0.035);
}

namespace {

using float_net = mp::network<float, mp::dense<5, 8>, mp::tanh, mp::dense<8, 6>, mp::relu, mp::dense<6, 3>,
                              mp::softmax>;
using fixed_net = mp::network<q3_12, mp::dense<5, 8>, mp::tanh, mp::dense<8, 6>, mp::relu, mp::dense<6, 3>,
                              mp::softmax>;
using float_sigmoid_net = mp::network<float, mp::dense<3, 4>, mp::sigmoid, mp::dense<4, 2>, mp::sigmoid>;
using fixed_sigmoid_net = mp::network<q3_12, mp::dense<3, 4>, mp::sigmoid, mp::dense<4, 2>, mp::sigmoid>;

float_net reference;
fixed_net quantised;
float_net round_trip;

// Buffers shared by the tests below (the 8 KB STM32F100 has no room for one set per test).
float gradient_a[float_net::parameter_count];
float gradient_b[float_net::parameter_count];
q3_12 fixed_gradient[float_net::parameter_count];
fixed_net scratch_net;
q3_12 batch_xq[4][5], batch_dq[4][3];  // four samples of float_net's widths (batch_samples)
float batch_xf[4][5], batch_df[4][3];

}  // namespace

TEST(fixed_point, quantize_and_dequantize_round_trip_within_half_a_step)
{
    reference.initialize(11);
    reference.biases(1)[2] = 0.3f;
    ASSERT_EQ(mp::quantize(reference, quantised), mp::status::ok);
    mp::dequantize(quantised, round_trip);
    for (std::size_t k = 0; k < float_net::parameter_count; ++k) {
        EXPECT_NEAR(round_trip.parameters()[k], reference.parameters()[k], 0.5 * lsb);
    }
    reference.biases(0)[0] = 9.0f;  // outside [-8, 8)
    EXPECT_EQ(mp::quantize(reference, quantised), mp::status::saturated);
    EXPECT_EQ(quantised.biases(0)[0].raw, 32767);
}

TEST(fixed_point, initialize_draws_the_float_networks_weights_rounded)
{
    reference.initialize(5);
    quantised.initialize(5);
    for (std::size_t k = 0; k < float_net::parameter_count; ++k) {
        EXPECT_EQ(quantised.parameters()[k].raw, q3_12(reference.parameters()[k]).raw);
    }
}

TEST(fixed_point, forward_and_gradient_match_float_on_the_same_weights)
{
    // Tolerances: outputs within 8 LSB (tanh/softmax tables and the rounding of every
    // layer's output); each gradient component within 12 LSB + 3% of its size (the output
    // delta inherits those errors, each hidden delta adds its rounding, and every term is
    // rounded stochastically once).
    reference.initialize(21);
    ASSERT_EQ(mp::quantize(reference, quantised), mp::status::ok);
    mp::dequantize(quantised, round_trip);
    mp::trainer<float_net, mp::cross_entropy, mp::sgd> float_trainer(round_trip);
    mp::trainer<fixed_net, mp::cross_entropy, mp::momentum> fixed_trainer(quantised);
    float* g_float = gradient_a;
    q3_12* g_fixed = fixed_gradient;
    double worst = 0.0;
    for (int sample = 0; sample < 4; ++sample) {
        float x[5], d[3] = {0.0f, 0.0f, 0.0f};
        q3_12 xq[5], dq[3];
        for (int i = 0; i < 5; ++i) x[i] = static_cast<float>(((sample * 5 + i) * 7) % 13) * 0.25f - 1.5f;
        d[sample % 3] = 1.0f;
        mp::fixed::quantize(x, xq, 5);
        mp::fixed::quantize(d, dq, 3);
        mp::fixed::dequantize(xq, x, 5);
        ASSERT_EQ(float_trainer.compute_gradient_unchecked(x, d, g_float), mp::status::ok);
        ASSERT_EQ(fixed_trainer.compute_gradient_unchecked(xq, dq, g_fixed), mp::status::ok);
        for (int k = 0; k < 3; ++k) {
            EXPECT_NEAR(as_double(quantised.output()[k]), round_trip.output()[k], 8 * lsb);
        }
        for (std::size_t k = 0; k < float_net::parameter_count; ++k) {
            const double e = std::fabs(as_double(g_fixed[k]) - g_float[k]);
            worst = e > worst ? e : worst;
            EXPECT_LE(e, 12 * lsb + 0.03 * std::fabs(g_float[k]));
        }
        EXPECT_NEAR(as_double(fixed_trainer.last_loss()), float_trainer.last_loss(), 8 * lsb);
    }
    console::print("  worst gradient difference ", console::fixed{worst / lsb, 2}, " LSB\n");
}

namespace {

/// Quantises `f` into a q3_12 network, sets f to the quantised weights, and compares the
/// fixed-point gradient and loss on (x, d) with float's: each component within 6 LSB + 3%,
/// the loss within 8 LSB. Both networks hold x's forward pass after.
template <class Loss, class FloatNet, class FixedNet, std::size_t In, std::size_t Out>
void expect_gradient_matches_float(FloatNet& f, FixedNet& q, const float (&x_in)[In], const float (&d)[Out])
{
    ASSERT_EQ(mp::quantize(f, q), mp::status::ok);
    mp::dequantize(q, f);
    mp::trainer<FloatNet, Loss, mp::momentum> ft(f);
    mp::trainer<FixedNet, Loss, mp::momentum> qt(q);
    float x[In];
    q3_12 xq[In], dq[Out];
    mp::fixed::quantize(x_in, xq, In);
    mp::fixed::dequantize(xq, x, In);
    mp::fixed::quantize(d, dq, Out);
    static float gf[FloatNet::parameter_count];
    static q3_12 gq[FloatNet::parameter_count];
    ASSERT_EQ(ft.compute_gradient(x, d, gf), mp::status::ok);
    ASSERT_EQ(qt.compute_gradient(xq, dq, gq), mp::status::ok);
    for (std::size_t k = 0; k < FloatNet::parameter_count; ++k) {
        EXPECT_NEAR(as_double(gq[k]), gf[k], 6 * lsb + 0.03 * std::fabs(gf[k]));
    }
    EXPECT_NEAR(as_double(qt.last_loss()), ft.last_loss(), 8 * lsb);
}

}  // namespace

TEST(fixed_point, sigmoid_squared_error_gradient_matches_float)
{
    float_sigmoid_net f(3);
    fixed_sigmoid_net q;
    const float x[3] = {0.5f, -1.25f, 2.0f}, d[2] = {1.0f, 0.0f};
    expect_gradient_matches_float<mp::squared_error>(f, q, x, d);
}

TEST(fixed_point, leaky_relu_binary_cross_entropy_gradient_matches_float)
{
    using float_leaky = mp::network<float, mp::dense<3, 5>, mp::leaky_relu, mp::dense<5, 2>, mp::sigmoid>;
    using fixed_leaky = mp::network<q3_12, mp::dense<3, 5>, mp::leaky_relu, mp::dense<5, 2>, mp::sigmoid>;
    float_leaky f(9);
    for (std::size_t k = 0; k < 5; ++k) f.biases(0)[k] = k % 2 == 0 ? -0.8f : 0.3f;  // some units negative
    fixed_leaky q;
    const float x[3] = {0.75f, -0.5f, 1.25f}, d[2] = {1.0f, 0.0f};
    expect_gradient_matches_float<mp::binary_cross_entropy>(f, q, x, d);
    bool some_unit_negative = false;
    for (std::size_t k = 0; k < 5; ++k) some_unit_negative = some_unit_negative || f.layer_output(0)[k] < 0.0f;
    EXPECT_TRUE(some_unit_negative);  // the leaky slope is exercised
}

TEST(fixed_point, invalid_learning_rate_changes_nothing)
{
    fixed_sigmoid_net q(4);
    const fixed_sigmoid_net before = q;
    mp::trainer<fixed_sigmoid_net, mp::squared_error, mp::sgd> t(q, mp::sgd{9.0f});
    const q3_12 x[3] = {q3_12(1), q3_12(0), q3_12(1)};
    const q3_12 d[2] = {q3_12(1), q3_12(0)};
    EXPECT_EQ(t.train_sample(x, d), mp::status::invalid_hyperparameter);
    t.optimizer().learning_rate = -0.1f;
    EXPECT_EQ(t.train_sample(x, d), mp::status::invalid_hyperparameter);
    for (std::size_t k = 0; k < fixed_sigmoid_net::parameter_count; ++k) {
        EXPECT_EQ(q.parameters()[k].raw, before.parameters()[k].raw);
    }
    t.optimizer().learning_rate = 0.5f;
    EXPECT_EQ(t.train_sample(x, d), mp::status::ok);
}

namespace {


/// (before - after) / lr for every parameter, in float: the gradient a step applied.
template <class FixedNet>
void step_as_gradient(const FixedNet& before, const FixedNet& after, float lr, float* gradient)
{
    for (std::size_t k = 0; k < FixedNet::parameter_count; ++k) {
        gradient[k] = (static_cast<float>(before.parameters()[k]) - static_cast<float>(after.parameters()[k])) / lr;
    }
}

/// Draws `reference` from `seed`, quantises it into `quantised` and sets `round_trip` to the
/// exact float values of the quantised weights.
void quantise_reference(std::uint32_t seed)
{
    reference.initialize(seed);
    ASSERT_EQ(mp::quantize(reference, quantised), mp::status::ok);
    mp::dequantize(quantised, round_trip);
}

/// The gradient the fused per-sample SGD step of a q3_12 trainer applies, read back from
/// the weights: (w_before - w_after) / lr on `copy`, a copy of `q`, in float.
template <class Loss, class FixedNet>
void fused_sgd_gradient(const FixedNet& q, FixedNet& copy, const q3_12* x, const q3_12* d, float lr,
                        float* gradient)
{
    copy = q;
    mp::trainer<FixedNet, Loss, mp::sgd> t(copy, mp::sgd{lr}, 99u);
    ASSERT_EQ(t.train_sample_unchecked(x, d), mp::status::ok);
    step_as_gradient(q, copy, lr, gradient);
}

}  // namespace

TEST(fixed_point, fused_sgd_step_applies_the_float_gradient)
{
    // The per-sample SGD step is fused into backprop (its own kernels, not compute_gradient's):
    // the step it takes with lr = 1/2 on the quantised weights, divided by lr, must be the float
    // gradient on the same weights. Tolerance per component: 12 LSB + 3% as the gradient
    // comparison above, plus 2 LSB / lr for the stochastic rounding of the step and of its scale.
    // lr = 1/2 keeps lr * delta <= 1/2, the largest step scale the kernel takes unclamped.
    constexpr float lr = 0.5f;
    quantise_reference(23);
    mp::trainer<float_net, mp::cross_entropy, mp::sgd> float_trainer(round_trip);
    float* g_float = gradient_a;
    float* g_fused = gradient_b;
    double worst = 0.0, largest = 0.0;
    mp::reset_saturation_count();
    for (int sample = 0; sample < 4; ++sample) {
        float x[5], d[3] = {0.0f, 0.0f, 0.0f};
        q3_12 xq[5], dq[3];
        for (int i = 0; i < 5; ++i) x[i] = static_cast<float>(((sample * 5 + i) * 5) % 11) * 0.3f - 1.5f;
        d[(sample + 1) % 3] = 1.0f;
        mp::fixed::quantize(x, xq, 5);
        mp::fixed::quantize(d, dq, 3);
        mp::fixed::dequantize(xq, x, 5);
        ASSERT_EQ(float_trainer.compute_gradient_unchecked(x, d, g_float), mp::status::ok);
        fused_sgd_gradient<mp::cross_entropy>(quantised, scratch_net, xq, dq, lr, g_fused);
        for (std::size_t k = 0; k < float_net::parameter_count; ++k) {
            const double e = std::fabs(double(g_fused[k]) - g_float[k]);
            worst = e > worst ? e : worst;
            largest = std::fabs(g_float[k]) > largest ? std::fabs(g_float[k]) : largest;
            EXPECT_LE(e, (12.0 + 2.0 / lr) * lsb + 0.03 * std::fabs(g_float[k]));
        }
    }
    EXPECT_EQ(mp::saturation_count(), 0u);
    EXPECT_GT(largest, 0.1);  // the tolerance is small against the gradient
    console::print("  fused SGD step / lr against the float gradient: worst ", console::fixed{worst / lsb, 2},
                   " LSB (largest component ", console::fixed{largest, 3}, ")\n");
}

TEST(fixed_point, fused_sgd_step_with_sigmoid_and_leaky_relu_applies_the_float_gradient)
{
    using float_leaky = mp::network<float, mp::dense<3, 5>, mp::leaky_relu, mp::dense<5, 4>, mp::sigmoid,
                                    mp::dense<4, 2>, mp::sigmoid>;
    using fixed_leaky = mp::network<q3_12, mp::dense<3, 5>, mp::leaky_relu, mp::dense<5, 4>, mp::sigmoid,
                                    mp::dense<4, 2>, mp::sigmoid>;
    constexpr float lr = 0.5f;
    static float_leaky f(17);
    static fixed_leaky q, stepped;
    for (std::size_t k = 0; k < 5; ++k) f.biases(0)[k] = k % 2 == 0 ? -0.8f : 0.4f;
    ASSERT_EQ(mp::quantize(f, q), mp::status::ok);
    mp::dequantize(q, f);
    mp::trainer<float_leaky, mp::squared_error, mp::momentum> ft(f);
    const float x_in[3] = {0.75f, -0.5f, 1.25f}, d[2] = {1.0f, 0.0f};
    float x[3];
    q3_12 xq[3], dq[2];
    mp::fixed::quantize(x_in, xq, 3);
    mp::fixed::dequantize(xq, x, 3);
    mp::fixed::quantize(d, dq, 2);
    static_assert(float_leaky::parameter_count <= float_net::parameter_count, "The shared buffers must hold it.");
    float* gf = gradient_a;
    float* gq = gradient_b;
    ASSERT_EQ(ft.compute_gradient_unchecked(x, d, gf), mp::status::ok);
    fused_sgd_gradient<mp::squared_error>(q, stepped, xq, dq, lr, gq);
    double largest = 0.0;
    for (std::size_t k = 0; k < float_leaky::parameter_count; ++k) {
        largest = std::fabs(gf[k]) > largest ? std::fabs(gf[k]) : largest;
        EXPECT_NEAR(gq[k], gf[k], (6.0 + 2.0 / lr) * lsb + 0.03 * std::fabs(gf[k]));
    }
    EXPECT_GT(largest, 0.02);
}

namespace {

/// Four samples of float_net's widths, quantised (xs, ds) and their exact float values (xf, df).
void batch_samples(q3_12 (&xs)[4][5], q3_12 (&ds)[4][3], float (&xf)[4][5], float (&df)[4][3])
{
    for (int s = 0; s < 4; ++s) {
        for (int i = 0; i < 5; ++i) xf[s][i] = static_cast<float>(((s * 5 + i) * 3) % 7) * 0.4f - 1.2f;
        for (int k = 0; k < 3; ++k) df[s][k] = k == s % 3 ? 1.0f : 0.0f;
        mp::fixed::quantize(xf[s], xs[s], 5);
        mp::fixed::quantize(df[s], ds[s], 3);
        mp::fixed::dequantize(xs[s], xf[s], 5);
    }
}

/// The mean float gradient of the first `count` samples, on round_trip's weights.
void float_mean_gradient(const float (&xf)[4][5], const float (&df)[4][3], std::size_t count, float* mean)
{
    mp::trainer<float_net, mp::cross_entropy, mp::sgd> t(round_trip);
    float* g = gradient_b;  // free until the step is read back into it
    for (std::size_t k = 0; k < float_net::parameter_count; ++k) mean[k] = 0.0f;
    for (std::size_t s = 0; s < count; ++s) {
        ASSERT_EQ(t.compute_gradient_unchecked(xf[s], df[s], g), mp::status::ok);
        for (std::size_t k = 0; k < float_net::parameter_count; ++k) mean[k] += g[k] / static_cast<float>(count);
    }
}

/// The step a minibatch trainer takes on a copy of `quantised` over `count` samples, / lr.
template <class Optimizer>
void batch_step_gradient(const q3_12 (&xs)[4][5], const q3_12 (&ds)[4][3], std::size_t count, Optimizer o,
                         float* gradient)
{
    fixed_net& copy = scratch_net;
    copy = quantised;
    mp::trainer<fixed_net, mp::cross_entropy, Optimizer, 4> t(copy, o, 5u);
    ASSERT_EQ(t.train_batch_unchecked(&xs[0][0], &ds[0][0], count), mp::status::ok);
    step_as_gradient(quantised, copy, o.learning_rate, gradient);
}

}  // namespace

TEST(fixed_point, minibatch_step_applies_the_mean_float_gradient)
{
    // A minibatch step of the q3_12 trainer (exact 32-bit sums of delta x, one stochastic
    // rounding at the step), divided by lr, against the mean float gradient on the same
    // weights: full batches of 4 and a partial one of 3, SGD, and momentum with mu = 0
    // (whose velocity is then the rounded mean gradient). Tolerance per component: 12 LSB
    // + 3% as above, plus 2 LSB / lr for the rounding of the step (and of the gradient).
    constexpr float lr = 0.5f;
    quantise_reference(29);
    auto& xs = batch_xq;
    auto& ds = batch_dq;
    auto& xf = batch_xf;
    auto& df = batch_df;
    float* mean = gradient_a;
    float* stepped = gradient_b;
    batch_samples(xs, ds, xf, df);
    mp::reset_saturation_count();
    double worst = 0.0, largest = 0.0;
    for (std::size_t count = 3; count <= 4; ++count) {
        float_mean_gradient(xf, df, count, mean);
        for (int optimizer = 0; optimizer < 2; ++optimizer) {
            if (optimizer == 0) batch_step_gradient(xs, ds, count, mp::sgd{lr}, stepped);
            else batch_step_gradient(xs, ds, count, mp::momentum{lr, 0.0f}, stepped);
            for (std::size_t k = 0; k < float_net::parameter_count; ++k) {
                const double e = std::fabs(double(stepped[k]) - mean[k]);
                worst = e > worst ? e : worst;
                largest = std::fabs(mean[k]) > largest ? std::fabs(mean[k]) : largest;
                EXPECT_LE(e, (12.0 + 4.0 / lr) * lsb + 0.03 * std::fabs(mean[k]));
            }
        }
    }
    EXPECT_EQ(mp::saturation_count(), 0u);
    EXPECT_GT(largest, 0.1);
    console::print("  minibatch step / lr against the mean float gradient: worst ", console::fixed{worst / lsb, 2},
                   " LSB\n");
}

TEST(fixed_point, minibatch_count_outside_one_to_batch_size_changes_nothing)
{
    auto& xs = batch_xq;
    auto& ds = batch_dq;
    auto& xf = batch_xf;
    auto& df = batch_df;
    batch_samples(xs, ds, xf, df);
    quantised.initialize(31);
    const fixed_net before = quantised;
    mp::trainer<fixed_net, mp::cross_entropy, mp::sgd, 4> t(quantised, mp::sgd{0.1f});
    EXPECT_EQ(t.train_batch_unchecked(&xs[0][0], &ds[0][0], 0), mp::status::invalid_hyperparameter);
    EXPECT_EQ(t.train_batch_unchecked(&xs[0][0], &ds[0][0], 5), mp::status::invalid_hyperparameter);
    t.optimizer().learning_rate = 8.5f;
    EXPECT_EQ(t.train_batch_unchecked(&xs[0][0], &ds[0][0]), mp::status::invalid_hyperparameter);
    for (std::size_t k = 0; k < fixed_net::parameter_count; ++k) {
        EXPECT_EQ(quantised.parameters()[k].raw, before.parameters()[k].raw);
    }
    t.optimizer().learning_rate = 0.1f;
    EXPECT_EQ(t.train_batch_unchecked(&xs[0][0], &ds[0][0]), mp::status::ok);
    using batch_trainer = mp::trainer<fixed_net, mp::cross_entropy, mp::sgd, 4>;
    EXPECT_EQ(batch_trainer::sum_bytes, 4 * fixed_net::parameter_count);
}

TEST(fixed_point, minibatch_sums_saturate_and_count_instead_of_wrapping)
{
    // The 32-bit sums of delta x (Q6.24) hold |sum| < 128; beyond it they clamp and count.
    const q3_12 delta[1] = {q3_12(4)};
    const q3_12 x[2] = {q3_12(7), q3_12(-7)};
    std::int32_t sw[2] = {2147483647 - 1000, -2147483647};
    std::int32_t sb[1] = {0};
    mp::reset_saturation_count();
    mp::kernels::fixed::dense_accumulate_exact(delta, x, sw, sb, 2, 1);
    EXPECT_EQ(sw[0], 2147483647);
    EXPECT_EQ(sw[1], -2147483647 - 1);
    EXPECT_EQ(sb[0], 4 << 24);
    EXPECT_EQ(mp::saturation_count(), 2u);
}

namespace {

// The Adam cases use a small network: an Adam trainer of float_net would hold 1.5 KB of
// moments on the stack, more than the 8 KB STM32F100 leaves.
using float_adam_net = mp::network<float, mp::dense<3, 6>, mp::relu, mp::dense<6, 2>, mp::sigmoid>;
using fixed_adam_net = mp::network<q3_12, mp::dense<3, 6>, mp::relu, mp::dense<6, 2>, mp::sigmoid>;
float_adam_net adam_reference;
fixed_adam_net adam_quantised, adam_stepped;

/// Sample s of four (3 inputs in [-1.2, 1.2], one-hot-ish targets), quantised and as floats.
void adam_sample(int s, q3_12 (&xq)[3], q3_12 (&dq)[2], float (&xf)[3], float (&df)[2])
{
    for (int i = 0; i < 3; ++i) xf[i] = static_cast<float>(((s * 3 + i) * 5) % 7) * 0.4f - 1.2f;
    df[0] = s % 2 == 0 ? 1.0f : 0.0f;
    df[1] = 1.0f - df[0];
    mp::fixed::quantize(xf, xq, 3);
    mp::fixed::quantize(df, dq, 2);
    mp::fixed::dequantize(xq, xf, 3);
}

/// Draws adam_reference (hidden unit 1 starts dead, the others alive), quantises it into adam_quantised and
/// sets adam_reference to the quantised weights.
void quantise_adam_reference(std::uint32_t seed)
{
    adam_reference.initialize(seed);
    for (std::size_t k = 0; k < 6; ++k) adam_reference.biases(0)[k] = k == 1 ? -3.0f : 0.5f;
    ASSERT_EQ(mp::quantize(adam_reference, adam_quantised), mp::status::ok);
    mp::dequantize(adam_quantised, adam_reference);
}

}  // namespace

TEST(fixed_point, adam_first_step_moves_each_parameter_by_lr_against_its_gradient)
{
    // Closed form: after one Adam step the bias-corrected moments are g and g^2, so every
    // parameter moves by -lr g / (|g| + eps) = -lr sign(g) (eps = 1e-8 is 4e-5 of one step's
    // gradient), and one with g = 0 does not move. lr = 0.01 is 40.96 LSB; tolerance 1.5 LSB
    // (the stochastic rounding of the step, and of m and v at a 2^-8 relative error at most).
    // The gradient is the one the trainer itself uses: a twin trainer with the same rounding
    // seed computes it first.
    quantise_adam_reference(37);
    adam_stepped = adam_quantised;
    mp::trainer<fixed_adam_net, mp::binary_cross_entropy, mp::adam> twin(adam_quantised, mp::adam{0.01f}, 7u);
    mp::trainer<fixed_adam_net, mp::binary_cross_entropy, mp::adam> t(adam_stepped, mp::adam{0.01f}, 7u);
    q3_12 xq[3], dq[2];
    float xf[3], df[2];
    adam_sample(1, xq, dq, xf, df);
    q3_12* g = fixed_gradient;
    static_assert(fixed_adam_net::parameter_count <= fixed_net::parameter_count, "The shared buffer must hold it.");
    ASSERT_EQ(twin.compute_gradient_unchecked(xq, dq, g), mp::status::ok);
    ASSERT_EQ(t.train_sample(xq, dq), mp::status::ok);
    std::size_t moved = 0, still = 0;
    double worst = 0.0;
    for (std::size_t k = 0; k < fixed_adam_net::parameter_count; ++k) {
        const double change = as_double(adam_stepped.parameters()[k]) - as_double(adam_quantised.parameters()[k]);
        const double expected = g[k].raw == 0 ? 0.0 : (g[k].raw > 0 ? -0.01 : 0.01);
        const double e = std::fabs(change - expected);
        worst = e > worst ? e : worst;
        EXPECT_LE(e, 1.5 * lsb);
        (g[k].raw == 0 ? still : moved) += 1;
    }
    EXPECT_GE(moved, fixed_adam_net::parameter_count / 3);
    EXPECT_GT(still, 0u);  // the dead ReLU units
    console::print("  Adam's first step against -lr sign(g): worst ", console::fixed{worst / lsb, 2}, " LSB, ",
                   moved, " moved, ", still, " still\n");
}

TEST(fixed_point, adam_follows_float_adam_over_twenty_steps)
{
    // Float Adam on the quantised weights and the q3_12 trainer on the same four samples in
    // turn, lr 0.01, beta 0.9 / 0.999: after 20 steps every parameter within 16 LSB + 10% of
    // float's total change (the gradients differ by a few LSB each step; Adam divides them
    // by their running size, so small components carry a larger relative error).
    quantise_adam_reference(41);
    float* start = gradient_a;
    for (std::size_t k = 0; k < float_adam_net::parameter_count; ++k) start[k] = adam_reference.parameters()[k];
    mp::trainer<float_adam_net, mp::binary_cross_entropy, mp::adam> ft(adam_reference, mp::adam{0.01f});
    mp::trainer<fixed_adam_net, mp::binary_cross_entropy, mp::adam> qt(adam_quantised, mp::adam{0.01f}, 3u);
    mp::reset_saturation_count();
    for (int step = 0; step < 20; ++step) {
        q3_12 xq[3], dq[2];
        float xf[3], df[2];
        adam_sample(step % 4, xq, dq, xf, df);
        ASSERT_EQ(ft.train_sample(xf, df), mp::status::ok);
        ASSERT_EQ(qt.train_sample(xq, dq), mp::status::ok);
    }
    double worst = 0.0, largest_change = 0.0;
    for (std::size_t k = 0; k < float_adam_net::parameter_count; ++k) {
        const double change = std::fabs(double(adam_reference.parameters()[k]) - start[k]);
        const double e = std::fabs(as_double(adam_quantised.parameters()[k]) - adam_reference.parameters()[k]);
        worst = e > worst ? e : worst;
        largest_change = change > largest_change ? change : largest_change;
        EXPECT_LE(e, 16 * lsb + 0.1 * change);
    }
    EXPECT_GT(largest_change, 0.1);
    EXPECT_EQ(mp::saturation_count(), 0u);
    console::print("  Adam, 20 steps against float: worst ", console::fixed{worst / lsb, 2},
                   " LSB (largest change ", console::fixed{largest_change / lsb, 0}, " LSB)\n");
}

TEST(fixed_point, minibatch_updates_far_below_one_step_do_not_vanish)
{
    // An identity unit y = w x + b, squared error, target 0 from y = 1/4: the gradient is
    // y x for w and y for b. Batches of 4 equal samples x = 1/2, lr 1e-3: each step moves w by
    // 1.25e-4 (half a q3_12 step) and b by 2.5e-4 (one step); rounded to nearest the w step
    // would vanish. 200 steps, y drifting slowly down: float's minibatch trainer on the same
    // weights is the reference, within 10 LSB (the binomial spread of 200 half-step
    // roundings is 7 half steps, 3.5 LSB; y's own rounding adds a little).
    using unit_f = mp::network<float, mp::dense<1, 1>>;
    using unit_q = mp::network<q3_12, mp::dense<1, 1>>;
    unit_f f;
    unit_q q;
    f.parameters()[0] = 0.0f;   // w
    f.parameters()[1] = 0.25f;  // b
    ASSERT_EQ(mp::quantize(f, q), mp::status::ok);
    mp::trainer<unit_f, mp::squared_error, mp::sgd, 4> ft(f, mp::sgd{1e-3f});
    mp::trainer<unit_q, mp::squared_error, mp::sgd, 4> qt(q, mp::sgd{1e-3f}, 11u);
    const float xf[4] = {0.5f, 0.5f, 0.5f, 0.5f}, df[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    const q3_12 xq[4] = {q3_12(0.5f), q3_12(0.5f), q3_12(0.5f), q3_12(0.5f)};
    const q3_12 dq[4] = {q3_12(0), q3_12(0), q3_12(0), q3_12(0)};
    for (int step = 0; step < 200; ++step) {
        ASSERT_EQ(ft.train_batch(xf, df), mp::status::ok);
        ASSERT_EQ(qt.train_batch(xq, dq), mp::status::ok);
    }
    EXPECT_LT(f.parameters()[0], -0.02f);  // about 100 steps of 1/4096 in all
    EXPECT_NEAR(as_double(q.parameters()[0]), f.parameters()[0], 10 * lsb);
    EXPECT_NEAR(as_double(q.parameters()[1]), f.parameters()[1], 10 * lsb);
    console::print("  200 half-step minibatch updates: w float ", console::fixed{f.parameters()[0] / lsb, 1},
                   " LSB, q3_12 ", q.parameters()[0].raw, " LSB\n");
}
