// The library's own small PRNG, so that the same seed gives bit-identical
// weights on every compiler, C library and core.
#ifndef MICROPROP_RANDOM_HPP
#define MICROPROP_RANDOM_HPP

#include <array>
#include <cstdint>
#include <type_traits>

namespace microprop {

/// xoshiro128** (Blackman & Vigna), seeded through splitmix32. 32-bit
/// operations only, so it is as cheap on a Cortex-M0 as on a desktop.
class random_generator {
public:
    /// A generator whose state is derived from `seed` by splitmix32 (every seed is valid).
    explicit constexpr random_generator(std::uint32_t seed) : state_{}
    {
        std::uint32_t z = seed;
        for (auto& word : state_) {
            z += 0x9e3779b9u;
            std::uint32_t t = z;
            t = (t ^ (t >> 16)) * 0x85ebca6bu;
            t = (t ^ (t >> 13)) * 0xc2b2ae35u;
            word = t ^ (t >> 16);
        }
    }

    /// The next 32 random bits.
    constexpr std::uint32_t next()
    {
        const std::uint32_t result = rotate_left(state_[1] * 5u, 7) * 9u;
        const std::uint32_t t = state_[1] << 9;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotate_left(state_[3], 11);
        return result;
    }

    /// The four state words, e.g. to save a run and resume it with set_state().
    constexpr std::array<std::uint32_t, 4> state() const { return {state_[0], state_[1], state_[2], state_[3]}; }
    /// Continues from a state() saved earlier. An all-zero state (which no seed gives) would
    /// only ever draw 0: it is ignored and the generator left as it was.
    constexpr void set_state(const std::array<std::uint32_t, 4>& words)
    {
        if ((words[0] | words[1] | words[2] | words[3]) == 0) return;
        for (int k = 0; k < 4; ++k) state_[k] = words[static_cast<std::size_t>(k)];
    }

    /// Uniform in [0, 1) with 24 random bits (exact in float and double).
    template <class T>
    constexpr T uniform()
    {
        return static_cast<T>(next() >> 8) * static_cast<T>(1.0f / 16777216.0f);
    }

    /// Uniform in [low, high). For floating-point T the product is rounded
    /// before the sum (through a volatile), so that a compiler that contracts
    /// a * b + c into one FMA (GCC does by default on Cortex-M4F/M7/M33) still
    /// gives the same bits as every other core.
    template <class T>
    T uniform(T low, T high)
    {
        if constexpr (std::is_floating_point<T>::value) {
            volatile T scaled = (high - low) * uniform<T>();
            return low + scaled;
        } else {
            return low + (high - low) * uniform<T>();
        }
    }

    /// Uniform integer in [0, bound) (bound > 0), by Lemire's multiply-shift.
    constexpr std::uint32_t below(std::uint32_t bound)
    {
        return static_cast<std::uint32_t>((static_cast<std::uint64_t>(next()) * bound) >> 32);
    }

private:
    static constexpr std::uint32_t rotate_left(std::uint32_t x, int k)
    {
        return (x << k) | (x >> (32 - k));
    }
    std::uint32_t state_[4];
};

/// Fisher-Yates shuffle of `indices[0..n)`, e.g. to visit training samples in a new order each epoch.
template <class Index>
constexpr void shuffle(Index* indices, std::uint32_t n, random_generator& rng)
{
    for (std::uint32_t i = n; i > 1; --i) {
        const std::uint32_t j = rng.below(i);
        const Index tmp = indices[i - 1];
        indices[i - 1] = indices[j];
        indices[j] = tmp;
    }
}

}  // namespace microprop

#endif
