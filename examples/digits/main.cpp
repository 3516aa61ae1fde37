// digits: a 64-32-10 classifier of 8x8 handwritten digits, trained on the
// device. The 1797 images stay in flash as bytes 0..16
// (examples/data/digits_data.hpp) and are scaled to 0..1 one sample at a time;
// RAM holds only the network, the trainer and one input vector. One progress
// line per epoch (loss and accuracy on the training samples as they were seen,
// test accuracy), then `result: train_acc=... test_acc=...` (goal: test >= 0.95).
#include "model.hpp"

#include "../common/digits_samples.hpp"
#include "../common/training_clock.hpp"
#include "../data/digits_data.hpp"
#include "console.hpp"
#include "port.h"

namespace mp = microprop;
namespace data = microprop_data::digits;
using example_model::network;
using example_model::trainer;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr std::uint32_t seed = 5;
constexpr float learning_rate = 0.1f;  // at epoch e: learning_rate / (1 + lr_decay (e - 1))
constexpr float lr_decay = 0.5f;
constexpr int epochs = 20;

network net;

}  // namespace

int main()
{
    microprop_port_init();
    console::print("digits: 64-32-10 relu/softmax, cross-entropy, SGD lr=", console::fixed{learning_rate, 3}, "/(1+",
                   console::fixed{lr_decay, 2}, " epoch), ",
                   static_cast<unsigned>(data::train_count), " train / ", static_cast<unsigned>(data::test_count),
                   " test images (in flash), ", epochs, " epochs; network ", network::bytes, " B, trainer ",
                   sizeof(trainer), " B\n");
    net.initialize(seed);
    trainer tr(net, mp::sgd{learning_rate});
    mp::random_generator rng(seed);
    example::epoch_order order(data::train_count);
    float x[data::pixel_count];
    float d[data::class_count];
    example::training_clock clock;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        tr.optimizer().learning_rate = learning_rate / (1.0f + lr_decay * static_cast<float>(epoch - 1));
        order.reshuffle(rng);
        float loss = 0.0f;
        std::size_t correct = 0;
        for (std::uint32_t k = 0; k < data::train_count; ++k) {
            const std::size_t i = data::train_index[order[k]];
            example::load_digit(i, x, d);
            clock.start();
            const mp::status step = tr.train_sample(x, d);
            clock.stop(1);
            if (step != mp::status::ok) {
                console::print("training failed at epoch ", epoch, "\n");
                microprop_port_exit(1);
            }
            loss += tr.last_loss();
            // The network's output still holds this sample's forward pass (before the update).
            correct += mp::argmax(net.output()) == data::labels[i] ? 1u : 0u;
        }
        console::print("epoch ", epoch, " loss=", console::sci{loss / data::train_count, 4},
                       " train_acc=", console::fixed{static_cast<double>(correct) / data::train_count, 4},
                       " test_acc=", console::fixed{example::digits_accuracy(net, data::test_index), 4}, "\n");
    }
    console::print("training took ", console::fixed{clock.seconds(), 3}, " s by the port's counter\n");
    console::print("result: train_acc=", console::fixed{example::digits_accuracy(net, data::train_index), 4},
                   " test_acc=", console::fixed{example::digits_accuracy(net, data::test_index), 4},
                   " us_per_sample=", console::fixed{clock.microseconds_per_sample(), 3}, "\n");
    microprop_port_exit(0);
}
