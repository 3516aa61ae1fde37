// The anomaly example's networks, trainer and RAM need (also read by CMake's RAM probe).
#ifndef MICROPROP_EXAMPLE_ANOMALY_MODEL_HPP
#define MICROPROP_EXAMPLE_ANOMALY_MODEL_HPP

#include <cstddef>

#include <microprop/microprop.hpp>

#include "../common/example.hpp"

namespace example_model {

/// 64-16-64 tied autoencoder: the decoder is the encoder's matrix transposed (tied<0>),
/// sigmoid units, 64 * 16 + 16 + 64 = 1104 parameters.
using network = microprop::network<float, microprop::dense<64, 16>, microprop::sigmoid, microprop::tied<0>,
                                   microprop::sigmoid>;
/// The same shape without the tie, for comparison (2128 parameters).
using untied_network = microprop::network<float, microprop::dense<64, 16>, microprop::sigmoid,
                                          microprop::dense<16, 64>, microprop::sigmoid>;
/// Per-sample SGD on the binary cross-entropy of every pixel (fused: the tie is to layer 0).
using trainer = microprop::trainer<network, microprop::binary_cross_entropy, microprop::sgd>;

/// Reconstruction errors of the test images, kept to compute the ROC area.
constexpr std::size_t max_scored_images = 360;

constexpr std::size_t ram_bytes =
    sizeof(network) + sizeof(trainer) + max_scored_images * sizeof(float) + example::stack_reserve_bytes;

}  // namespace example_model

#endif
