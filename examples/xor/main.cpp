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
// The float build's final loss with this seed and these epochs (host and qemu-m4f); the
// fixed-point build's result line repeats it next to its own.
constexpr float float_loss = 1.9749e-04f;

network net;  // zero-initialised in .bss; weights drawn in main()
// The patterns in the network's scalar (filled in main(); a copy in the float build).
std::array<example::scalar, 2> x_of[4];
std::array<example::scalar, 1> d_of[4];

/// Mean of E = 1/2 (y - d)^2 over the four patterns, and how many are right (y rounded).
float evaluate(int& correct)
{
    float sum = 0.0f;
    correct = 0;
    for (int s = 0; s < 4; ++s) {
        const float y = static_cast<float>(net.forward(x_of[s])[0]);
        sum += mp::squared_error::value(&y, targets[s], 1);
        correct += ((y > 0.5f) == (targets[s][0] > 0.5f)) ? 1 : 0;
    }
    return sum / 4.0f;
}

}  // namespace

int main()
{
    microprop_port_init();
    console::print("xor: 2-4-1 sigmoid", example::fixed_point ? " in q3_12" : "", ", squared error, SGD lr=",
                   console::fixed{learning_rate, 2}, ", ",
                   epochs, " epochs; network ", network::bytes, " B, trainer ", sizeof(trainer), " B\n");
    for (int s = 0; s < 4; ++s) {
        example::to_example_scalar(inputs[s], x_of[s].data(), 2);
        example::to_example_scalar(targets[s], d_of[s].data(), 1);
    }
    net.initialize(seed);
    trainer tr(net, mp::sgd{learning_rate});
    example::training_clock clock;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        float loss = 0.0f;
        for (int s = 0; s < 4; ++s) {
            clock.start();
            const mp::status step = tr.train_sample(x_of[s], d_of[s]);
            clock.stop(1);
            if (step != mp::status::ok) {
                console::print("training failed at epoch ", epoch, "\n");
                microprop_port_exit(1);
            }
            loss += static_cast<float>(tr.last_loss());
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
                       console::fixed{static_cast<float>(net.forward(x_of[s])[0]), 4}, "\n");
    }
    console::print("result: loss=", console::sci{loss, 4}, " acc=", console::fixed{correct / 4.0, 2},
                   " us_per_sample=", console::fixed{clock.microseconds_per_sample(), 3});
    if (example::fixed_point) console::print(" float_loss=", console::sci{float_loss, 4});
    console::print("\n");
    microprop_port_exit(0);
}
