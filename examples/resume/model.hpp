// The resume example's network, trainer, saved record and RAM need (also
// read by CMake's RAM probe).
#ifndef MICROPROP_EXAMPLE_RESUME_MODEL_HPP
#define MICROPROP_EXAMPLE_RESUME_MODEL_HPP

#include <cstddef>
#include <cstdint>

#include <microprop/microprop.hpp>
#include <microprop/serialize.hpp>

#include "../common/example.hpp"

namespace example_model {

/// 4-16-3: ReLU hidden layer, softmax output (the iris example's network).
using network = microprop::network<float, microprop::dense<4, 16>, microprop::relu, microprop::dense<16, 3>,
                                   microprop::softmax>;
/// Per-sample SGD on the softmax cross-entropy. Plain SGD keeps no state
/// between steps, so the weights and the epoch number are all a restart needs.
using trainer = microprop::trainer<network, microprop::cross_entropy, microprop::sgd>;

/// What one save writes to flash: the epoch the weights were saved after,
/// then the checked weight blob (microprop/serialize.hpp).
constexpr std::size_t record_epoch_bytes = 4;
constexpr std::size_t record_bytes = record_epoch_bytes + microprop::blob_bytes<network>;

/// Network, trainer, the record buffer, the flash store's stack scratch
/// (a few dozen bytes) and the stack reserve.
constexpr std::size_t ram_bytes =
    sizeof(network) + sizeof(trainer) + record_bytes + 128 + example::stack_reserve_bytes;

}  // namespace example_model

#endif
