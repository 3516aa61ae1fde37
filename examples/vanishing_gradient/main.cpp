// vanishing_gradient: why deep sigmoid networks learn slowly (DL 4.5).
//
// The forward pass is bounded by the non-linearity, but the backward pass is
// linear in the deltas: each sigmoid layer multiplies them by f' <= 1/4 (times
// the weights), so the layers near the input receive a vanishing share of the
// gradient. He-initialised ReLU layers pass the delta on at about the same
// size. The program prints, for a deep sigmoid and a deep ReLU network with
// the same shape, the RMS of each layer's weight gradient averaged over random
// samples, then `result: sigmoid_ratio=... relu_ratio=...`: first layer over
// last hidden layer (goal: sigmoid < 0.01, ReLU > 0.1). On the host,
// MICROPROP_FIGURES=<dir> also writes <dir>/vanishing_gradient.svg.
#include "model.hpp"

#include "../common/figure.hpp"
#include "console.hpp"
#include "port.h"

namespace mp = microprop;

MICROPROP_EXAMPLE_RAM_CHECK(example_model::ram_bytes);

namespace {

constexpr int samples = 32;
constexpr std::size_t layers = example_model::sigmoid_network::layer_count;

example_model::sigmoid_network sigmoid_net(1);
example_model::relu_network relu_net(1);
float gradient_scratch[example_model::sigmoid_network::parameter_count];

/// Mean over `samples` random inputs of each layer's gradient RMS into `mean_rms`; returns
/// first / last hidden.
template <class Network>
float report(const char* name, Network& net, std::array<float, layers>& mean_rms)
{
    mp::random_generator rng(7);
    for (int s = 0; s < samples; ++s) {
        float x[8];
        for (float& v : x) v = rng.uniform<float>(-1.0f, 1.0f);
        const float d[1] = {rng.uniform<float>(-1.0f, 1.0f)};
        std::array<mp::layer_gradient_stats<float>, layers> stats;
        if (mp::layer_gradient_norms<mp::squared_error>(net, x, d, mp::span<float>(gradient_scratch), stats) !=
            mp::status::ok) {
            console::print("gradient failed\n");
            microprop_port_exit(1);
        }
        for (std::size_t l = 0; l < layers; ++l) mean_rms[l] += stats[l].weight_rms / samples;
    }
    console::print(name, " layer gradient RMS, input to output:");
    for (std::size_t l = 0; l < layers; ++l) console::print(" ", console::sci{mean_rms[l], 2});
    console::print("\n");
    return mean_rms[0] / mean_rms[layers - 2];
}

}  // namespace

int main()
{
    microprop_port_init();
    console::print("vanishing_gradient: 8-8-8-8-8-8-8-8-1 networks, ", samples, " random samples\n");
    std::array<float, layers> sigmoid_rms{};
    std::array<float, layers> relu_rms{};
    const float sigmoid_ratio = report("sigmoid", sigmoid_net, sigmoid_rms);
    const float relu_ratio = report("relu   ", relu_net, relu_rms);
    // Host only: $MICROPROP_FIGURES/vanishing_gradient.svg, gradient size per layer.
    std::array<float, layers> layer_number{};
    for (std::size_t l = 0; l < layers; ++l) layer_number[l] = static_cast<float>(l + 1);
    const example::series lines[] = {{"sigmoid", layer_number.data(), sigmoid_rms.data(), layers},
                                     {"ReLU", layer_number.data(), relu_rms.data(), layers}};
    const example::panel chart = {"Weight-gradient RMS per layer (mean of 32 samples)", "layer (1 = next to the input)",
                                  "gradient RMS (log scale)", lines, 2, true};
    example::write_figure("vanishing_gradient", "vanishing_gradient: 8-8-8-8-8-8-8-8-1 networks", &chart, 1);
    console::print("result: sigmoid_ratio=", console::sci{sigmoid_ratio, 3}, " relu_ratio=",
                   console::sci{relu_ratio, 3}, "\n");
    microprop_port_exit(0);
}
