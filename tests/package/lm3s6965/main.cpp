// Firmware outside the microprop tree: a 2-4-1 sigmoid network learns exclusive-or by
// per-sample SGD on the LM3S6965 and ends with
//   result: loss=<mean squared error over the four patterns> acc=<fraction right> us_per_sample=<t>
// It returns 0 (the image's exit status) when every pattern is right and the loss is below 0.01.
#include <cstdint>

#include <microprop/microprop.hpp>

#include "console.hpp"
#include "port.h"

namespace mp = microprop;

namespace {

using network = mp::network<float, mp::dense<2, 4>, mp::sigmoid, mp::dense<4, 1>, mp::sigmoid>;
using trainer = mp::trainer<network, mp::squared_error, mp::sgd>;

constexpr float inputs[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
constexpr float targets[4][1] = {{0}, {1}, {1}, {0}};
constexpr int epochs = 2000;

network net;

}  // namespace

int main()
{
    microprop_port_init();
    console::print("lm3s6965 xor: 2-4-1 sigmoid, SGD lr=2, ", epochs, " epochs; network ", network::bytes,
                   " B, trainer ", sizeof(trainer), " B\n");
    net.initialize(1);
    trainer tr(net, mp::sgd{2.0f});
    const std::uint32_t start = microprop_port_counter();
    for (int epoch = 0; epoch < epochs; ++epoch) {
        for (int s = 0; s < 4; ++s) {
            if (tr.train_sample(inputs[s], targets[s]) != mp::status::ok) {
                console::print("training failed at epoch ", epoch, "\n");
                return 2;
            }
        }
    }
    const std::uint32_t ticks = microprop_port_counter() - start;

    float loss = 0.0f;
    int correct = 0;
    for (int s = 0; s < 4; ++s) {
        const float y = net.forward(inputs[s])[0];
        loss += mp::squared_error::value(&y, targets[s], 1) / 4.0f;
        correct += ((y > 0.5f) == (targets[s][0] > 0.5f)) ? 1 : 0;
    }
    const double us_per_sample = 1e6 * ticks / microprop_port_counter_hz() / (4.0 * epochs);
    console::print("result: loss=", console::sci{loss, 4}, " acc=", console::fixed{correct / 4.0, 2},
                   " us_per_sample=", console::fixed{us_per_sample, 3}, "\n");
    return (correct == 4 && loss < 0.01f) ? 0 : 1;
}
