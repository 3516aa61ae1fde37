// levenberg_marquardt: how many epochs SGD, Adam and Levenberg-Marquardt need to fit
// sin(pi u) on [-1, 1] with a 1-10-1 tanh network (31 parameters) from the same initial
// weights. An epoch is one pass over the 32 training points: 32 SGD steps, 8 Adam steps
// on minibatches of 4, or one damped Gauss-Newton step (include/microprop/levenberg_marquardt.hpp).
// The target is a mean squared error below 1e-3 on 201 test points between and beyond the
// training points, checked after every epoch (every 5th for SGD and Adam, whose epochs are
// cheap and many). The learning rates are the best of those tried on the host: Adam
// 0.01 / 0.03 / 0.1 / 0.3 needed 581 / 533 / 110 / over 4,000 epochs, SGD 0.02 / 0.05 / 0.2
// over 4,000 / 2,342 / over 4,000. Ends with
// `result: lm_epochs=.. adam_epochs=.. sgd_epochs=.. adam_over_lm=..` (goal: at least 10).
#include <cmath>

#include "model.hpp"

#include "../common/sine_task.hpp"
#include "../common/training_clock.hpp"
#include "console.hpp"
#include "port.h"

namespace mp = microprop;
using example_model::network;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr std::uint32_t seed = 5;
constexpr float target_mse = 1e-3f;
constexpr int lm_epoch_cap = 200;
constexpr int first_order_epoch_cap = 3000;  // SGD and Adam stop here if they have not reached the target
constexpr std::uint32_t train_points = 32;
network net;
float train_x[train_points];
float train_y[train_points];

float test_mse() { return example::sine_test_mse(net); }

struct outcome {
    int epochs;          // epochs to reach target_mse; the cap + 1 when it was not reached
    float mse;           // test mean squared error at the end
    double us_per_epoch; // emulated microseconds of training (not testing) per epoch
};

void fail(const char* method, mp::status s)
{
    console::print(method, ": training failed: ", mp::to_string(s), "\n");
    microprop_port_exit(1);
}

/// Runs `epoch()` until the test error is below target_mse or `cap` epochs have passed,
/// checking the error every `check_every` epochs.
template <class Epoch>
outcome train_until_target(const char* method, int cap, int check_every, Epoch&& epoch)
{
    net.initialize(seed);
    example::training_clock clock;
    int e = 0;
    float mse = test_mse();
    while (e < cap && !(mse < target_mse)) {
        clock.start();
        epoch(e);
        clock.stop(1);
        ++e;
        if (e % check_every == 0 || e == cap) mse = test_mse();
    }
    const int epochs = mse < target_mse ? e : cap + 1;
    console::print(method, ": ", mse < target_mse ? "reached" : "did not reach", " mse<", console::sci{target_mse, 0},
                   " after ", e, " epochs, test mse ", console::sci{mse, 3}, ", ",
                   console::fixed{clock.microseconds_per_sample(), 1}, " us per epoch\n");
    return {epochs, mse, clock.microseconds_per_sample()};
}

}  // namespace

int main()
{
    microprop_port_init();
    for (std::uint32_t k = 0; k < train_points; ++k) {
        train_x[k] = example::grid_point(k, train_points);
        train_y[k] = std::sin(example::pi * train_x[k]);
    }
    console::print("levenberg_marquardt: 1-10-1 tanh (", static_cast<unsigned>(network::parameter_count),
                   " parameters) fits sin(pi u), ", train_points, " training points, target test mse < ",
                   console::sci{target_mse, 0}, "; network ", network::bytes, " B, SGD trainer ",
                   sizeof(example_model::sgd_trainer), " B, Adam trainer ", sizeof(example_model::adam_trainer),
                   " B, LM trainer ", sizeof(example_model::lm_trainer), " B\n");

    static example_model::lm_trainer lm(net);
    const outcome by_lm = train_until_target("levenberg-marquardt", lm_epoch_cap, 1, [](int) {
        const mp::status s = lm.train_epoch(train_x, train_y);
        if (s != mp::status::ok) fail("levenberg-marquardt", s);
    });

    static example_model::adam_trainer adam(net, mp::adam{0.1f});
    mp::random_generator rng(seed);
    mp::epoch_order order(train_points);
    const outcome by_adam = train_until_target("adam lr=0.1 batch 4", first_order_epoch_cap, 5, [&](int) {
        order.reshuffle(rng);
        for (std::uint32_t b = 0; b < train_points / example_model::batch_size; ++b) {
            float xs[example_model::batch_size];
            float ds[example_model::batch_size];
            for (std::uint32_t s = 0; s < example_model::batch_size; ++s) {
                xs[s] = train_x[order[b * example_model::batch_size + s]];
                ds[s] = train_y[order[b * example_model::batch_size + s]];
            }
            const mp::status s = adam.train_batch(xs, ds);
            if (s != mp::status::ok) fail("adam", s);
        }
    });

    static example_model::sgd_trainer sgd(net, mp::sgd{0.05f});
    const outcome by_sgd = train_until_target("sgd lr=0.05 per sample", first_order_epoch_cap, 5, [&](int) {
        order.reshuffle(rng);
        for (std::uint32_t k = 0; k < train_points; ++k) {
            const std::uint32_t i = order[k];
            const float x[1] = {train_x[i]};
            const float d[1] = {train_y[i]};
            const mp::status s = sgd.train_sample(x, d);
            if (s != mp::status::ok) fail("sgd", s);
        }
    });

    console::print("result: lm_epochs=", by_lm.epochs, " adam_epochs=", by_adam.epochs, " sgd_epochs=", by_sgd.epochs,
                   " adam_over_lm=", console::fixed{static_cast<float>(by_adam.epochs) / static_cast<float>(by_lm.epochs), 1},
                   " lm_mse=", console::sci{by_lm.mse, 3}, "\n");
    microprop_port_exit(0);
}
