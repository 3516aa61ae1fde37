// Fixed-point (q3_12) training against float on the same problems, splits,
// seeds and epochs: xor (2-4-1 sigmoid, squared error, SGD lr 2, 2000 epochs,
// as examples/xor) and iris (4-16-3 ReLU/softmax cross-entropy, SGD, momentum
// and Adam as tests/training/test_iris.cpp, per sample and in minibatches of 16
// with a partial last batch of 8). The fixed-point build must reach
// the float build's test accuracy less at most one point (on 30 iris test
// samples one sample is 3.3 points, so: at least as many right).
#include <microprop/fixed_point.hpp>
#include <microprop/microprop.hpp>

#include "iris_data.hpp"
#include "iris_training.hpp"
#include "microtest.hpp"

namespace mp = microprop;
namespace data = microprop_data::iris;

namespace {

template <class T>
using iris_net = mp::network<T, mp::dense<4, 16>, mp::relu, mp::dense<16, 3>, mp::softmax>;
template <class T>
using xor_net = mp::network<T, mp::dense<2, 4>, mp::sigmoid, mp::dense<4, 1>, mp::sigmoid>;

iris_net<float> float_iris;
iris_net<mp::q3_12> fixed_iris;

/// Trains float_iris and fixed_iris with `train(net)` and checks that the q3_12 network gets
/// at least as many test samples right as the float one. `name` labels the printed line.
template <class Train>
void compare_iris(const char* name, Train train)
{
    mp::reset_saturation_count();
    ASSERT_TRUE(train(float_iris));
    ASSERT_TRUE(train(fixed_iris));
    const std::size_t float_test = iris_training::correct_count(float_iris, data::test_index);
    const std::size_t fixed_test = iris_training::correct_count(fixed_iris, data::test_index);
    const std::size_t float_train = iris_training::correct_count(float_iris, data::train_index);
    const std::size_t fixed_train = iris_training::correct_count(fixed_iris, data::train_index);
    console::print("  ", name, ": float test ", float_test, "/", data::test_count, " train ", float_train, "/",
                   data::train_count, "; q3_12 test ", fixed_test, "/", data::test_count, " train ", fixed_train,
                   "/", data::train_count, "; saturations ", mp::saturation_count(), "\n");
    EXPECT_GE(fixed_test, float_test);
    EXPECT_GE(fixed_test, 27u);
    EXPECT_GE(fixed_train, 108u);
}

/// Per-sample training as tests/training/test_iris.cpp: 50 epochs, learning-rate decay 0.1.
template <class Optimizer>
void compare_iris(const char* name, std::uint32_t seed, Optimizer optimizer)
{
    compare_iris(name, [&](auto& net) { return iris_training::train(net, seed, optimizer, 0.1f, 50); });
}

/// Minibatches of 16 (7 full batches and one of 8 an epoch), learning-rate decay 0.02.
template <class Optimizer>
void compare_iris_batched(const char* name, std::uint32_t seed, Optimizer optimizer, int epochs)
{
    compare_iris(name, [&](auto& net) { return iris_training::train_batched<16>(net, seed, optimizer, 0.02f, epochs); });
}

template <class T>
void train_xor(xor_net<T>& net, float& loss, int& correct)
{
    const float inputs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    const float targets[4] = {0, 1, 1, 0};
    T x[4][2], d[4][1];
    for (int s = 0; s < 4; ++s) {
        x[s][0] = static_cast<T>(inputs[s][0]);
        x[s][1] = static_cast<T>(inputs[s][1]);
        d[s][0] = static_cast<T>(targets[s]);
    }
    net.initialize(1);
    mp::trainer<xor_net<T>, mp::squared_error, mp::sgd> trainer(net, mp::sgd{2.0f});
    for (int epoch = 0; epoch < 2000; ++epoch) {
        for (int s = 0; s < 4; ++s) {
            if (trainer.train_sample(x[s], d[s]) != mp::status::ok) return;
        }
    }
    loss = 0.0f;
    correct = 0;
    for (int s = 0; s < 4; ++s) {
        const float y = static_cast<float>(net.forward(x[s])[0]);
        loss += 0.5f * (y - targets[s]) * (y - targets[s]) / 4.0f;
        correct += (y > 0.5f) == (targets[s] > 0.5f) ? 1 : 0;
    }
}

}  // namespace

TEST(fixed_training, xor_sgd_learns_like_float)
{
    xor_net<float> float_net;
    xor_net<mp::q3_12> fixed_net;
    float float_loss = 1.0f, fixed_loss = 1.0f;
    int float_correct = 0, fixed_correct = 0;
    mp::reset_saturation_count();
    train_xor(float_net, float_loss, float_correct);
    train_xor(fixed_net, fixed_loss, fixed_correct);
    console::print("  float loss ", console::sci{float_loss, 3}, " ", float_correct, "/4; q3_12 loss ",
                   console::sci{fixed_loss, 3}, " ", fixed_correct, "/4; saturations ", mp::saturation_count(),
                   "\n");
    EXPECT_EQ(float_correct, 4);
    EXPECT_EQ(fixed_correct, 4);
    EXPECT_LT(fixed_loss, 0.01f);
}

TEST(fixed_training, iris_sgd_reaches_float_accuracy)
{
    compare_iris("sgd", 3, mp::sgd{0.05f});
}

TEST(fixed_training, iris_momentum_reaches_float_accuracy)
{
    compare_iris("momentum", 4, mp::momentum{0.01f, 0.9f});
}

TEST(fixed_training, iris_minibatch_sgd_reaches_float_accuracy)
{
    compare_iris_batched("sgd, batches of 16", 3, mp::sgd{0.5f}, 60);
}

// Host only: under QEMU each of these takes 3 to 15 s (float Adam in soft float on the M0
// and M3); the minibatch SGD run above and test_fixed_point's minibatch and Adam cases
// cover the same integer code on every core.
#if !defined(__arm__)
TEST(fixed_training, iris_minibatch_momentum_reaches_float_accuracy)
{
    compare_iris_batched("momentum, batches of 16", 4, mp::momentum{0.1f, 0.9f}, 60);
}

TEST(fixed_training, iris_adam_reaches_float_accuracy)
{
    compare_iris("adam", 5, mp::adam{0.01f});
}

TEST(fixed_training, iris_minibatch_adam_reaches_float_accuracy)
{
    compare_iris_batched("adam, batches of 16", 6, mp::adam{0.02f}, 60);
}
#endif
