// Host experiment behind README "Fixed point": iris (4-16-3 ReLU/softmax, per-sample SGD,
// seed 3, no learning-rate decay) trained in float and in q3_12 at several learning rates
// and epoch counts. Built twice: stochastic rounding of the updates (fixed_rounding_stochastic)
// and round-to-nearest (fixed_rounding_nearest, MICROPROP_FIXED_NEAREST_UPDATES=1).
#include <microprop/fixed_point.hpp>
#include <microprop/microprop.hpp>

#include <cstdio>

#include "iris_training.hpp"

namespace mp = microprop;
namespace data = microprop_data::iris;

namespace {
template <class T>
using iris_net = mp::network<T, mp::dense<4, 16>, mp::relu, mp::dense<16, 3>, mp::softmax>;
iris_net<float> float_net;
iris_net<mp::q3_12> fixed_net;
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
            std::printf("lr %.4f epochs %3d: float test %zu/30 train %zu/120 | q3_12 test %zu/30 train %zu/120, "
                        "%u saturations\n",
                        static_cast<double>(rate), epochs, iris_training::correct_count(float_net, data::test_index),
                        iris_training::correct_count(float_net, data::train_index),
                        iris_training::correct_count(fixed_net, data::test_index),
                        iris_training::correct_count(fixed_net, data::train_index),
                        static_cast<unsigned>(mp::saturation_count()));
        }
    }
    return 0;
}
