// data.hpp and the trainer's partial minibatch and reset, against references written here:
//   decoding         x = scale * q + offset, values worked out by hand
//   statistics       Welford's one pass against a direct two-pass mean / population std
//   epoch_order      every epoch is a permutation of 0..n-1
//   validation split disjoint, covering, sorted, the requested size, the same for the same seed
//   train_batch(count) one step with the mean of per-sample gradients (compute_gradient),
//                    w <- w - lr g written out; count outside 1..N and NaN samples change nothing
//   reset            an Adam trainer after reset() steps exactly as a new one
//   train_epoch      the same weights as the loop of train_sample / train_batch calls it replaces
#include <microprop/microprop.hpp>

#include <cmath>

#include "microtest.hpp"

namespace {

namespace mp = microprop;

// Six samples, three 8-bit features, two classes; feature j decodes as scale_j * q + offset_j.
constexpr std::uint8_t codes[6][3] = {{0, 10, 255}, {1, 20, 128}, {2, 30, 0}, {3, 40, 64}, {4, 50, 32}, {5, 60, 16}};
constexpr std::uint8_t labels[6] = {0, 1, 1, 0, 1, 0};
constexpr float scales[3] = {0.5f, 0.25f, 1.0f / 255.0f};
constexpr float offsets[3] = {-1.0f, 2.0f, 0.0f};
constexpr float shared_scale = 0.125f;
constexpr float shared_offset = 1.0f;

TEST(data, one_hot)
{
    std::array<float, 4> d{};
    mp::one_hot(2, d);
    EXPECT_EQ(d[0], 0.0f);
    EXPECT_EQ(d[1], 0.0f);
    EXPECT_EQ(d[2], 1.0f);
    EXPECT_EQ(d[3], 0.0f);
    mp::one_hot(0, d);
    EXPECT_EQ(d[0], 1.0f);
    EXPECT_EQ(d[2], 0.0f);
}

TEST(data, index_lists_of_every_width)
{
    static constexpr std::uint8_t narrow[3] = {5, 0, 2};
    static constexpr std::uint16_t middle[2] = {300, 7};
    static constexpr std::uint32_t wide[2] = {70000, 1};
    const mp::index_list a(narrow);
    const mp::index_list b(middle);
    const mp::index_list c(wide);
    const mp::index_list all = mp::index_list::all(4);
    EXPECT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0], 5u);
    EXPECT_EQ(a[2], 2u);
    EXPECT_EQ(b[0], 300u);
    EXPECT_EQ(b[1], 7u);
    EXPECT_EQ(c[0], 70000u);
    EXPECT_EQ(all.size(), 4u);
    EXPECT_EQ(all[3], 3u);
}

TEST(data, view_decodes_eight_bit_features_and_targets)
{
    const auto all = mp::classification_view<float, 2>(codes, labels);
    static constexpr std::uint8_t order[2] = {4, 1};
    const auto view = all.with_coding(scales, offsets).subset(order);
    ASSERT_EQ(view.size(), 2u);
    std::array<float, 3> x{};
    std::array<float, 2> d{};
    view.load(0, x);  // row 4: {4, 50, 32}
    EXPECT_NEAR(x[0], 1.0f, 0.0f);           // 0.5 * 4 - 1
    EXPECT_NEAR(x[1], 14.5f, 0.0f);          // 0.25 * 50 + 2
    EXPECT_NEAR(x[2], 32.0f / 255.0f, 1e-7f);
    view.target(0, d);
    EXPECT_EQ(d[0], 0.0f);
    EXPECT_EQ(d[1], 1.0f);
    EXPECT_EQ(view.label(1), 1u);  // row 1
    view.load(1, x);  // row 1: {1, 20, 128}
    EXPECT_NEAR(x[0], -0.5f, 0.0f);
    EXPECT_NEAR(x[1], 7.0f, 0.0f);

    const auto shared = all.with_coding(shared_scale, shared_offset);
    shared.load(5, x);  // row 5: {5, 60, 16}
    EXPECT_NEAR(x[0], 1.625f, 0.0f);
    EXPECT_NEAR(x[1], 8.5f, 0.0f);
    EXPECT_NEAR(x[2], 3.0f, 0.0f);

    // Stored floats with no coding come back unchanged.
    static constexpr float raw[2][2] = {{1.5f, -2.25f}, {3.0f, 4.0f}};
    static constexpr float targets[2][1] = {{0.5f}, {-1.0f}};
    const auto regression = mp::regression_view(raw, targets);
    float xr[2];
    float dr[1];
    regression.load(1, xr);
    regression.target(1, dr);
    EXPECT_EQ(xr[0], 3.0f);
    EXPECT_EQ(xr[1], 4.0f);
    EXPECT_EQ(dr[0], -1.0f);
    EXPECT_FALSE(regression.has_labels());
}

TEST(data, statistics_match_a_two_pass_computation)
{
    // Large offset and small spread: the naive sum of squares would lose the variance in float.
    static constexpr float big_offset[3] = {1000.0f, -2.0f, 0.0f};
    const auto view = mp::classification_view<float, 2>(codes, labels).with_coding(scales, big_offset);
    mp::feature_statistics<float, 3> stats;
    ASSERT_EQ(stats.compute(view), mp::status::ok);
    double rows[6][3];
    for (std::size_t i = 0; i < 6; ++i) {
        for (std::size_t j = 0; j < 3; ++j) {
            rows[i][j] = static_cast<double>(scales[j]) * codes[i][j] + static_cast<double>(big_offset[j]);
        }
    }
    for (std::size_t j = 0; j < 3; ++j) {
        double mean = 0.0;
        for (std::size_t i = 0; i < 6; ++i) mean += rows[i][j];
        mean /= 6.0;
        double squares = 0.0;
        for (std::size_t i = 0; i < 6; ++i) squares += (rows[i][j] - mean) * (rows[i][j] - mean);
        const double std_dev = std::sqrt(squares / 6.0);
        // Welford in float: a few roundings of the running mean, each <= eps * |x|.
        EXPECT_NEAR(stats.mean[j], mean, 8 * 1.2e-7 * (std::fabs(mean) + 1.0));
        EXPECT_NEAR(stats.std_dev[j], std_dev, 1e-4 * std_dev + 1e-4);
    }
    // Standardised with those statistics, every feature has mean 0 and deviation 1.
    const auto standardized = view.standardized(&stats);
    double sum[3] = {};
    double squares[3] = {};
    float x[3];
    for (std::size_t k = 0; k < standardized.size(); ++k) {
        standardized.load(k, x);
        for (std::size_t j = 0; j < 3; ++j) {
            sum[j] += x[j];
            squares[j] += static_cast<double>(x[j]) * x[j];
        }
    }
    for (std::size_t j = 0; j < 3; ++j) {
        EXPECT_NEAR(sum[j] / 6.0, 0.0, 1e-4);
        EXPECT_NEAR(squares[j] / 6.0, 1.0, 1e-3);
    }
}

TEST(data, statistics_reject_empty_and_non_finite_data)
{
    static constexpr std::uint8_t none[1] = {0};
    const auto empty = mp::classification_view<float, 2>(codes, labels).subset(mp::index_list(none, 0));
    mp::feature_statistics<float, 3> stats = mp::feature_statistics<float, 3>::from({1, 2, 3}, {4, 5, 6});
    EXPECT_EQ(stats.compute(empty), mp::status::invalid_hyperparameter);
    static float bad[2][3] = {{1.0f, 2.0f, 3.0f}, {1.0f, 2.0f, 3.0f}};
    static constexpr std::uint8_t two_labels[2] = {0, 1};
    bad[1][1] = std::numeric_limits<float>::quiet_NaN();
    const auto nan_view = mp::classification_view<float, 2>(bad, two_labels);
    EXPECT_EQ(stats.compute(nan_view), mp::status::non_finite_input);
    EXPECT_EQ(stats.mean[1], 2.0f);  // unchanged
    EXPECT_EQ(stats.std_dev[2], 6.0f);
    // A constant feature gets std 1, not 0.
    static constexpr float constant[2][1] = {{3.0f}, {3.0f}};
    const auto flat = mp::classification_view<float, 2>(constant, two_labels);
    mp::feature_statistics<float, 1> one;
    ASSERT_EQ(one.compute(flat), mp::status::ok);
    EXPECT_EQ(one.mean[0], 3.0f);
    EXPECT_EQ(one.std_dev[0], 1.0f);
}

TEST(data, epoch_order_is_a_permutation)
{
    mp::random_generator rng(11);
    for (std::uint32_t n : {1u, 2u, 7u, 12u, 120u}) {
        mp::epoch_order order(n);
        for (int epoch = 0; epoch < 4; ++epoch) {
            order.reshuffle(rng);
            bool seen[120] = {};
            for (std::uint32_t k = 0; k < n; ++k) {
                ASSERT_LT(order[k], n);
                EXPECT_FALSE(seen[order[k]]);
                seen[order[k]] = true;
            }
        }
    }
}

TEST(data, validation_split_is_a_seeded_partition)
{
    std::uint8_t train[20];
    std::uint8_t held_out[5];
    mp::random_generator rng(3);
    ASSERT_EQ(mp::validation_split<std::uint8_t>(20, 5, rng, train, held_out), mp::status::ok);
    bool seen[20] = {};
    for (std::uint8_t v : held_out) seen[v] = true;
    for (std::size_t k = 0; k < 15; ++k) {
        EXPECT_FALSE(seen[train[k]]);
        seen[train[k]] = true;
        if (k > 0) EXPECT_LT(train[k - 1], train[k]);
    }
    for (std::size_t k = 1; k < 5; ++k) EXPECT_LT(held_out[k - 1], held_out[k]);
    for (bool s : seen) EXPECT_TRUE(s);
    std::uint8_t again_train[20];
    std::uint8_t again[5];
    mp::random_generator same(3);
    ASSERT_EQ(mp::validation_split<std::uint8_t>(20, 5, same, again_train, again), mp::status::ok);
    for (std::size_t k = 0; k < 5; ++k) EXPECT_EQ(again[k], held_out[k]);
    EXPECT_EQ(mp::validation_split<std::uint8_t>(4, 5, rng, train, held_out), mp::status::invalid_hyperparameter);
    EXPECT_EQ(mp::validation_split<std::uint8_t>(300, 5, rng, train, held_out), mp::status::invalid_hyperparameter);
    // Each position is held out with probability 5/20: over 400 splits about 100 times.
    unsigned hits[20] = {};
    for (int s = 0; s < 400; ++s) {
        ASSERT_EQ(mp::validation_split<std::uint8_t>(20, 5, rng, train, held_out), mp::status::ok);
        for (std::uint8_t v : held_out) ++hits[v];
    }
    for (unsigned h : hits) {
        EXPECT_GT(h, 60u);  // binomial(400, 1/4): mean 100, sd 8.7; 60 and 140 are 4.6 sd away
        EXPECT_LT(h, 140u);
    }
}

using small_net = mp::network<double, mp::dense<3, 4>, mp::tanh, mp::dense<4, 2>, mp::softmax>;
constexpr std::size_t P = small_net::parameter_count;

constexpr double batch_x[4][3] = {{0.2, -0.4, 0.9}, {-0.7, 0.1, 0.3}, {0.5, 0.5, -0.2}, {0.0, -0.9, 0.4}};
constexpr double batch_d[4][2] = {{1, 0}, {0, 1}, {0, 1}, {1, 0}};

/// w - lr * (1/count) sum_s g_s, with g_s from compute_gradient at w.
void hand_step(const small_net& start, std::size_t count, double lr, double* expected)
{
    small_net probe = start;
    mp::trainer<small_net, mp::cross_entropy, mp::momentum> gradient_only(probe);
    double mean[P] = {};
    double g[P];
    for (std::size_t s = 0; s < count; ++s) {
        (void)gradient_only.compute_gradient(batch_x[s], batch_d[s], g);
        for (std::size_t p = 0; p < P; ++p) mean[p] += g[p] / static_cast<double>(count);
    }
    for (std::size_t p = 0; p < P; ++p) expected[p] = start.parameters()[p] - lr * mean[p];
}

TEST(trainer, partial_batch_is_the_mean_of_its_samples)
{
    for (std::size_t count = 1; count <= 4; ++count) {
        small_net net(7);
        const small_net start = net;
        mp::trainer<small_net, mp::cross_entropy, mp::sgd, 4> tr(net, mp::sgd{0.3f});
        ASSERT_EQ(tr.train_batch(batch_x, batch_d, count), mp::status::ok);
        double expected[P];
        hand_step(start, count, static_cast<double>(0.3f), expected);
        for (std::size_t p = 0; p < P; ++p) EXPECT_NEAR(net.parameters()[p], expected[p], 1e-14);
        // The reported loss is the mean over the samples.
        small_net probe = start;
        double loss = 0.0;
        for (std::size_t s = 0; s < count; ++s) {
            loss += mp::cross_entropy::value(probe.forward(batch_x[s]).data(), batch_d[s], 2);
        }
        EXPECT_NEAR(tr.last_loss(), loss / static_cast<double>(count), 1e-14);
    }
}

TEST(trainer, partial_batch_rejects_bad_counts_and_samples)
{
    small_net net(7);
    const small_net start = net;
    mp::trainer<small_net, mp::cross_entropy, mp::adam, 4> tr(net, mp::adam{});
    EXPECT_EQ(tr.train_batch(batch_x, batch_d, 0), mp::status::invalid_hyperparameter);
    EXPECT_EQ(tr.train_batch(batch_x, batch_d, 5), mp::status::invalid_hyperparameter);
    double xs[4][3];
    for (std::size_t s = 0; s < 4; ++s) {
        for (std::size_t j = 0; j < 3; ++j) xs[s][j] = batch_x[s][j];
    }
    xs[2][1] = std::numeric_limits<double>::infinity();  // the last sample: the first two were already used
    EXPECT_EQ(tr.train_batch(xs, batch_d, 3), mp::status::non_finite_input);
    for (std::size_t p = 0; p < P; ++p) EXPECT_EQ(net.parameters()[p], start.parameters()[p]);
    for (double v : tr.optimizer_state()) EXPECT_EQ(v, 0.0);
    EXPECT_EQ(tr.optimizer().beta1_power, 1.0);
}

TEST(trainer, reset_gives_a_fresh_optimizer)
{
    small_net net(9);
    mp::trainer<small_net, mp::cross_entropy, mp::adam> tr(net, mp::adam{0.01f});
    for (int k = 0; k < 3; ++k) ASSERT_EQ(tr.train_sample(batch_x[k], batch_d[k]), mp::status::ok);
    tr.reset();
    EXPECT_EQ(tr.optimizer().beta1_power, 1.0);
    EXPECT_EQ(tr.optimizer().beta2_power, 1.0);
    for (double v : tr.optimizer_state()) EXPECT_EQ(v, 0.0);
    small_net twin = net;
    mp::trainer<small_net, mp::cross_entropy, mp::adam> fresh(twin, mp::adam{0.01f});
    ASSERT_EQ(tr.train_sample(batch_x[3], batch_d[3]), mp::status::ok);
    ASSERT_EQ(fresh.train_sample(batch_x[3], batch_d[3]), mp::status::ok);
    for (std::size_t p = 0; p < P; ++p) EXPECT_EQ(net.parameters()[p], twin.parameters()[p]);
}

constexpr double epoch_x[5][3] = {{0.2, -0.4, 0.9}, {-0.7, 0.1, 0.3}, {0.5, 0.5, -0.2}, {0.0, -0.9, 0.4},
                                  {0.3, 0.8, -0.6}};
constexpr std::uint8_t epoch_labels[5] = {0, 1, 1, 0, 1};

struct counting_clock {
    unsigned starts = 0;
    unsigned samples = 0;
    void start() { ++starts; }
    void stop(std::uint32_t n) { samples += n; }
};

TEST(data, train_epoch_is_the_loop_it_replaces)
{
    const auto view = mp::classification_view<double, 2>(epoch_x, epoch_labels);
    mp::epoch_order order(5);
    mp::random_generator rng(4);
    order.reshuffle(rng);

    // Minibatches of 2: steps of 2, 2 and 1 samples.
    small_net net(3);
    small_net twin = net;
    mp::trainer<small_net, mp::cross_entropy, mp::momentum, 2> tr(net, mp::momentum{0.1f});
    mp::trainer<small_net, mp::cross_entropy, mp::momentum, 2> by_hand(twin, mp::momentum{0.1f});
    counting_clock clock;
    const auto summary = mp::train_epoch(tr, view, order, clock);
    EXPECT_EQ(summary.result, mp::status::ok);
    EXPECT_EQ(summary.samples, 5u);
    EXPECT_EQ(summary.steps, 3u);
    EXPECT_EQ(clock.starts, 3u);
    EXPECT_EQ(clock.samples, 5u);
    double loss = 0.0;
    for (std::uint32_t first = 0; first < 5; first += 2) {
        const std::size_t count = first + 2 <= 5 ? 2 : 1;
        double xs[2][3];
        double ds[2][2];
        for (std::size_t s = 0; s < count; ++s) {
            const std::size_t row = order[first + static_cast<std::uint32_t>(s)];
            for (std::size_t j = 0; j < 3; ++j) xs[s][j] = epoch_x[row][j];
            ds[s][0] = epoch_labels[row] == 0 ? 1.0 : 0.0;
            ds[s][1] = epoch_labels[row] == 1 ? 1.0 : 0.0;
        }
        ASSERT_EQ(by_hand.train_batch(xs, ds, count), mp::status::ok);
        loss += by_hand.last_loss() * static_cast<double>(count);
    }
    for (std::size_t p = 0; p < P; ++p) EXPECT_EQ(net.parameters()[p], twin.parameters()[p]);
    EXPECT_NEAR(summary.mean_loss, loss / 5.0, 1e-15);

    // Per sample: also counts the predictions made before each update.
    small_net single(3);
    small_net single_twin = single;
    mp::trainer<small_net, mp::cross_entropy> per_sample(single, mp::sgd{0.1f});
    mp::trainer<small_net, mp::cross_entropy> per_sample_hand(single_twin, mp::sgd{0.1f});
    const auto one = mp::train_epoch(per_sample, view, order);
    std::size_t correct = 0;
    for (std::uint32_t k = 0; k < 5; ++k) {
        const std::size_t row = order[k];
        double d[2];
        mp::one_hot(epoch_labels[row], d, 2);
        ASSERT_EQ(per_sample_hand.train_sample(epoch_x[row], d), mp::status::ok);
        correct += mp::argmax(single_twin.output()) == epoch_labels[row] ? 1u : 0u;
    }
    EXPECT_EQ(one.steps, 5u);
    EXPECT_EQ(one.running_correct, correct);
    for (std::size_t p = 0; p < P; ++p) EXPECT_EQ(single.parameters()[p], single_twin.parameters()[p]);

    // An order of the wrong size trains nothing.
    mp::epoch_order wrong(4);
    const small_net before = single;
    EXPECT_EQ(mp::train_epoch(per_sample, view, wrong).result, mp::status::invalid_hyperparameter);
    for (std::size_t p = 0; p < P; ++p) EXPECT_EQ(single.parameters()[p], before.parameters()[p]);
}

}  // namespace
