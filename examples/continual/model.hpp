// The continual example's network, trainer and RAM need (also read by CMake's RAM probe).
#ifndef MICROPROP_EXAMPLE_CONTINUAL_MODEL_HPP
#define MICROPROP_EXAMPLE_CONTINUAL_MODEL_HPP

#include <cstddef>

#include <microprop/microprop.hpp>

#include "../common/example.hpp"

namespace example_model {

/// 64-32-10: ReLU hidden layer, softmax output (2410 parameters), as in the digits example.
using network = microprop::network<float, microprop::dense<64, 32>, microprop::relu, microprop::dense<32, 10>,
                                   microprop::softmax>;
/// Per-sample SGD with elastic weight consolidation: a gradient buffer (P values) and F and
/// theta* (2 P values, microprop::consolidation_bytes).
using trainer = microprop::trainer<network, microprop::cross_entropy, microprop::consolidated<microprop::sgd>>;

/// The network, a copy of it (the parameters after the first task), the trainer, and
/// consolidate()'s scratch.
constexpr std::size_t ram_bytes = 2 * sizeof(network) + sizeof(trainer) +
                                  microprop::consolidation_scratch_size<network> * sizeof(float) +
                                  example::stack_reserve_bytes;

}  // namespace example_model

#endif
