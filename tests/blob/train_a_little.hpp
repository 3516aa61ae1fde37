// A few training steps on a fixed stream of samples, so that a blob's weights and optimizer
// state are neither zero nor the initial draw. Shared by tests/blob/blob_dump.cpp (on the
// device) and the fuzz targets' seed corpus (on the host).
#ifndef MICROPROP_TESTS_TRAIN_A_LITTLE_HPP
#define MICROPROP_TESTS_TRAIN_A_LITTLE_HPP

#include <microprop/microprop.hpp>

namespace blob_test {

/// `steps` per-sample steps: x uniform in [-1, 1), targets alternately 0.75 and 0.25 plus
/// x[0] / 10. Returns the first failing step's status, or ok.
template <class Trainer>
microprop::status train_a_little(Trainer& trainer, int steps, std::uint32_t seed)
{
    using T = typename Trainer::T;
    constexpr std::size_t in = Trainer::network_type::input_size;
    constexpr std::size_t out = Trainer::network_type::output_size;
    std::uint32_t state = seed;
    for (int step = 0; step < steps; ++step) {
        T x[in];
        T d[out];
        for (std::size_t k = 0; k < in; ++k) {
            state = state * 1664525u + 1013904223u;
            x[k] = static_cast<T>(static_cast<float>(state >> 8) / 8388608.0f - 1.0f);
        }
        for (std::size_t k = 0; k < out; ++k) d[k] = static_cast<T>(k % 2 ? 0.25f : 0.75f) + x[0] / T(10);
        const microprop::status s = trainer.train_sample(x, d);
        if (s != microprop::status::ok) return s;
    }
    return microprop::status::ok;
}

}  // namespace blob_test

#endif
