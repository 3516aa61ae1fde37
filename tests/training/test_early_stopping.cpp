// The data, evaluation and schedule helpers together, on the committed iris data
// (examples/data/iris_data.hpp): 24 of the 120 training samples are held out by
// validation_split, a 4-16-3 network trains with Adam in minibatches of 16 (the 96
// remaining samples: six full batches; the cosine schedule lowers the rate), the held-out
// loss decides when to stop (patience 8) and the best network is kept by copying it.
// Checks: training stops before the epoch limit; the kept network's held-out loss is the
// best one recorded (re-evaluated independently); it classifies >= 27 of the 30 test
// samples (the goal of test_training_iris); and the two splits are disjoint.
#include <microprop/microprop.hpp>

#include "iris_data.hpp"
#include "microtest.hpp"

namespace {

namespace mp = microprop;
namespace data = microprop_data::iris;

using iris_net = mp::network<float, mp::dense<4, 16>, mp::relu, mp::dense<16, 3>, mp::softmax>;
iris_net net;
iris_net best;
constexpr auto statistics = mp::feature_statistics<float, data::feature_count>::from(data::feature_mean, data::feature_std);
constexpr std::uint32_t held_out_count = 24;
std::uint8_t fit_rows[data::train_count - held_out_count];
std::uint8_t held_out_rows[held_out_count];

TEST(training, early_stopping_on_a_held_out_split)
{
    const auto all = mp::classification_view<float, data::class_count>(data::features, data::labels)
                         .standardized(&statistics);
    mp::random_generator rng(11);
    ASSERT_EQ(mp::validation_split(mp::index_list(data::train_index), held_out_count, rng, fit_rows, held_out_rows),
              mp::status::ok);
    bool held_out[data::sample_count] = {};
    for (std::uint8_t r : held_out_rows) held_out[r] = true;
    for (std::uint8_t r : fit_rows) EXPECT_FALSE(held_out[r]);
    const auto fit = all.subset(fit_rows);
    const auto validation = all.subset(held_out_rows);

    net.initialize(2);
    mp::trainer<iris_net, mp::cross_entropy, mp::adam, 16> trainer(net, mp::adam{0.02f});
    const mp::cosine_schedule schedule{0.02f, 0.002f, 150};
    mp::early_stopping stopper(8);
    mp::epoch_order order(static_cast<std::uint32_t>(fit.size()));
    constexpr std::uint32_t epoch_limit = 300;
    std::uint32_t epoch = 0;
    for (; epoch < epoch_limit; ++epoch) {
        trainer.optimizer().learning_rate = schedule.at(epoch);
        order.reshuffle(rng);
        const auto summary = mp::train_epoch(trainer, fit, order);
        ASSERT_EQ(summary.result, mp::status::ok);
        EXPECT_EQ(summary.steps, 6u);
        const float loss = mp::mean_loss<mp::cross_entropy>(net, validation);
        const auto decision = stopper.update(loss);
        if (decision == mp::early_stopping::decision::improved) best = net;
        if (decision == mp::early_stopping::decision::stop) break;
    }
    console::print("  stopped after epoch ", static_cast<unsigned>(epoch + 1), ", best epoch ",
                   static_cast<unsigned>(stopper.best_epoch() + 1), ", held-out loss ",
                   console::sci{stopper.best_loss(), 4}, "\n");
    EXPECT_LT(epoch, epoch_limit);
    EXPECT_NEAR(mp::mean_loss<mp::cross_entropy>(best, validation), stopper.best_loss(), 1e-6);
    const auto test = mp::evaluate<mp::cross_entropy>(best, all.subset(data::test_index));
    console::print("  test accuracy ", console::fixed{test.accuracy(), 4}, "\n");
    EXPECT_GE(test.correct, 27u);
}

}  // namespace
