// The arithmetic every q3_12 kernel shares: hyper-parameters as 15-bit factors, steps
// prepared for many values, stochastic rounding (dither) and saturating sums.
//
// Sums of products are exact (an exact_sum of 32-bit products, rounded once).
// Values that feed a parameter change are rounded stochastically: a step
// v / 2^s becomes floor((v + r) / 2^s) with r uniform in [0, 2^s) drawn from the
// trainer's random_generator, whose expectation is exactly v / 2^s. One draw
// serves a whole row of a weight matrix (each weight of the row is still rounded
// without bias; only the rounding errors within a row are correlated), so the
// PRNG costs about 20 instructions per row instead of per weight.
#ifndef MICROPROP_KERNELS_COMMON_FIXED_ARITH_HPP
#define MICROPROP_KERNELS_COMMON_FIXED_ARITH_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include "../../fixed_scalar.hpp"
#include "../../random.hpp"

namespace microprop::kernels::fixed {

using microprop::fixed::narrow_product_sum;
using microprop::fixed::saturate16;

/// A non-negative hyper-parameter as mantissa * 2^-shift, mantissa < 2^15: 15
/// significant bits whatever its size (a learning rate of 1e-4 keeps them too).
struct factor {
    std::int32_t mantissa = 0;  ///< in [2^14, 2^15), or 0 for the value 0
    std::int32_t shift = 0;     ///< the value is mantissa / 2^shift
    /// True for the value 0.
    bool is_zero() const { return mantissa == 0; }
};

/// v >= 0 as a factor, from the float's bits (no soft-float call on a core without an FPU).
/// Values below 2^-40 become zero.
inline factor factor_from_float(float v)
{
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    const std::int32_t exponent = static_cast<std::int32_t>((bits >> 23) & 0xffu);
    if (exponent == 0 || (bits >> 31) != 0) return factor{};
    // v = m 2^(exponent - 150), m in [2^23, 2^24): keep the top 15 bits of m.
    std::uint32_t m = ((bits & 0x7fffffu) | 0x800000u);
    m = (m + (1u << 8)) >> 9;  // [2^14, 2^15]
    std::int32_t shift = 141 - exponent;
    if (m == 32768u) {
        m = 16384u;
        --shift;
    }
    if (shift > 55) return factor{};
    return factor{static_cast<std::int32_t>(m), shift};
}

/// The product of two factors.
inline factor factor_product(factor a, factor b)
{
    if (a.is_zero() || b.is_zero()) return factor{};
    std::int32_t m = (a.mantissa * b.mantissa + (1 << 14)) >> 15;
    std::int32_t shift = a.shift + b.shift - 15;
    while (m >= 32768) {
        m >>= 1;
        --shift;
    }
    return factor{m, shift};
}

/// Number of significant bits of |v| (0 for v == 0).
inline std::int32_t significant_bits(std::int32_t v)
{
    std::uint32_t a = static_cast<std::uint32_t>(v < 0 ? -v : v);
    std::int32_t n = 0;
    if (a >= 65536u) {
        a >>= 16;
        n += 16;
    }
    if (a >= 256u) {
        a >>= 8;
        n += 8;
    }
    if (a >= 16u) {
        a >>= 4;
        n += 4;
    }
    while (a != 0) {
        a >>= 1;
        ++n;
    }
    return n;
}

/// A step c * x / 2^shift prepared for many x: `scale` has at most 15 significant bits and
/// `shift` lies in [0, 30], so (scale * x + r) >> shift never overflows for 16-bit x and
/// r < 2^shift.
struct step_scale {
    std::int32_t scale;  ///< at most 15 significant bits
    std::int32_t shift;  ///< in [0, 30]
};

/// The step value * 2^-value_shift (value: any 32-bit integer) prepared as a step_scale.
inline step_scale normalise_step(std::int32_t value, std::int32_t value_shift)
{
    const std::int32_t excess = significant_bits(value) - 15;
    if (excess > 0) {
        value = (value + (1 << (excess - 1))) >> excess;
        value_shift -= excess;
    }
    if (value_shift > 30) {
        const std::int32_t drop = value_shift - 30;
        value = drop >= 31 ? 0 : (value >> drop);
        value_shift = 30;
    }
    if (value_shift < 0) {  // only for steps of 2^15 and more: saturates below
        value = value >= 0 ? 32767 : -32768;
        value_shift = 0;
    }
    return step_scale{value, value_shift};
}

/// r in [0, 2^shift) from a 32-bit random word (shift in [0, 30]). Defining
/// MICROPROP_FIXED_NEAREST_UPDATES=1 rounds updates to nearest instead (r = 2^(shift-1)):
/// a switch for measuring what stochastic rounding is worth (README "Fixed point").
MICROPROP_ALWAYS_INLINE std::int32_t dither(std::uint32_t random_word, std::int32_t shift)
{
#if defined(MICROPROP_FIXED_NEAREST_UPDATES) && MICROPROP_FIXED_NEAREST_UPDATES
    static_cast<void>(random_word);
    return shift == 0 ? 0 : std::int32_t(1) << (shift - 1);
#else
    return shift == 0 ? 0 : static_cast<std::int32_t>(random_word >> (32 - shift));
#endif
}

/// acc + v clamped to the 32-bit range; a clamp is counted as a saturation.
MICROPROP_ALWAYS_INLINE std::int32_t add_saturating32(std::int32_t acc, std::int32_t v)
{
    std::int32_t sum;
    if (!__builtin_add_overflow(acc, v, &sum)) return sum;
    ++microprop::detail::fixed_saturations;
    return v < 0 ? std::int32_t(-2147483647 - 1) : std::int32_t(2147483647);
}

/// 1 / count (count >= 1) as a factor: mantissa round(2^shift / count) in [2^14, 2^15].
inline factor factor_reciprocal(std::uint32_t count)
{
    std::int32_t shift = 14;
    while ((std::uint32_t{1} << (shift - 14)) < count) ++shift;  // 2^shift / count >= 2^14
    const std::uint32_t m = ((std::uint32_t{1} << shift) + count / 2) / count;
    return factor{static_cast<std::int32_t>(m), shift};
}

/// floor((v + r) / 2^shift) for shift in [1, 62] with r uniform in [0, 2^shift) built
/// from two random words (the bits below 2^(shift - 64) are zero: a bias below 2^-32 of a
/// step). The stochastic rounding of a 64-bit minibatch step.
MICROPROP_ALWAYS_INLINE std::int64_t shift_stochastic64(std::int64_t v, std::int32_t shift, std::uint64_t random_bits)
{
#if defined(MICROPROP_FIXED_NEAREST_UPDATES) && MICROPROP_FIXED_NEAREST_UPDATES
    static_cast<void>(random_bits);
    const std::int64_t r = std::int64_t{1} << (shift - 1);
#else
    const std::int64_t r = static_cast<std::int64_t>(random_bits >> (64 - shift));
#endif
    return (v + r) >> shift;  // |v| < 2^47, r < 2^62: no overflow
}

}  // namespace microprop::kernels::fixed

#endif
