// The guarded_digits example's network, trainer, guard and RAM need (also read by CMake's RAM probe).
#ifndef MICROPROP_EXAMPLE_GUARDED_DIGITS_MODEL_HPP
#define MICROPROP_EXAMPLE_GUARDED_DIGITS_MODEL_HPP

#include <cstddef>

#include <microprop/divergence_guard.hpp>
#include <microprop/microprop.hpp>

#include "../common/example.hpp"

namespace example_model {

/// 64-32-10: ReLU hidden layer, softmax output (2410 parameters, 9640 bytes as float).
using network = microprop::network<float, microprop::dense<64, 32>, microprop::relu, microprop::dense<32, 10>,
                                   microprop::softmax>;
/// Per-sample SGD on the softmax cross-entropy (fused update: no gradient buffer), as in digits.
using trainer = microprop::trainer<network, microprop::cross_entropy, microprop::sgd>;
/// Keeps a copy of the 2410 parameters (SGD has no optimizer state) and the sgd object.
using guard = microprop::divergence_guard<trainer>;

constexpr std::size_t ram_bytes = sizeof(network) + sizeof(trainer) + guard::bytes + example::stack_reserve_bytes;

}  // namespace example_model

#endif
