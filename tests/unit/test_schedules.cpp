// schedules.hpp against closed forms evaluated by hand (decimal values written out here).
#include <microprop/microprop.hpp>

#include "microtest.hpp"

namespace {

namespace mp = microprop;

// float rounding of the rate: relative 2^-23 plus the double computation's.
constexpr double tol = 2e-7;

TEST(schedules, step_decay)
{
    const mp::step_schedule s{0.1f, 0.5f, 3};
    // 0.1 * 0.5^floor(e / 3)
    const double expected[10] = {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125};
    for (std::uint32_t e = 0; e < 10; ++e) EXPECT_NEAR(s.at(e), expected[e], tol * expected[e]);
    EXPECT_NEAR(s.at(30), 0.1 / 1024.0, tol * 0.1 / 1024.0);
}

TEST(schedules, exponential_decay)
{
    const mp::exponential_schedule s{0.2f, 0.9f};
    EXPECT_NEAR(s.at(0), 0.2, tol * 0.2);
    EXPECT_NEAR(s.at(1), 0.18, tol * 0.18);
    EXPECT_NEAR(s.at(5), 0.118098, tol * 0.118098);        // 0.2 * 0.59049
    EXPECT_NEAR(s.at(10), 0.0697356880, 1e-6 * 0.0697);    // 0.2 * 0.3486784401
}

TEST(schedules, inverse_time_decay)
{
    const mp::inverse_time_schedule s{0.1f, 0.5f};
    EXPECT_NEAR(s.at(0), 0.1, tol * 0.1);
    EXPECT_NEAR(s.at(1), 0.1 / 1.5, tol * 0.1);
    EXPECT_NEAR(s.at(19), 0.1 / 10.5, tol * 0.01);
    // The digits example's hand-written rate, bit for bit.
    for (int epoch = 1; epoch <= 20; ++epoch) {
        EXPECT_EQ(s.at(static_cast<std::uint32_t>(epoch - 1)), 0.1f / (1.0f + 0.5f * static_cast<float>(epoch - 1)));
    }
}

TEST(schedules, cosine_annealing)
{
    const mp::cosine_schedule s{0.1f, 0.01f, 8};
    EXPECT_NEAR(s.at(0), 0.1, tol * 0.1);
    EXPECT_NEAR(s.at(4), 0.055, tol * 0.1);                 // halfway: the mean of the two
    EXPECT_NEAR(s.at(2), 0.0868198052, tol * 0.1);          // 0.01 + 0.09 (1 + cos(pi/4)) / 2
    EXPECT_NEAR(s.at(6), 0.0231801948, tol * 0.1);          // 0.01 + 0.09 (1 - cos(pi/4)) / 2
    EXPECT_NEAR(s.at(8), 0.01, tol * 0.01);
    EXPECT_NEAR(s.at(100), 0.01, tol * 0.01);
    const mp::constant_schedule c{0.03f};
    EXPECT_EQ(c.at(7), 0.03f);
}

TEST(schedules, early_stopping)
{
    mp::early_stopping stopper(2, 0.01f);
    using d = mp::early_stopping::decision;
    EXPECT_EQ(stopper.update(1.0f), d::improved);
    EXPECT_EQ(stopper.update(0.5f), d::improved);
    EXPECT_EQ(stopper.update(0.495f), d::wait);   // better, but not by min_delta
    EXPECT_EQ(stopper.update(0.3f), d::improved);
    EXPECT_EQ(stopper.best_epoch(), 3u);
    EXPECT_EQ(stopper.update(std::numeric_limits<float>::quiet_NaN()), d::wait);
    EXPECT_EQ(stopper.update(0.4f), d::stop);
    EXPECT_NEAR(stopper.best_loss(), 0.3, 1e-7);
    EXPECT_EQ(stopper.epochs_without_improvement(), 2u);
    stopper.reset();
    EXPECT_EQ(stopper.update(5.0), d::improved);
    EXPECT_EQ(stopper.best_epoch(), 0u);
}

}  // namespace
