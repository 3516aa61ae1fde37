// The iris example's network, trainer and RAM need (also read by CMake's RAM probe).
#ifndef MICROPROP_EXAMPLE_IRIS_MODEL_HPP
#define MICROPROP_EXAMPLE_IRIS_MODEL_HPP

#include <cstddef>

#include <microprop/microprop.hpp>

#include "../common/example.hpp"
#include "../common/example_scalar.hpp"

namespace example_model {

/// 4-16-3: ReLU hidden layer, softmax output.
using network = microprop::network<example::scalar, microprop::dense<4, 16>, microprop::relu, microprop::dense<16, 3>,
                                   microprop::softmax>;
/// Per-sample SGD on the softmax cross-entropy (fused update: no gradient buffer).
using trainer = microprop::trainer<network, microprop::cross_entropy, microprop::sgd>;

constexpr std::size_t ram_bytes = sizeof(network) + sizeof(trainer) + example::stack_reserve_bytes;

}  // namespace example_model

#endif
