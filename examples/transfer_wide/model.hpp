// The transfer_wide example's model and RAM need (also read by CMake's RAM probe): a 64-128-10
// digits network pretrained in PyTorch (../transfer/pretrained_64_128_10.hpp) whose full training
// needs about 40 KB of RAM, fine-tuned with its 64-128 layer frozen in flash.
#ifndef MICROPROP_EXAMPLE_TRANSFER_WIDE_MODEL_HPP
#define MICROPROP_EXAMPLE_TRANSFER_WIDE_MODEL_HPP

#include <cstddef>

#include <microprop/frozen.hpp>
#include <microprop/microprop.hpp>

#include "../common/example.hpp"
#include "../transfer/pretrained_64_128_10.hpp"

namespace example_model {

namespace pretrained = pretrained_64_128_10;
/// Frozen 64-128 ReLU layer in flash, trainable 128-10 softmax head in RAM.
using fine_tuned = pretrained::model;
/// Per-sample SGD of the head alone on the cross-entropy.
using fine_tune_trainer = microprop::fine_tune_trainer<fine_tuned, microprop::cross_entropy, microprop::sgd>;
/// The same with the frozen layer's weights as int8 (one float scale per output row).
using fine_tuned8 = pretrained::model8;
/// Its trainer.
using fine_tune_trainer8 = microprop::fine_tune_trainer<fine_tuned8, microprop::cross_entropy, microprop::sgd>;
/// The same 64-128-10 network, every layer trainable: never instantiated here, only measured.
using network = pretrained::network;
/// Its per-sample SGD trainer.
using trainer = microprop::trainer<network, microprop::cross_entropy, microprop::sgd>;

/// RAM of fine-tuning: the model (frozen layer's pointer and outputs, the head) and its trainer.
constexpr std::size_t fine_tune_ram_bytes = sizeof(fine_tuned) + sizeof(fine_tune_trainer);
/// RAM full training would need: the network and its trainer.
constexpr std::size_t full_training_ram_bytes = sizeof(network) + sizeof(trainer);
/// RAM of fine-tuning over the int8 frozen layer (the same: only flash shrinks).
constexpr std::size_t fine_tune8_ram_bytes = sizeof(fine_tuned8) + sizeof(fine_tune_trainer8);
/// What this image needs: the two fine-tuned models (float and int8 frozen layer) side by side.
constexpr std::size_t ram_bytes = fine_tune_ram_bytes + fine_tune8_ram_bytes + example::stack_reserve_bytes;

}  // namespace example_model

#endif
