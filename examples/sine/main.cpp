// sine: a 1-16-16-1 tanh network learns sin(x) on [-pi, pi] (regression,
// squared error, Adam on minibatches). Training points are generated on the
// device; the mean squared error is measured on a finer grid of points the
// network never trained on. Prints a progress line every few epochs and ends
// with `result: mse=<test mean squared error>` (goal < 1e-3).
#include <cmath>

#include "model.hpp"

#include "../common/training_clock.hpp"
#include "console.hpp"
#include "port.h"

namespace mp = microprop;
using example_model::batch_size;
using example_model::network;
using example_model::trainer;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr std::uint32_t seed = 7;
constexpr float learning_rate = 0.01f;  // at epoch e: learning_rate / (1 + lr_decay (e - 1))
constexpr float lr_decay = 0.01f;
constexpr int epochs = 800;
constexpr int report_every = 40;
constexpr std::uint32_t train_points = 64;  // x_k = -pi + 2 pi k / 63
constexpr std::uint32_t test_points = 201;  // a finer grid, mostly between the training points
constexpr float pi = 3.14159265358979f;

network net;

/// Input scaled to [-1, 1]: the network sees x / pi.
float point(std::uint32_t k, std::uint32_t n) { return -1.0f + 2.0f * static_cast<float>(k) / static_cast<float>(n - 1); }

/// Mean of (y - sin x)^2 over the test grid.
float test_mse()
{
    float sum = 0.0f;
    for (std::uint32_t k = 0; k < test_points; ++k) {
        const float u[1] = {point(k, test_points)};
        const float e = net.forward(u)[0] - std::sin(pi * u[0]);
        sum += e * e;
    }
    return sum / static_cast<float>(test_points);
}

}  // namespace

int main()
{
    microprop_port_init();
    console::print("sine: 1-16-16-1 tanh, squared error, Adam lr=", console::fixed{learning_rate, 3}, "/(1+",
                   console::fixed{lr_decay, 2}, " epoch), batch ",
                   static_cast<unsigned>(batch_size), ", ", train_points, " points, ", epochs,
                   " epochs; network ", network::bytes, " B, trainer ", sizeof(trainer), " B\n");
    net.initialize(seed);
    trainer tr(net, mp::adam{learning_rate});
    mp::random_generator rng(seed);
    mp::epoch_order order(train_points);
    float xs[batch_size];
    float ds[batch_size];
    example::training_clock clock;
    for (int epoch = 1; epoch <= epochs; ++epoch) {
        tr.optimizer().learning_rate = learning_rate / (1.0f + lr_decay * static_cast<float>(epoch - 1));
        order.reshuffle(rng);
        float loss = 0.0f;
        for (std::uint32_t b = 0; b < train_points / batch_size; ++b) {
            for (std::uint32_t s = 0; s < batch_size; ++s) {
                xs[s] = point(order[b * batch_size + s], train_points);
                ds[s] = std::sin(pi * xs[s]);
            }
            clock.start();
            const mp::status step = tr.train_batch(xs, ds);
            clock.stop(batch_size);
            if (step != mp::status::ok) {
                console::print("training failed at epoch ", epoch, "\n");
                microprop_port_exit(1);
            }
            loss += tr.last_loss();
        }
        if (epoch == 1 || epoch % report_every == 0) {
            // last_loss() is 1/2 (y - d)^2 averaged over a batch: twice it is a squared error.
            console::print("epoch ", epoch, " loss=", console::sci{loss / (train_points / batch_size), 4},
                           " test_mse=", console::sci{test_mse(), 4}, "\n");
        }
    }
    console::print("result: mse=", console::sci{test_mse(), 4},
                   " us_per_sample=", console::fixed{clock.microseconds_per_sample(), 3}, "\n");
    microprop_port_exit(0);
}
