// divergence_guard (include/microprop/divergence_guard.hpp):
//  - bytes is exactly sizeof(divergence_guard), and holds the snapshot, the optimizer copy
//    and the bookkeeping (static_asserts for sgd, momentum, Adam in float and double);
//  - with a sane learning rate it never rolls back and the guarded training is bit-identical
//    to unguarded training (fused SGD, momentum, Adam, minibatch SGD);
//  - an absurd learning rate (per-sample SGD, lr 4 on a tanh-linear net, whose squared error
//    grows without bound) is rolled back: right after a rollback the weights equal, bit for
//    bit, a copy the test took itself at the last snapshot; the learning rate is halved; and
//    training then converges (mean loss < 1e-2 of the starting loss);
//  - after a rollback the optimizer state (momentum velocity, Adam moments), Adam's
//    beta1^t/beta2^t and every hyper-parameter but the learning rate are bit-identical to
//    the snapshot (copies taken by the test), and the learning rate is exactly lr * 0.5;
//  - one sample 500x the mean loss is not a divergence (the cap), the same loss sustained is
//    rolled back within 23 steps although the running average rises with it;
//  - a finite sample whose loss overflows (a poisoned target) is rolled back; NaN inputs and
//    targets are passed through unchanged (data's fault: no rollback, learning rate kept);
//  - invalid settings return invalid_hyperparameter and change nothing;
//  - snapshot() refuses non-finite weights and keeps the previous snapshot.
#include <microprop/divergence_guard.hpp>
#include <microprop/microprop.hpp>

#include <cstring>
#include <limits>

#include "microtest.hpp"
#include "numeric_support.hpp"

namespace {

namespace mp = microprop;
using numtest::same_bits;

template <class T>
using net_t = mp::network<T, mp::dense<3, 6>, mp::tanh, mp::dense<6, 2>>;
constexpr std::size_t P = net_t<float>::parameter_count;
constexpr std::size_t sample_count = 16;

// ---- Memory ---------------------------------------------------------------------------------

template <class Optimizer, class T, std::size_t Batch = 1>
constexpr bool bytes_are_exact()
{
    using trainer_t = mp::trainer<net_t<T>, mp::squared_error, Optimizer, Batch>;
    using guard_t = mp::divergence_guard<trainer_t>;
    constexpr std::size_t parts = guard_t::snapshot_bytes + sizeof(Optimizer) + guard_t::bookkeeping_bytes;
    return sizeof(guard_t) == guard_t::bytes &&
           guard_t::snapshot_bytes == (P + trainer_t::optimizer_state_count) * sizeof(T) &&
           guard_t::bytes >= parts && guard_t::bytes - parts < 8;  // alignment padding only
}
static_assert(bytes_are_exact<mp::sgd, float>(), "sgd float guard bytes");
static_assert(bytes_are_exact<mp::sgd, double>(), "sgd double guard bytes");
static_assert(bytes_are_exact<mp::momentum, float>(), "momentum float guard bytes");
static_assert(bytes_are_exact<mp::momentum, double>(), "momentum double guard bytes");
static_assert(bytes_are_exact<mp::adam, float>(), "adam float guard bytes");
static_assert(bytes_are_exact<mp::adam, double>(), "adam double guard bytes");
static_assert(bytes_are_exact<mp::adam, float, 4>(), "adam float batch guard bytes");
// The snapshot of an Adam trainer holds the parameters and both moments.
static_assert(mp::divergence_guard<mp::trainer<net_t<float>, mp::squared_error, mp::adam>>::snapshot_count == 3 * P,
              "adam snapshot count");
static_assert(mp::divergence_guard<mp::trainer<net_t<float>, mp::squared_error, mp::sgd>>::snapshot_count == P,
              "sgd snapshot count");

// ---- Data -----------------------------------------------------------------------------------

/// 16 samples of a smooth map R^3 -> R^2 that the net can fit.
template <class T>
struct data_set {
    T xs[sample_count][3];
    T ds[sample_count][2];
    data_set()
    {
        numtest::lcg rng(11);
        for (std::size_t s = 0; s < sample_count; ++s) {
            for (auto& v : xs[s]) v = static_cast<T>(rng.symmetric());
            ds[s][0] = static_cast<T>(0.5) * xs[s][0] - static_cast<T>(0.3) * xs[s][1];
            ds[s][1] = static_cast<T>(0.4) * xs[s][2] * xs[s][0] + static_cast<T>(0.2);
        }
    }
};

template <class T>
double mean_loss(net_t<T>& net, const data_set<T>& data)
{
    double sum = 0.0;
    for (std::size_t s = 0; s < sample_count; ++s) {
        const T* y = net.forward(data.xs[s]).data();
        sum += numtest::squared_error_loss(y, data.ds[s], 2);
    }
    return sum / static_cast<double>(sample_count);
}

/// Per-sample step on sample s, or a minibatch of Batch samples starting at s.
template <std::size_t Batch, class Stepper, class T>
mp::status step(Stepper& stepper, const data_set<T>& data, std::size_t s)
{
    if constexpr (Batch == 1) {
        return stepper.train_sample(data.xs[s], data.ds[s]);
    } else {
        return stepper.train_batch(mp::rows(data.xs, s, Batch), mp::rows(data.ds, s, Batch));
    }
}

// ---- Normal training is unchanged ----------------------------------------------------------

template <class T, class Optimizer, std::size_t Batch>
NUMTEST_NOINLINE void guard_does_not_change_sane_training(Optimizer optimizer)
{
    using trainer_t = mp::trainer<net_t<T>, mp::squared_error, Optimizer, Batch>;
    const data_set<T> data;
    net_t<T> guarded_net(3u);
    net_t<T> plain_net = guarded_net;
    trainer_t guarded_trainer(guarded_net, optimizer);
    trainer_t plain_trainer(plain_net, optimizer);
    mp::divergence_guard<trainer_t> guard(guarded_trainer);
    guard.settings().snapshot_interval = 7;  // many snapshots: copying must not disturb anything
    guard.settings().warm_up_steps = 10;
    const double start = mean_loss(plain_net, data);
    for (int epoch = 0; epoch < 60; ++epoch) {
        for (std::size_t s = 0; s + Batch <= sample_count; s += Batch) {
            ASSERT_EQ(step<Batch>(guard, data, s), mp::status::ok);
            ASSERT_EQ(step<Batch>(plain_trainer, data, s), mp::status::ok);
        }
    }
    EXPECT_EQ(guard.rollbacks(), 0u);
    EXPECT_TRUE(same_bits(guarded_net.parameters().data(), plain_net.parameters().data(), P));
    EXPECT_TRUE(same_bits(guarded_trainer.optimizer_state().data(), plain_trainer.optimizer_state().data(),
                          trainer_t::optimizer_state_count));
    EXPECT_EQ(guarded_trainer.optimizer().learning_rate, plain_trainer.optimizer().learning_rate);
    EXPECT_EQ(guard.learning_rate_scale(), 1.0f);
    // It did train: the comparison is not between two untouched networks.
    EXPECT_LT(mean_loss(plain_net, data), 0.5 * start);
}

template <class T>
void sane_cases()
{
    guard_does_not_change_sane_training<T, mp::sgd, 1>(mp::sgd{0.05f});
    guard_does_not_change_sane_training<T, mp::sgd, 4>(mp::sgd{0.2f});
    guard_does_not_change_sane_training<T, mp::momentum, 1>(mp::momentum{0.01f});
    mp::adam adam;
    adam.learning_rate = 0.005f;
    guard_does_not_change_sane_training<T, mp::adam, 1>(adam);
}

TEST(divergence_guard, float_sane_training_is_bit_identical) { sane_cases<float>(); }
TEST(divergence_guard, double_sane_training_is_bit_identical) { sane_cases<double>(); }

// ---- An absurd learning rate ---------------------------------------------------------------

/// Per-sample SGD at lr 4: the output layer's step overshoots more each time and the
/// squared error grows without bound. The test snapshots explicitly at the start of every
/// epoch and keeps its own copy of the weights then; the first step that rolls back must
/// restore that copy exactly.
template <class T>
NUMTEST_NOINLINE void absurd_learning_rate_is_rolled_back()
{
    using trainer_t = mp::trainer<net_t<T>, mp::squared_error, mp::sgd>;
    const data_set<T> data;
    net_t<T> net(3u);
    trainer_t tr(net, mp::sgd{4.0f});
    mp::divergence_guard<trainer_t> guard(tr);
    guard.settings().snapshot_interval = 0;  // only the explicit snapshots below
    guard.settings().warm_up_steps = 8;
    const double start = mean_loss(net, data);

    // Unguarded, the same learning rate diverges: the loss leaves every bound (or the step
    // reports non-finite numbers).
    {
        net_t<T> plain_net(3u);
        trainer_t plain(plain_net, mp::sgd{4.0f});
        bool diverged = false;
        for (int epoch = 0; epoch < 40 && !diverged; ++epoch) {
            for (std::size_t s = 0; s < sample_count && !diverged; ++s) {
                diverged = plain.train_sample(data.xs[s], data.ds[s]) != mp::status::ok;
            }
            diverged = diverged || !(mean_loss(plain_net, data) < 1e6);
        }
        EXPECT_TRUE(diverged);
    }

    T copy[P];
    std::uint32_t rollbacks_seen = 0;
    for (int epoch = 0; epoch < 400; ++epoch) {
        ASSERT_EQ(guard.snapshot(), mp::status::ok);
        std::memcpy(copy, net.parameters().data(), sizeof copy);
        for (std::size_t s = 0; s < sample_count; ++s) {
            const float lr_before = tr.optimizer().learning_rate;
            const mp::status result = guard.train_sample(data.xs[s], data.ds[s]);
            if (result == mp::status::rolled_back) {
                ++rollbacks_seen;
                EXPECT_TRUE(same_bits(net.parameters().data(), copy, P));
                EXPECT_TRUE(same_bits(guard.saved_values().data(), copy, P));
                EXPECT_EQ(tr.optimizer().learning_rate, lr_before * 0.5f);
                break;  // the epoch starts again from the restored weights
            }
            ASSERT_EQ(result, mp::status::ok);
        }
    }
    EXPECT_GE(rollbacks_seen, 1u);
    EXPECT_EQ(guard.rollbacks(), rollbacks_seen);
    EXPECT_LT(tr.optimizer().learning_rate, 4.0f);
    EXPECT_EQ(tr.optimizer().learning_rate, 4.0f * guard.learning_rate_scale());
    // Training then converges.
    const double end = mean_loss(net, data);
    EXPECT_LT(end, 1e-2 * start);
    for (std::size_t k = 0; k < P; ++k) ASSERT_TRUE(mp::scalar_ops<T>::is_finite(net.parameters()[k]));
}

TEST(divergence_guard, float_absurd_learning_rate_is_rolled_back) { absurd_learning_rate_is_rolled_back<float>(); }
TEST(divergence_guard, double_absurd_learning_rate_is_rolled_back) { absurd_learning_rate_is_rolled_back<double>(); }

// ---- One outlier is not a divergence; a sustained rise is ----------------------------------

/// After 400 good steps (snapshots every 50), one sample whose target is 60 away costs
/// over 500 times the mean loss. Uncapped, that alone would lift the recent loss past 10x
/// the reference; capped, it moves it by at most 0.03 * 2 * 10 = 0.6 times the reference,
/// so no rollback. The same sample repeated, a loss that stays 500 times too high, must be
/// rolled back within ln 2 / 0.03 = 23 steps, even though the running average rises with it
/// (the level is anchored at the last snapshot).
template <class T>
NUMTEST_NOINLINE void outlier_is_not_a_divergence()
{
    using trainer_t = mp::trainer<net_t<T>, mp::squared_error, mp::sgd>;
    const data_set<T> data;
    net_t<T> net(7u);
    trainer_t tr(net, mp::sgd{0.0f});  // the weights never move: the losses are the test's own
    mp::divergence_guard<trainer_t> guard(tr);
    guard.settings().snapshot_interval = 50;
    for (int k = 0; k < 400; ++k) {
        ASSERT_EQ(guard.train_sample(data.xs[k % sample_count], data.ds[k % sample_count]), mp::status::ok);
    }
    T far_target[2] = {data.ds[0][0] + T(60), data.ds[0][1]};
    const double average_before = static_cast<double>(guard.average_loss());
    EXPECT_EQ(guard.train_sample(data.xs[0], far_target), mp::status::ok);
    EXPECT_GT(static_cast<double>(tr.last_loss()), 500.0 * average_before);
    for (int k = 0; k < 100; ++k) {
        ASSERT_EQ(guard.train_sample(data.xs[k % sample_count], data.ds[k % sample_count]), mp::status::ok);
    }
    EXPECT_EQ(guard.rollbacks(), 0u);

    int steps = 0;
    mp::status result = mp::status::ok;
    while (result == mp::status::ok && steps < 100) {
        result = guard.train_sample(data.xs[0], far_target);
        ++steps;
    }
    EXPECT_EQ(result, mp::status::rolled_back);
    EXPECT_LE(steps, 24);
    EXPECT_GE(steps, 2);
}

TEST(divergence_guard, float_outlier_is_not_a_divergence) { outlier_is_not_a_divergence<float>(); }
TEST(divergence_guard, double_outlier_is_not_a_divergence) { outlier_is_not_a_divergence<double>(); }

// ---- A rollback restores the optimizer exactly ---------------------------------------------

template <class T>
T poisoned_target() { return sizeof(T) == 4 ? T(1e30f) : T(1e200); }  // (y - d)^2 overflows T

bool same_hyper_parameters(const mp::momentum& a, const mp::momentum& b)
{
    return a.momentum == b.momentum && a.nesterov == b.nesterov && a.weight_decay == b.weight_decay;
}
bool same_hyper_parameters(const mp::adam& a, const mp::adam& b)
{
    return same_bits(&a.beta1, &b.beta1, 1) && same_bits(&a.beta2, &b.beta2, 1) &&
           same_bits(&a.epsilon, &b.epsilon, 1) && same_bits(&a.weight_decay, &b.weight_decay, 1) &&
           same_bits(&a.beta1_power, &b.beta1_power, 1) && same_bits(&a.beta2_power, &b.beta2_power, 1);
}

/// Snapshot after 5 steps, 9 more steps (state, beta powers move on), then a poisoned
/// sample: everything is back as the test copied it at the snapshot, except the learning
/// rate, which is halved.
template <class T, class Optimizer, std::size_t Batch>
NUMTEST_NOINLINE void rollback_restores_optimizer(Optimizer optimizer)
{
    using trainer_t = mp::trainer<net_t<T>, mp::squared_error, Optimizer, Batch>;
    constexpr std::size_t S = trainer_t::optimizer_state_count;
    const data_set<T> data;
    net_t<T> net(4u);
    trainer_t tr(net, optimizer);
    // The poisoned target must reach the loss (and overflow it) rather than be refused by
    // the trainer's target limit.
    ASSERT_EQ(tr.set_sample_limits(std::numeric_limits<T>::max(), std::numeric_limits<T>::max()), mp::status::ok);
    mp::divergence_guard<trainer_t> guard(tr);
    guard.settings().snapshot_interval = 0;
    for (std::size_t s = 0; s < 5; ++s) ASSERT_EQ(step<Batch>(guard, data, s), mp::status::ok);
    ASSERT_EQ(guard.snapshot(), mp::status::ok);
    T parameters[P];
    T state[S];
    std::memcpy(parameters, net.parameters().data(), sizeof parameters);
    std::memcpy(state, tr.optimizer_state().data(), sizeof state);
    const Optimizer at_snapshot = tr.optimizer();
    const T recent = guard.recent_loss();
    const T average = guard.average_loss();

    for (std::size_t s = 5; s < 14; ++s) ASSERT_EQ(step<Batch>(guard, data, s), mp::status::ok);
    ASSERT_FALSE(same_bits(net.parameters().data(), parameters, P));
    ASSERT_FALSE(same_bits(tr.optimizer_state().data(), state, S));

    data_set<T> poisoned = data;
    poisoned.ds[0][0] = poisoned_target<T>();  // in the first step, per sample or batch
    EXPECT_EQ(step<Batch>(guard, poisoned, 0), mp::status::rolled_back);
    EXPECT_EQ(guard.rollbacks(), 1u);
    EXPECT_TRUE(same_bits(net.parameters().data(), parameters, P));
    EXPECT_TRUE(same_bits(tr.optimizer_state().data(), state, S));
    EXPECT_TRUE(same_hyper_parameters(tr.optimizer(), at_snapshot));
    EXPECT_EQ(tr.optimizer().learning_rate, at_snapshot.learning_rate * 0.5f);
    EXPECT_EQ(guard.recent_loss(), recent);
    EXPECT_EQ(guard.average_loss(), average);

    // Training goes on from there.
    for (std::size_t s = 0; s < 8; ++s) EXPECT_EQ(step<Batch>(guard, data, s), mp::status::ok);
}

template <class T>
void optimizer_cases()
{
    mp::momentum nesterov{0.02f, 0.8f, true, 0.001f};
    rollback_restores_optimizer<T, mp::momentum, 1>(nesterov);
    mp::adam adam;
    adam.learning_rate = 0.01f;
    adam.weight_decay = 0.001f;
    rollback_restores_optimizer<T, mp::adam, 1>(adam);
    rollback_restores_optimizer<T, mp::adam, 2>(adam);
}

TEST(divergence_guard, float_rollback_restores_optimizer_state) { optimizer_cases<float>(); }
TEST(divergence_guard, double_rollback_restores_optimizer_state) { optimizer_cases<double>(); }

// ---- What is passed through ----------------------------------------------------------------

template <class T>
NUMTEST_NOINLINE void data_faults_pass_through()
{
    using trainer_t = mp::trainer<net_t<T>, mp::squared_error, mp::sgd>;
    const data_set<T> data;
    net_t<T> net(5u);
    trainer_t tr(net, mp::sgd{0.05f});
    mp::divergence_guard<trainer_t> guard(tr);
    for (std::size_t s = 0; s < 4; ++s) ASSERT_EQ(guard.train_sample(data.xs[s], data.ds[s]), mp::status::ok);
    T before[P];
    std::memcpy(before, net.parameters().data(), sizeof before);

    T x[3] = {data.xs[0][0], std::numeric_limits<T>::quiet_NaN(), data.xs[0][2]};
    EXPECT_EQ(guard.train_sample(x, data.ds[0]), mp::status::non_finite_input);
    T d[2] = {std::numeric_limits<T>::infinity(), data.ds[0][1]};
    EXPECT_EQ(guard.train_sample(data.xs[0], d), mp::status::non_finite_target);
    EXPECT_EQ(guard.rollbacks(), 0u);
    EXPECT_EQ(tr.optimizer().learning_rate, 0.05f);
    EXPECT_TRUE(same_bits(net.parameters().data(), before, P));

    // Out-of-range settings: nothing is trained.
    const mp::divergence_guard_settings good = guard.settings();
    mp::divergence_guard_settings bad[6] = {good, good, good, good, good, good};
    bad[0].recent_decay = 1.0f;
    bad[1].average_decay = std::numeric_limits<float>::quiet_NaN();
    bad[2].blow_up_factor = 1.0f;
    bad[3].learning_rate_factor = 0.0f;
    bad[4].learning_rate_factor = 1.5f;
    bad[5].average_decay = 0.5f;  // below recent_decay
    for (const auto& settings : bad) {
        guard.settings() = settings;
        EXPECT_EQ(guard.train_sample(data.xs[0], data.ds[0]), mp::status::invalid_hyperparameter);
        EXPECT_TRUE(same_bits(net.parameters().data(), before, P));
    }
    guard.settings() = good;
    EXPECT_EQ(guard.train_sample(data.xs[0], data.ds[0]), mp::status::ok);
}

/// snapshot() of a NaN weight is refused and the old snapshot stays; the next step, which
/// meets the NaN, rolls back to the old one.
template <class T>
NUMTEST_NOINLINE void non_finite_weights_are_not_saved()
{
    using trainer_t = mp::trainer<net_t<T>, mp::squared_error, mp::momentum>;
    const data_set<T> data;
    net_t<T> net(6u);
    trainer_t tr(net, mp::momentum{0.02f});
    mp::divergence_guard<trainer_t> guard(tr);
    guard.settings().snapshot_interval = 0;
    T saved[P];
    std::memcpy(saved, net.parameters().data(), sizeof saved);
    for (std::size_t s = 0; s < 3; ++s) ASSERT_EQ(guard.train_sample(data.xs[s], data.ds[s]), mp::status::ok);
    net.parameters()[P - 1] = std::numeric_limits<T>::quiet_NaN();  // an output bias
    EXPECT_EQ(guard.snapshot(), mp::status::non_finite_parameter);
    EXPECT_TRUE(same_bits(guard.saved_values().data(), saved, P));
    EXPECT_EQ(guard.train_sample(data.xs[0], data.ds[0]), mp::status::rolled_back);
    EXPECT_TRUE(same_bits(net.parameters().data(), saved, P));
}

TEST(divergence_guard, float_data_faults_pass_through) { data_faults_pass_through<float>(); }
TEST(divergence_guard, double_data_faults_pass_through) { data_faults_pass_through<double>(); }
TEST(divergence_guard, float_non_finite_weights_are_not_saved) { non_finite_weights_are_not_saved<float>(); }
TEST(divergence_guard, double_non_finite_weights_are_not_saved) { non_finite_weights_are_not_saved<double>(); }

}  // namespace
