// Sizes checked at every entry point (issue 15, point 2). Arrays of the wrong length do not
// compile (tests/compile_fail); this image checks the run-time half: a span of the wrong
// length gets status::size_mismatch and leaves the weights, the optimizer state, the
// trainer's last loss and the network's activations bit-identical, through every call that
// takes a span; and a span of the right length trains exactly as the array form does.
// Issue 15's case: two values for a three-input network.
#include <microprop/microprop.hpp>

#include <array>
#include <cstdint>

#include "numeric_support.hpp"

namespace {

namespace mp = microprop;
using numtest::same_bits;

using net_t = mp::network<float, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::softmax>;
using adam_trainer = mp::trainer<net_t, mp::cross_entropy, mp::adam>;
using batch_trainer = mp::trainer<net_t, mp::cross_entropy, mp::adam, 2>;
constexpr std::size_t P = net_t::parameter_count;

// Four samples; xs has one value more than four samples need, so that a span one too long
// still points at readable memory.
const float xs[13] = {0.5f, -0.25f, 0.75f, -0.5f, 0.125f, 0.25f, 1.0f, -1.0f, 0.5f, 0.0f, 0.25f, -0.75f, 9.0f};
const float ds[9] = {1.0f, 0.0f, 0.0f, 1.0f, 1.0f, 0.0f, 0.0f, 1.0f, 9.0f};

/// Everything a failed call must leave alone, copied.
template <class Trainer>
struct snapshot {
    std::array<float, P> parameters{};
    std::array<float, 2 * P> moments{};
    std::array<float, net_t::output_size> output{};
    float last_loss = 0.0f;
    double beta1_power = 0.0;

    explicit snapshot(const Trainer& tr)
    {
        for (std::size_t k = 0; k < P; ++k) parameters[k] = tr.network().parameters()[k];
        for (std::size_t k = 0; k < 2 * P; ++k) moments[k] = tr.optimizer_state()[k];
        for (std::size_t k = 0; k < net_t::output_size; ++k) output[k] = tr.network().output()[k];
        last_loss = tr.last_loss();
        beta1_power = tr.optimizer().beta1_power;
    }
    bool unchanged(const Trainer& tr) const
    {
        const snapshot now(tr);
        return same_bits(parameters.data(), now.parameters.data(), P) &&
               same_bits(moments.data(), now.moments.data(), 2 * P) &&
               same_bits(output.data(), now.output.data(), net_t::output_size) &&
               same_bits(&last_loss, &now.last_loss, 1) && beta1_power == now.beta1_power;
    }
};

/// A trainer with a few Adam steps behind it, so that its state is not all zeros.
template <class Trainer>
void warm_up(Trainer& tr)
{
    for (std::size_t s = 0; s < 3; ++s) {
        ASSERT_EQ(tr.train_sample(mp::span<const float>(xs + 3 * s, 3), mp::span<const float>(ds + 2 * s, 2)),
                  mp::status::ok);
    }
}

mp::span<const float> first(const float* values, std::size_t count) { return mp::span<const float>(values, count); }

TEST(sizes, two_values_for_three_inputs_is_a_size_mismatch)
{
    net_t net(5);
    adam_trainer tr(net, mp::adam{0.05f});
    warm_up(tr);
    const snapshot<adam_trainer> before(tr);
    // The case: a two-float array, seen as a span, for a three-input network.
    const float two[2] = {0.5f, -0.5f};
    EXPECT_EQ(tr.train_sample(mp::span<const float>(two), first(ds, 2)), mp::status::size_mismatch);
    EXPECT_TRUE(before.unchanged(tr));
    // Too long, wrong target, empty.
    EXPECT_EQ(tr.train_sample(first(xs, 4), first(ds, 2)), mp::status::size_mismatch);
    EXPECT_EQ(tr.train_sample(first(xs, 3), first(ds, 1)), mp::status::size_mismatch);
    EXPECT_EQ(tr.train_sample(first(xs, 3), first(ds, 3)), mp::status::size_mismatch);
    EXPECT_EQ(tr.train_sample(mp::span<const float>(), mp::span<const float>()), mp::status::size_mismatch);
    EXPECT_TRUE(before.unchanged(tr));
}

TEST(sizes, every_span_entry_point_checks_and_changes_nothing)
{
    net_t net(6);
    adam_trainer tr(net, mp::adam{0.05f});
    warm_up(tr);
    const snapshot<adam_trainer> before(tr);

    // compute_gradient: the gradient buffer must not be written either.
    std::array<float, P + 1> gradient{};
    for (float& g : gradient) g = 7.0f;
    const mp::span<float> right_gradient(gradient.data(), P);
    const mp::span<float> long_gradient(gradient.data(), P + 1);
    EXPECT_EQ(tr.compute_gradient(first(xs, 2), first(ds, 2), right_gradient), mp::status::size_mismatch);
    EXPECT_EQ(tr.compute_gradient(first(xs, 3), first(ds, 2), long_gradient), mp::status::size_mismatch);
    EXPECT_EQ(tr.compute_gradient(first(xs, 3), first(ds, 2), mp::span<float>(gradient.data(), P - 1)),
              mp::status::size_mismatch);
    for (float g : gradient) EXPECT_EQ(g, 7.0f);
    EXPECT_TRUE(before.unchanged(tr));

    // forward: the activations stay those of the last step.
    EXPECT_EQ(net.forward(first(xs, 2)), mp::status::size_mismatch);
    EXPECT_EQ(net.forward(first(xs, 4)), mp::status::size_mismatch);
    EXPECT_TRUE(before.unchanged(tr));

    // Minibatches of two: 6 inputs and 4 targets.
    net_t batch_net(7);
    batch_trainer batch(batch_net, mp::adam{0.05f});
    ASSERT_EQ(batch.train_batch(first(xs, 6), first(ds, 4)), mp::status::ok);
    const snapshot<batch_trainer> batch_before(batch);
    EXPECT_EQ(batch.train_batch(first(xs, 5), first(ds, 4)), mp::status::size_mismatch);
    EXPECT_EQ(batch.train_batch(first(xs, 6), first(ds, 3)), mp::status::size_mismatch);
    EXPECT_EQ(batch.train_batch(first(xs, 9), first(ds, 6)), mp::status::size_mismatch);
    // The partial form takes exactly `count` samples.
    EXPECT_EQ(batch.train_batch(first(xs, 6), first(ds, 4), 1), mp::status::size_mismatch);
    EXPECT_EQ(batch.train_batch(first(xs, 3), first(ds, 4), 1), mp::status::size_mismatch);
    std::array<float, P> batch_gradient{};
    for (float& g : batch_gradient) g = 7.0f;
    EXPECT_EQ(batch.compute_batch_gradient(first(xs, 3), first(ds, 4), batch_gradient), mp::status::size_mismatch);
    for (float g : batch_gradient) EXPECT_EQ(g, 7.0f);
    EXPECT_TRUE(batch_before.unchanged(batch));

    // The guard passes size_mismatch on and counts no step.
    net_t guarded_net(8);
    adam_trainer guarded_trainer(guarded_net, mp::adam{0.05f});
    mp::divergence_guard<adam_trainer> guard(guarded_trainer);
    ASSERT_EQ(guard.train_sample(first(xs, 3), first(ds, 2)), mp::status::ok);
    const float recent = guard.recent_loss();
    const snapshot<adam_trainer> guarded_before(guarded_trainer);
    EXPECT_EQ(guard.train_sample(first(xs, 2), first(ds, 2)), mp::status::size_mismatch);
    EXPECT_TRUE(guarded_before.unchanged(guarded_trainer));
    EXPECT_EQ(guard.rollbacks(), 0u);
    const float recent_after = guard.recent_loss();
    EXPECT_TRUE(same_bits(&recent, &recent_after, 1));

    // A data-set view's load and target into spans.
    const float features[2][3] = {{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}};
    const std::uint8_t labels[2] = {1, 0};
    const auto view = mp::classification_view<float, 2>(features, labels);
    float buffer[4] = {-1.0f, -1.0f, -1.0f, -1.0f};
    EXPECT_EQ(view.load(0, mp::span<float>(buffer, 2)), mp::status::size_mismatch);
    EXPECT_EQ(view.target(0, mp::span<float>(buffer, 3)), mp::status::size_mismatch);
    for (float v : buffer) EXPECT_EQ(v, -1.0f);
    EXPECT_EQ(view.load(1, mp::span<float>(buffer, 3)), mp::status::ok);
    EXPECT_EQ(buffer[2], 6.0f);
    EXPECT_EQ(buffer[3], -1.0f);
}

TEST(sizes, checked_forms_train_as_the_unchecked_one)
{
    // The same three steps through a std::array, a C array, a span and the _unchecked
    // pointer form end in bit-identical weights: the checks add nothing to the step.
    net_t a(9), b(9), c(9), d(9);
    adam_trainer ta(a, mp::adam{0.05f}), tb(b, mp::adam{0.05f}), tc(c, mp::adam{0.05f}), td(d, mp::adam{0.05f});
    for (std::size_t s = 0; s < 3; ++s) {
        const std::array<float, 3> x_array{xs[3 * s], xs[3 * s + 1], xs[3 * s + 2]};
        const std::array<float, 2> d_array{ds[2 * s], ds[2 * s + 1]};
        const float x_c[3] = {xs[3 * s], xs[3 * s + 1], xs[3 * s + 2]};
        const float d_c[2] = {ds[2 * s], ds[2 * s + 1]};
        ASSERT_EQ(ta.train_sample(x_array, d_array), mp::status::ok);
        ASSERT_EQ(tb.train_sample(x_c, d_c), mp::status::ok);
        ASSERT_EQ(tc.train_sample(first(xs + 3 * s, 3), first(ds + 2 * s, 2)), mp::status::ok);
        ASSERT_EQ(td.train_sample_unchecked(xs + 3 * s, ds + 2 * s), mp::status::ok);
    }
    EXPECT_TRUE(same_bits(a.parameters().data(), d.parameters().data(), P));
    EXPECT_TRUE(same_bits(b.parameters().data(), d.parameters().data(), P));
    EXPECT_TRUE(same_bits(c.parameters().data(), d.parameters().data(), P));
    // And the steps did move the weights (the comparison above is not of untouched copies).
    const net_t untouched(9);
    EXPECT_TRUE(!same_bits(untouched.parameters().data(), d.parameters().data(), P));
    // A two-dimensional C array is a minibatch of its rows.
    net_t e(10), f(10);
    batch_trainer te(e, mp::adam{0.05f}), tf(f, mp::adam{0.05f});
    const float rows_x[2][3] = {{xs[0], xs[1], xs[2]}, {xs[3], xs[4], xs[5]}};
    const float rows_d[2][2] = {{ds[0], ds[1]}, {ds[2], ds[3]}};
    ASSERT_EQ(te.train_batch(rows_x, rows_d), mp::status::ok);
    ASSERT_EQ(tf.train_batch_unchecked(xs, ds), mp::status::ok);
    EXPECT_TRUE(same_bits(e.parameters().data(), f.parameters().data(), P));
}

TEST(sizes, size_mismatch_has_a_name)
{
    const char* expected = "size mismatch";
    const char* name = mp::to_string(mp::status::size_mismatch);
    std::size_t k = 0;
    while (expected[k] != '\0' && name[k] == expected[k]) ++k;
    EXPECT_TRUE(expected[k] == '\0' && name[k] == '\0');
}

}  // namespace
