// Built with -ffast-math (tests/unit/CMakeLists.txt): the compiler may then assume that no
// NaN or infinity exists and fold any comparison with one, which made
// scalar_ops<double>::is_finite(NaN) true and let a double network accept NaN inputs.
// The finiteness tests look at the bits instead; this image shows that NaN and infinite
// inputs, targets, weights (with check_parameters) and settings are still rejected, with
// nothing changed.
#include <microprop/microprop.hpp>

#include <cstdint>
#include <cstring>

#include "microtest.hpp"
#include "numeric_support.hpp"

namespace {

namespace mp = microprop;

/// NaN and infinity made from their bits at run time, so that no constant folding under
/// -ffast-math can touch them.
template <class T>
T from_bits(std::uint64_t bits)
{
    T v;
    if constexpr (sizeof(T) == 4) {
        const auto b = static_cast<std::uint32_t>(bits);
        std::memcpy(&v, &b, sizeof v);
    } else {
        std::memcpy(&v, &bits, sizeof v);
    }
    return v;
}
template <class T>
T nan_value()
{
    volatile std::uint64_t bits = sizeof(T) == 4 ? 0x7fc00000u : 0x7ff8000000000000ull;
    return from_bits<T>(bits);
}
template <class T>
T inf_value()
{
    volatile std::uint64_t bits = sizeof(T) == 4 ? 0x7f800000u : 0x7ff0000000000000ull;
    return from_bits<T>(bits);
}

template <class T>
void finiteness_holds()
{
    EXPECT_FALSE(mp::scalar_ops<T>::is_finite(nan_value<T>()));
    EXPECT_FALSE(mp::scalar_ops<T>::is_finite(inf_value<T>()));
    EXPECT_FALSE(mp::scalar_ops<T>::is_finite(-inf_value<T>()));
    EXPECT_TRUE(mp::scalar_ops<T>::is_finite(std::numeric_limits<T>::max()));
    T values[19];
    for (std::size_t k = 0; k < 19; ++k) values[k] = T(0.5) * static_cast<T>(k);
    EXPECT_TRUE(mp::all_finite(values, 19));
    for (std::size_t at : {std::size_t{0}, std::size_t{9}, std::size_t{18}}) {
        const T saved = values[at];
        values[at] = nan_value<T>();
        EXPECT_FALSE(mp::all_finite(values, 19));
        values[at] = -inf_value<T>();
        EXPECT_FALSE(mp::all_finite(values, 19));
        values[at] = saved;
    }
}

/// A trainer meets NaN/inf in an input, a target, a weight and a setting: each is
/// rejected with the weights' bits unchanged.
template <class T, class Optimizer>
void trainer_rejects()
{
    using net_t = mp::network<T, mp::dense<3, 4>, mp::relu, mp::dense<4, 2>, mp::softmax>;
    constexpr std::size_t P = net_t::parameter_count;
    static net_t net;
    numtest::fill_parameters(net, 8);
    mp::trainer<net_t, mp::cross_entropy, Optimizer> tr(net);
    tr.check_parameters = true;
    T x[3] = {T(0.5), T(-0.25), T(1)};
    T d[2] = {T(1), T(0)};
    ASSERT_EQ(tr.train_sample(x, d), mp::status::ok);
    T before[P];
    for (std::size_t k = 0; k < P; ++k) before[k] = net.parameters()[k];
    auto unchanged = [&] { return numtest::same_bits(before, net.parameters().data(), P); };

    x[1] = nan_value<T>();
    EXPECT_EQ(tr.train_sample(x, d), mp::status::non_finite_input);
    x[1] = inf_value<T>();
    EXPECT_EQ(tr.train_sample(x, d), mp::status::non_finite_input);
    x[1] = T(-0.25);
    EXPECT_TRUE(unchanged());
    d[0] = nan_value<T>();
    EXPECT_EQ(tr.train_sample(x, d), mp::status::non_finite_target);
    d[0] = T(1);
    EXPECT_TRUE(unchanged());
    net.parameters()[P - 1] = nan_value<T>();
    EXPECT_NE(tr.train_sample(x, d), mp::status::ok);
    net.parameters()[P - 1] = before[P - 1];
    EXPECT_TRUE(unchanged());
    // (Without check_parameters a NaN weight is found only as a NaN loss, and under
    // -ffast-math the compiler may turn ReLU into a max that drops the NaN: the README's
    // "What can go wrong" says to keep check_parameters on in such builds.)
    tr.optimizer().learning_rate = nan_value<float>();
    EXPECT_EQ(tr.train_sample(x, d), mp::status::invalid_hyperparameter);
    EXPECT_TRUE(unchanged());
}

}  // namespace

TEST(fast_math, float_finiteness) { finiteness_holds<float>(); }
TEST(fast_math, double_finiteness) { finiteness_holds<double>(); }
TEST(fast_math, float_fused_sgd_rejects) { trainer_rejects<float, mp::sgd>(); }
TEST(fast_math, double_fused_sgd_rejects) { trainer_rejects<double, mp::sgd>(); }
TEST(fast_math, double_momentum_rejects) { trainer_rejects<double, mp::momentum>(); }
TEST(fast_math, float_adam_rejects) { trainer_rejects<float, mp::adam>(); }
