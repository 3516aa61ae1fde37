// The scalar functions training uses, against double precision: scalar_ops<float>
// (inline e^x and tanh on Arm, libm elsewhere) and the inline kernels themselves.
#include <microprop/microprop.hpp>

#include "microtest.hpp"

namespace mp = microprop;

namespace {
/// Largest error in units of the last place of the float result, over `count` points
/// spread evenly on [low, high].
template <class F, class R>
double worst_ulp(F f, R reference, float low, float high, int count)
{
    double worst = 0.0;
    for (int k = 0; k <= count; ++k) {
        const float x = low + (high - low) * static_cast<float>(k) / static_cast<float>(count);
        const double exact = reference(static_cast<double>(x));
        const float rounded = static_cast<float>(exact);
        const float ulp = std::nextafter(std::fabs(rounded), 1e30f) - std::fabs(rounded);
        const double error = std::fabs(static_cast<double>(f(x)) - exact) / static_cast<double>(ulp);
        worst = error > worst ? error : worst;
    }
    return worst;
}
double exact_exp(double x) { return std::exp(x); }
double exact_tanh(double x) { return std::tanh(x); }
double exact_log(double x) { return std::log(x); }
}  // namespace

// Bounds: the inline e^x is measured at 0.84 ulp over every float (tests/bench/expf_accuracy),
// the inline tanh at 2.7 ulp; newlib's and glibc's are below 1 and 2 ulp. 1 and 3 ulp here.
TEST(scalar_math, float_exp_within_one_ulp)
{
    EXPECT_LT(worst_ulp([](float x) { return mp::scalar_ops<float>::exp(x); }, exact_exp, -87.0f, 88.0f, 20000), 1.0);
    EXPECT_LT(worst_ulp([](float x) { return mp::kernels::exp_inline(x); }, exact_exp, -87.0f, 88.0f, 20000), 1.0);
}

TEST(scalar_math, float_tanh_within_three_ulp)
{
    EXPECT_LT(worst_ulp([](float x) { return mp::scalar_ops<float>::tanh(x); }, exact_tanh, -10.0f, 10.0f, 20000), 3.0);
    EXPECT_LT(worst_ulp([](float x) { return mp::kernels::tanh_inline(x); }, exact_tanh, -10.0f, 10.0f, 20000), 3.0);
    // Small arguments keep their relative accuracy (no 1 - 2/(e^2x + 1) cancellation).
    EXPECT_LT(worst_ulp([](float x) { return mp::kernels::tanh_inline(x); }, exact_tanh, -1e-3f, 1e-3f, 2000), 3.0);
}

TEST(scalar_math, tanh_limits_and_nan)
{
    EXPECT_EQ(mp::kernels::tanh_inline(0.0f), 0.0f);
    EXPECT_EQ(mp::kernels::tanh_inline(20.0f), 1.0f);
    EXPECT_EQ(mp::kernels::tanh_inline(-20.0f), -1.0f);
    EXPECT_EQ(mp::kernels::tanh_inline(std::numeric_limits<float>::infinity()), 1.0f);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    EXPECT_FALSE(mp::kernels::tanh_inline(nan) == mp::kernels::tanh_inline(nan));
}

// The inline log (used on Arm for the cross-entropy losses) against double log: below 1 ulp
// near 1 (where log x is small and the reduction matters most), across the normal range, and
// for subnormals; exact special values.
TEST(scalar_math, float_log_within_one_ulp)
{
    const auto inline_log = [](float x) { return mp::kernels::log_inline(x); };
    EXPECT_LT(worst_ulp(inline_log, exact_log, 0.5f, 2.0f, 20000), 1.0);
    EXPECT_LT(worst_ulp(inline_log, exact_log, 0.99f, 1.01f, 20000), 1.0);
    EXPECT_LT(worst_ulp(inline_log, exact_log, 1e-30f, 1e-20f, 5000), 1.0);
    EXPECT_LT(worst_ulp(inline_log, exact_log, 1.0f, 1e30f, 20000), 1.0);
    EXPECT_LT(worst_ulp(inline_log, exact_log, 1e-44f, 1e-38f, 5000), 1.0);  // subnormals
    EXPECT_LT(worst_ulp([](float x) { return mp::scalar_ops<float>::log(x); }, exact_log, 1e-6f, 1.0f, 20000), 1.0);
    EXPECT_EQ(mp::kernels::log_inline(1.0f), 0.0f);
    const float inf = std::numeric_limits<float>::infinity();
    EXPECT_EQ(mp::kernels::log_inline(0.0f), -inf);
    EXPECT_EQ(mp::kernels::log_inline(inf), inf);
    const float below = mp::kernels::log_inline(-1.0f);
    EXPECT_FALSE(below == below);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    EXPECT_FALSE(mp::kernels::log_inline(nan) == mp::kernels::log_inline(nan));
}
