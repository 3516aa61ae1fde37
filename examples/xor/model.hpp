// The xor example's network, trainer and RAM need (also read by CMake's RAM probe).
#ifndef MICROPROP_EXAMPLE_XOR_MODEL_HPP
#define MICROPROP_EXAMPLE_XOR_MODEL_HPP

#include <cstddef>

#include <microprop/microprop.hpp>

#include "../common/example.hpp"
#include "../common/example_scalar.hpp"

namespace example_model {

/// 2-4-1, sigmoid hidden and output units.
using network = microprop::network<example::scalar, microprop::dense<2, 4>, microprop::sigmoid, microprop::dense<4, 1>,
                                   microprop::sigmoid>;
/// Per-sample SGD on E = 1/2 (y - d)^2 (fused update: no gradient buffer).
using trainer = microprop::trainer<network, microprop::squared_error, microprop::sgd>;

constexpr std::size_t ram_bytes = sizeof(network) + sizeof(trainer) + example::stack_reserve_bytes;

}  // namespace example_model

#endif
