// xor: a 2-4-1 sigmoid network learns exclusive-or by per-sample SGD on the
// squared error. Prints a progress line every 100 epochs and ends with
// `result: loss=<mean squared error loss over the four patterns>` (goal < 0.01).
#include "model.hpp"

#include "../common/training_clock.hpp"
#include "console.hpp"
#include "port.h"

namespace mp = microprop;
using example_model::network;
using example_model::trainer;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr std::uint32_t seed = 1;
constexpr float learning_rate = 2.0f;
constexpr int epochs = 2000;
constexpr int report_every = 100;

constexpr float inputs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
constexpr float targets[4][1] = {{0}, {1}, {1}, {0}};

network net;  // zero-initialised in .bss; weights drawn in main()

/// Mean of E = 1/2 (y - d)^2 over the four patterns, and how many are right (y rounded).
float evaluate(int& correct)
{
    float sum = 0.0f;
    correct = 0;
    for (int s = 0; s < 4; ++s) {
        const float y = net.forward(inputs[s])[0];
        sum += mp::squared_error::value(&y, targets[s], 1);
        correct += ((y > 0.5f) == (targets[s][0] > 0.5f)) ? 1 : 0;
    }
    return sum / 4.0f;
}

}  // namespace

int main()
{
    microprop_port_init();
    console::print("xor: 2-4-1 sigmoid, squared error, SGD lr=", console::fixed{learning_rate, 2}, ", ",
                   epochs, " epochs; network ", network::bytes, " B, trainer ", sizeof(trainer), " B\n");
    net.initialize(seed);
    trainer tr(net, mp::sgd{learning_rate});
    example::training_clock clock;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        float loss = 0.0f;
        for (int s = 0; s < 4; ++s) {
            clock.start();
            const mp::status step = tr.train_sample(inputs[s], targets[s]);
            clock.stop(1);
            if (step != mp::status::ok) {
                console::print("training failed at epoch ", epoch, "\n");
                microprop_port_exit(1);
            }
            loss += tr.last_loss();
        }
        if (epoch == 1 || epoch % report_every == 0) {
            int correct = 0;
            evaluate(correct);
            console::print("epoch ", epoch, " loss=", console::sci{loss / 4.0f, 4}, " acc=",
                           console::fixed{correct / 4.0, 2}, "\n");
        }
    }
    int correct = 0;
    const float loss = evaluate(correct);
    for (int s = 0; s < 4; ++s) {
        console::print(static_cast<int>(inputs[s][0]), " xor ", static_cast<int>(inputs[s][1]), " -> ",
                       console::fixed{net.forward(inputs[s])[0], 4}, "\n");
    }
    console::print("result: loss=", console::sci{loss, 4}, " acc=", console::fixed{correct / 4.0, 2},
                   " us_per_sample=", console::fixed{clock.microseconds_per_sample(), 3}, "\n");
    microprop_port_exit(0);
}
