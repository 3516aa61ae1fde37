// Reading the digits images from flash, shared by the digits and guarded_digits examples.
#ifndef MICROPROP_EXAMPLES_DIGITS_SAMPLES_HPP
#define MICROPROP_EXAMPLES_DIGITS_SAMPLES_HPP

#include <cstddef>
#include <cstdint>

#include <microprop/microprop.hpp>

#include "../data/digits_data.hpp"

namespace example {

/// Pixels of image i scaled to 0..1 (pixel_count values into x), and its one-hot target
/// (class_count values into d).
inline void load_digit(std::size_t i, float* x, float* d)
{
    namespace data = microprop_data::digits;
    constexpr float scale = 1.0f / data::max_pixel;
    for (std::size_t j = 0; j < data::pixel_count; ++j) x[j] = static_cast<float>(data::pixels[i][j]) * scale;
    for (std::size_t k = 0; k < data::class_count; ++k) d[k] = (k == data::labels[i]) ? 1.0f : 0.0f;
}

/// Fraction of the listed images that `net` classifies correctly.
template <class Network, std::size_t N>
float digits_accuracy(Network& net, const std::uint16_t (&index)[N])
{
    namespace data = microprop_data::digits;
    float x[data::pixel_count];
    float d[data::class_count];
    std::size_t correct = 0;
    for (std::size_t s = 0; s < N; ++s) {
        load_digit(index[s], x, d);
        correct += microprop::argmax(net.forward(x)) == data::labels[index[s]] ? 1u : 0u;
    }
    return static_cast<float>(correct) / static_cast<float>(N);
}

}  // namespace example

#endif
