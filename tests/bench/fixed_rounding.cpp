// Host experiment behind README "Fixed point": iris (4-16-3 ReLU/softmax, per-sample SGD,
// seed 3, no learning-rate decay) trained in float and in q3_12 at several learning rates
// and epoch counts. Built twice: stochastic rounding of the updates (fixed_rounding_stochastic)
// and round-to-nearest (fixed_rounding_nearest, MICROPROP_FIXED_NEAREST_UPDATES=1). A third
// column keeps a float master copy of the weights instead (what a 32-bit master copy would
// do): the q3_12 network's gradient updates the master, which is rounded to nearest into
// the q3_12 network before every sample.
#include <microprop/fixed_point.hpp>
#include <microprop/microprop.hpp>

#include <cstdint>
#include <cstdio>

#include "iris_training.hpp"

namespace mp = microprop;
namespace data = microprop_data::iris;

namespace {
template <class T>
using iris_net = mp::network<T, mp::dense<4, 16>, mp::relu, mp::dense<16, 3>, mp::softmax>;
iris_net<float> float_net;
iris_net<mp::q3_12> fixed_net;
iris_net<float> master;

/// Trains fixed_net through a float master copy of its weights (see the file comment).
bool train_with_master_copy(std::uint32_t seed, float rate, int epochs)
{
    master.initialize(seed);
    mp::trainer<iris_net<mp::q3_12>, mp::cross_entropy, mp::momentum> trainer(fixed_net);
    static mp::q3_12 gradient[iris_net<float>::parameter_count];
    mp::random_generator rng(seed);
    std::uint8_t order[data::train_count];
    for (std::size_t k = 0; k < data::train_count; ++k) order[k] = data::train_index[k];
    mp::q3_12 x[data::feature_count];
    mp::q3_12 d[data::class_count];
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        mp::shuffle(order, static_cast<std::uint32_t>(data::train_count), rng);
        for (std::size_t k = 0; k < data::train_count; ++k) {
            iris_training::load(order[k], x, d);
            if (mp::quantize(master, fixed_net) != mp::status::ok) return false;
            if (trainer.compute_gradient(x, d, gradient) != mp::status::ok) return false;
            for (std::size_t p = 0; p < iris_net<float>::parameter_count; ++p) {
                master.parameters()[p] -= rate * static_cast<float>(gradient[p]);
            }
        }
    }
    return mp::quantize(master, fixed_net) == mp::status::ok;
}
}  // namespace

int main()
{
    const float rates[] = {0.05f, 0.01f, 0.002f, 0.0005f, 0.0001f};
    const int epoch_counts[] = {50, 200};
    for (float rate : rates) {
        for (int epochs : epoch_counts) {
            if (!iris_training::train(float_net, 3, mp::sgd{rate}, 0.0f, epochs)) return 1;
            mp::reset_saturation_count();
            if (!iris_training::train(fixed_net, 3, mp::sgd{rate}, 0.0f, epochs)) return 1;
            const unsigned saturations = static_cast<unsigned>(mp::saturation_count());  // training only
            const std::size_t fixed_test = iris_training::correct_count(fixed_net, data::test_index);
            const std::size_t fixed_train = iris_training::correct_count(fixed_net, data::train_index);
            if (!train_with_master_copy(3, rate, epochs)) return 1;
            std::printf("lr %.4f epochs %3d: float test %zu/30 train %zu/120 | q3_12 test %zu/30 train %zu/120, "
                        "%u saturations | master copy test %zu/30 train %zu/120\n",
                        static_cast<double>(rate), epochs, iris_training::correct_count(float_net, data::test_index),
                        iris_training::correct_count(float_net, data::train_index), fixed_test, fixed_train,
                        saturations, iris_training::correct_count(fixed_net, data::test_index),
                        iris_training::correct_count(fixed_net, data::train_index));
        }
    }
    return 0;
}
