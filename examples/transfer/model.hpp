// The transfer example's models and RAM need (also read by CMake's RAM probe): the 64-32-10
// digits network pretrained in PyTorch (pretrained_64_32_10.hpp, first layer frozen in flash)
// fine-tuned on the device, and the same network trained fully on the device for comparison.
#ifndef MICROPROP_EXAMPLE_TRANSFER_MODEL_HPP
#define MICROPROP_EXAMPLE_TRANSFER_MODEL_HPP

#include <cstddef>

#include <microprop/frozen.hpp>
#include <microprop/microprop.hpp>

#include "../common/example.hpp"
#include "pretrained_64_32_10.hpp"

namespace example_model {

namespace pretrained = pretrained_64_32_10;
/// Frozen 64-32 ReLU layer in flash, trainable 32-10 softmax head in RAM.
using fine_tuned = pretrained::model;
/// Per-sample SGD of the head alone on the cross-entropy.
using fine_tune_trainer = microprop::fine_tune_trainer<fine_tuned, microprop::cross_entropy, microprop::sgd>;
/// The same 64-32-10 network, every layer trainable.
using network = pretrained::network;
/// Per-sample SGD on the cross-entropy (fused update: no gradient buffer).
using trainer = microprop::trainer<network, microprop::cross_entropy, microprop::sgd>;

/// RAM of fine-tuning: the model (frozen layer's pointer and outputs, the head) and its trainer.
constexpr std::size_t fine_tune_ram_bytes = sizeof(fine_tuned) + sizeof(fine_tune_trainer);
/// RAM of full training: the network and its trainer.
constexpr std::size_t full_training_ram_bytes = sizeof(network) + sizeof(trainer);
/// The image holds both (one after the other would do; both keeps the example simple).
constexpr std::size_t ram_bytes = fine_tune_ram_bytes + full_training_ram_bytes + example::stack_reserve_bytes;

}  // namespace example_model

#endif
