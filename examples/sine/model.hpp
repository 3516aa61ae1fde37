// The sine example's network, trainer and RAM need (also read by CMake's RAM probe).
#ifndef MICROPROP_EXAMPLE_SINE_MODEL_HPP
#define MICROPROP_EXAMPLE_SINE_MODEL_HPP

#include <cstddef>

#include <microprop/microprop.hpp>

#include "../common/example.hpp"

namespace example_model {

/// 1-16-16-1: two tanh hidden layers, linear output.
using network = microprop::network<float, microprop::dense<1, 16>, microprop::tanh, microprop::dense<16, 16>,
                                   microprop::tanh, microprop::dense<16, 1>>;
/// Adam on minibatches of 4 samples, E = 1/2 (y - d)^2.
constexpr std::size_t batch_size = 4;
using trainer = microprop::trainer<network, microprop::squared_error, microprop::adam, batch_size>;

constexpr std::size_t ram_bytes = sizeof(network) + sizeof(trainer) + example::stack_reserve_bytes;

}  // namespace example_model

#endif
