// The digits example's network, trainer and RAM need (also read by CMake's RAM probe).
#ifndef MICROPROP_EXAMPLE_DIGITS_MODEL_HPP
#define MICROPROP_EXAMPLE_DIGITS_MODEL_HPP

#include <cstddef>

#include <microprop/microprop.hpp>

#include "../common/example.hpp"
#include "../common/example_scalar.hpp"

namespace example_model {

/// 64-32-10: ReLU hidden layer, softmax output (2410 parameters: 9640 bytes as float, 4820 as q3_12).
using network = microprop::network<example::scalar, microprop::dense<64, 32>, microprop::relu, microprop::dense<32, 10>,
                                   microprop::softmax>;
/// Per-sample SGD on the softmax cross-entropy (fused update: no gradient buffer).
using trainer = microprop::trainer<network, microprop::cross_entropy, microprop::sgd>;

constexpr std::size_t ram_bytes = sizeof(network) + sizeof(trainer) + example::stack_reserve_bytes;

}  // namespace example_model

#endif
