// iris: a 4-16-3 softmax classifier trained on the device from data stored in
// flash (examples/data/iris_data.hpp: 150 samples as const floats, a fixed
// stratified 80/20 split). Features are standardised on the fly with the
// training split's mean and standard deviation. One progress line per epoch,
// then `result: train_acc=... test_acc=...` (goal: test accuracy >= 0.90).
#include "model.hpp"

#include "../common/iris_samples.hpp"
#include "../data/iris_data.hpp"
#include "../common/training_clock.hpp"
#include "console.hpp"
#include "port.h"

namespace mp = microprop;
namespace data = microprop_data::iris;
using example_model::network;
using example_model::trainer;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr std::uint32_t seed = 3;
constexpr float learning_rate = 0.05f;  // at epoch e: learning_rate / (1 + lr_decay (e - 1))
constexpr float lr_decay = 0.1f;
constexpr int epochs = 50;

network net;

}  // namespace

int main()
{
    microprop_port_init();
    console::print("iris: 4-16-3 relu/softmax, cross-entropy, SGD lr=", console::fixed{learning_rate, 3}, "/(1+",
                   console::fixed{lr_decay, 2}, " epoch), ",
                   static_cast<unsigned>(data::train_count), " train / ", static_cast<unsigned>(data::test_count),
                   " test samples (in flash), ", epochs, " epochs; network ", network::bytes, " B, trainer ",
                   sizeof(trainer), " B\n");
    net.initialize(seed);
    trainer tr(net, mp::sgd{learning_rate});
    mp::random_generator rng(seed);
    example::epoch_order order(data::train_count);
    float x[data::feature_count];
    float d[data::class_count];
    example::training_clock clock;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        tr.optimizer().learning_rate = learning_rate / (1.0f + lr_decay * static_cast<float>(epoch - 1));
        order.reshuffle(rng);
        float loss = 0.0f;
        for (std::uint32_t k = 0; k < data::train_count; ++k) {
            example::load_iris_sample(data::train_index[order[k]], x, d);
            clock.start();
            const mp::status step = tr.train_sample(x, d);
            clock.stop(1);
            if (step != mp::status::ok) {
                console::print("training failed at epoch ", epoch, "\n");
                microprop_port_exit(1);
            }
            loss += tr.last_loss();
        }
        console::print("epoch ", epoch, " loss=", console::sci{loss / data::train_count, 4},
                       " train_acc=", console::fixed{example::iris_accuracy(net, data::train_index), 4},
                       " test_acc=", console::fixed{example::iris_accuracy(net, data::test_index), 4}, "\n");
    }
    console::print("result: train_acc=", console::fixed{example::iris_accuracy(net, data::train_index), 4},
                   " test_acc=", console::fixed{example::iris_accuracy(net, data::test_index), 4},
                   " us_per_sample=", console::fixed{clock.microseconds_per_sample(), 3}, "\n");
    microprop_port_exit(0);
}
