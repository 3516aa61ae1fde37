// The infer_only example's model: the digits 64-32-10 network as frozen stacks over
// parameters in flash (float, and int8 with per-row scales), and its RAM need (also read by
// CMake's RAM probe).
#ifndef MICROPROP_EXAMPLE_INFER_ONLY_MODEL_HPP
#define MICROPROP_EXAMPLE_INFER_ONLY_MODEL_HPP

#include <cstddef>
#include <cstdint>

#include <microprop/frozen.hpp>
#include <microprop/microprop.hpp>

#include "../common/example.hpp"

namespace example_model {

/// The trained network's type, as the trainer on the other machine had it (examples/digits).
using trained = microprop::network<float, microprop::dense<64, 32>, microprop::relu, microprop::dense<32, 10>,
                                   microprop::softmax>;
/// The trainer it would need here (only its size is printed).
using trainer = microprop::trainer<trained, microprop::cross_entropy, microprop::sgd>;
/// The same layers over float parameters in flash.
using float_model = microprop::inference_only<trained>;
/// The same layers over int8 weights with per-row scales in flash.
using int8_model = microprop::inference_only<trained, std::int8_t>;

/// Both models and a stack reserve: no network, no trainer.
constexpr std::size_t ram_bytes = sizeof(float_model) + sizeof(int8_model) + example::stack_reserve_bytes;

}  // namespace example_model

#endif
