// XOR with a 2-4-1 sigmoid network trained by per-sample SGD on the squared
// error reaches a mean loss below 0.01, for float and double, from several seeds.
#include <microprop/microprop.hpp>

#include "microtest.hpp"

namespace mp = microprop;

namespace {

template <class T>
using xor_net = mp::network<T, mp::dense<2, 4>, mp::sigmoid, mp::dense<4, 1>, mp::sigmoid>;

/// Trains from `seed` and returns the mean of 1/2 (y - d)^2 over the four patterns
/// (or -1 when a step fails); `correct` counts patterns on the right side of 0.5.
template <class T>
T train_xor(std::uint32_t seed, int& correct)
{
    static xor_net<T> net;  // static: keeps the stack small on a 16 KB part
    net.initialize(seed);
    mp::trainer<xor_net<T>, mp::squared_error> trainer(net, mp::sgd{2.0f});
    const T x[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    const T d[4][1] = {{0}, {1}, {1}, {0}};
    for (int epoch = 0; epoch < 2000; ++epoch) {
        for (int s = 0; s < 4; ++s) {
            if (trainer.train_sample(x[s], d[s]) != mp::status::ok) return T(-1);
        }
    }
    T loss = T(0);
    correct = 0;
    for (int s = 0; s < 4; ++s) {
        const T y = net.forward(x[s])[0];
        loss += mp::squared_error::value(&y, d[s], 1);
        correct += (y > T(0.5)) == (d[s][0] > T(0.5)) ? 1 : 0;
    }
    return loss / T(4);
}

}  // namespace

TEST(training, xor_float_reaches_loss_below_0_01)
{
    for (std::uint32_t seed = 1; seed <= 3; ++seed) {
        int correct = 0;
        const float loss = train_xor<float>(seed, correct);
        EXPECT_GE(loss, 0.0f);
        EXPECT_LT(loss, 0.01f);
        EXPECT_EQ(correct, 4);
    }
}

TEST(training, xor_double_reaches_loss_below_0_01)
{
    int correct = 0;
    const double loss = train_xor<double>(1, correct);
    EXPECT_GE(loss, 0.0);
    EXPECT_LT(loss, 0.01);
    EXPECT_EQ(correct, 4);
}
