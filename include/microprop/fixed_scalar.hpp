// q3_12: the library's 16-bit fixed-point scalar, for cores without an FPU.
//
// Format: a signed 16-bit integer `raw` standing for raw / 4096 (Q3.12): range
// [-8, 8 - 1/4096], resolution 1/4096 = 2.44e-4. Weights, biases, activations,
// deltas and optimizer state are all q3_12, so a network takes half the RAM of
// its float twin. Sums of products are exact: a product of two q3_12 is a Q6.24
// integer of at most 2^30 in magnitude (one 32x32->32 MULS on a Cortex-M0), and
// the kernels add such products exactly, in 64 bits (SMLAL on the M3; on Thumb-1
// a 32-bit ADDS whose overflows go into a high word), rounded once when the sum
// is stored back into 16 bits.
//
// Narrowing saturates, it never wraps: a value outside the range becomes the
// nearest end of the range and increments the saturation counter
// (saturation_count()). Rounding is to nearest (halves up) everywhere except in
// the values that feed a parameter update (weight and bias steps, gradients,
// momentum), which are rounded stochastically from the trainer's seeded
// random_generator so that updates smaller than one step of 1/4096 still move a
// weight in expectation (see fixed_point.hpp).
#ifndef MICROPROP_FIXED_SCALAR_HPP
#define MICROPROP_FIXED_SCALAR_HPP

#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/common/fixed_math.hpp"
#include "scalar.hpp"

namespace microprop {

namespace detail {
/// Narrowings to 16 bits that saturated since the last reset (one counter per program).
inline std::uint32_t fixed_saturations = 0;
}  // namespace detail

/// How many values saturated (were clamped to the q3_12 range) since the program
/// started or since reset_saturation_count(). A training run that saturates often
/// needs smaller inputs or learning rate; a few saturations of a ReLU output are harmless.
inline std::uint32_t saturation_count() { return detail::fixed_saturations; }
/// Sets the saturation counter back to zero.
inline void reset_saturation_count() { detail::fixed_saturations = 0; }

namespace fixed {

/// Bits after the binary point of q3_12.
constexpr int fraction_bits = 12;
/// The raw value of 1.0.
constexpr std::int32_t one = 1 << fraction_bits;

/// v clamped to [-32768, 32767]; counts a saturation when it had to clamp.
MICROPROP_ALWAYS_INLINE std::int16_t saturate16(std::int32_t v)
{
#if defined(__ARM_FEATURE_SAT) && defined(__GNUC__)
    std::int32_t clamped;
    __asm("ssat %0, #16, %1" : "=r"(clamped) : "r"(v));
    if (clamped != v) ++detail::fixed_saturations;
    return static_cast<std::int16_t>(clamped);
#else
    if (v > 32767) {
        ++detail::fixed_saturations;
        return 32767;
    }
    if (v < -32768) {
        ++detail::fixed_saturations;
        return -32768;
    }
    return static_cast<std::int16_t>(v);
#endif
}

/// A 64-bit sum clamped to 16 bits (counted like saturate16).
MICROPROP_ALWAYS_INLINE std::int16_t saturate16_wide(std::int64_t v)
{
    constexpr std::int64_t low = -2147483647 - 1, high = 2147483647;
    return saturate16(static_cast<std::int32_t>(v < low ? low : (v > high ? high : v)));
}

/// A Q6.24 sum of products rounded to nearest into Q3.12, saturated.
/// (Written on 32 bits where the sum fits them, which on a Cortex-M0 avoids 64-bit shifts.)
MICROPROP_ALWAYS_INLINE std::int16_t narrow_product_sum(std::int64_t q24)
{
    const std::int32_t low = static_cast<std::int32_t>(q24);
    if (static_cast<std::int64_t>(low) != q24) return saturate16(q24 < 0 ? std::int32_t(-32769) : std::int32_t(32768));
    // floor(low / 4096 + 1/2) without the overflow of low + 2048.
    return saturate16((low >> fraction_bits) + ((low >> (fraction_bits - 1)) & 1));
}

/// Round-to-nearest float -> raw Q3.12 with saturation. Integer operations on the
/// float's bits only, so a core without an FPU does not call soft-float routines.
inline std::int16_t raw_from_float(float v)
{
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    const bool negative = (bits >> 31) != 0;
    const std::int32_t exponent = static_cast<std::int32_t>((bits >> 23) & 0xffu);
    if (exponent == 0xff) {  // NaN and infinities: NaN becomes 0, infinities saturate
        if ((bits & 0x7fffffu) != 0) return 0;
        ++detail::fixed_saturations;
        return negative ? -32768 : 32767;
    }
    if (exponent == 0) return 0;  // zero and subnormals are far below 1/8192
    // v = m 2^(exponent - 150) with m in [2^23, 2^24); raw = v 2^12 = m 2^(exponent - 138).
    const std::uint32_t mantissa = (bits & 0x7fffffu) | 0x800000u;
    const std::int32_t shift = 138 - exponent;
    std::int32_t magnitude;
    if (shift >= 25) {
        magnitude = 0;
    } else if (shift > 0) {
        magnitude = static_cast<std::int32_t>((mantissa + (1u << (shift - 1))) >> shift);
    } else if (shift > -8) {
        magnitude = static_cast<std::int32_t>(mantissa << -shift);
    } else {
        magnitude = 0x7fffffff;  // far out of range
    }
    return saturate16(negative ? -magnitude : magnitude);
}

/// raw / 4096 as a float (exact: every q3_12 is a float).
constexpr float raw_to_float(std::int32_t raw) { return static_cast<float>(raw) * (1.0f / 4096.0f); }

}  // namespace fixed

/// Signed 16-bit fixed point with 12 fraction bits (Q3.12), range [-8, 8), step 1/4096.
///
/// Arithmetic saturates and counts (saturation_count()); products and quotients
/// round to nearest. Constructing from an int or float rounds to nearest and
/// saturates. sizeof(q3_12) == 2.
struct q3_12 {
    std::int16_t raw;  ///< the value times 4096

    q3_12() = default;
    /// n as a q3_12 (saturated to [-8, 8)).
    constexpr q3_12(int n)
        : raw(static_cast<std::int16_t>(n >= 8 ? 32767 : (n < -8 ? -32768 : n * fixed::one)))
    {
    }
    /// v rounded to the nearest q3_12 (saturated; NaN becomes 0).
    explicit q3_12(float v) : raw(fixed::raw_from_float(v)) {}
    /// v rounded to the nearest q3_12 (through float; saturated; NaN becomes 0).
    explicit q3_12(double v) : raw(fixed::raw_from_float(static_cast<float>(v))) {}

    /// The q3_12 whose raw integer is r (r / 4096).
    static constexpr q3_12 from_raw(std::int32_t r)
    {
        q3_12 q{};
        q.raw = static_cast<std::int16_t>(r);
        return q;
    }
    /// The value as a float (exact).
    explicit constexpr operator float() const { return fixed::raw_to_float(raw); }
    /// The value as a double (exact).
    explicit constexpr operator double() const { return static_cast<double>(fixed::raw_to_float(raw)); }

    /// a + b, saturated.
    friend q3_12 operator+(q3_12 a, q3_12 b) { return from_raw(fixed::saturate16(std::int32_t(a.raw) + b.raw)); }
    /// a - b, saturated.
    friend q3_12 operator-(q3_12 a, q3_12 b) { return from_raw(fixed::saturate16(std::int32_t(a.raw) - b.raw)); }
    /// -a (-(-8) saturates to 8 - 1/4096).
    friend q3_12 operator-(q3_12 a) { return from_raw(fixed::saturate16(-std::int32_t(a.raw))); }
    /// a b rounded to nearest, saturated.
    friend q3_12 operator*(q3_12 a, q3_12 b)
    {
        return from_raw(fixed::saturate16((std::int32_t(a.raw) * b.raw + (fixed::one / 2)) >> fixed::fraction_bits));
    }
    /// a / b rounded to nearest; b == 0 saturates to the end of the range of a's sign.
    friend q3_12 operator/(q3_12 a, q3_12 b)
    {
        if (b.raw == 0) return from_raw(fixed::saturate16(a.raw < 0 ? -65536 : 65536));
        const std::int32_t n = std::int32_t(a.raw) * fixed::one;
        const std::int32_t half = (b.raw < 0 ? -b.raw : b.raw) / 2;
        const std::int32_t q = ((n < 0) != (b.raw < 0)) ? (n - (n < 0 ? half : -half)) / b.raw
                                                         : (n + (n < 0 ? -half : half)) / b.raw;
        return from_raw(fixed::saturate16(q));
    }
    /// *this = *this + b.
    q3_12& operator+=(q3_12 b) { return *this = *this + b; }
    /// *this = *this - b.
    q3_12& operator-=(q3_12 b) { return *this = *this - b; }
    /// *this = *this * b.
    q3_12& operator*=(q3_12 b) { return *this = *this * b; }
    /// *this = *this / b.
    q3_12& operator/=(q3_12 b) { return *this = *this / b; }
    /// Comparisons of the values (of the raw integers).
    friend constexpr bool operator==(q3_12 a, q3_12 b) { return a.raw == b.raw; }
    /// a != b.
    friend constexpr bool operator!=(q3_12 a, q3_12 b) { return a.raw != b.raw; }
    /// a < b.
    friend constexpr bool operator<(q3_12 a, q3_12 b) { return a.raw < b.raw; }
    /// a > b.
    friend constexpr bool operator>(q3_12 a, q3_12 b) { return a.raw > b.raw; }
    /// a <= b.
    friend constexpr bool operator<=(q3_12 a, q3_12 b) { return a.raw <= b.raw; }
    /// a >= b.
    friend constexpr bool operator>=(q3_12 a, q3_12 b) { return a.raw >= b.raw; }
};
static_assert(sizeof(q3_12) == 2, "q3_12 must be two bytes.");
static_assert(std::is_trivially_copyable<q3_12>::value, "q3_12 must be trivially copyable.");

/// True for the library's fixed-point scalar types.
template <class T>
struct is_fixed_point : std::false_type {};
template <>
struct is_fixed_point<q3_12> : std::true_type {};

/// The scalar operations of q3_12 (scalar.hpp): table-based e^x, log and tanh
/// (kernels/common/fixed_math.hpp), an integer square root; every q3_12 is finite.
template <>
struct scalar_ops<q3_12> {
    /// e^x from the 2^x table (saturates above ln 8).
    static q3_12 exp(q3_12 x) { return q3_12::from_raw(fixed::saturate16(fixed::math::exp_raw(x.raw))); }
    /// ln x; x <= 0 gives the most negative value (-8), counted as a saturation.
    static q3_12 log(q3_12 x)
    {
        if (x.raw <= 0) return q3_12::from_raw(fixed::saturate16(std::int32_t(-32769)));
        return q3_12::from_raw(fixed::saturate16(fixed::math::log_raw(x.raw)));
    }
    /// tanh x within 3 steps (kernels/common/fixed_math.hpp).
    static q3_12 tanh(q3_12 x) { return q3_12::from_raw(fixed::math::tanh_raw(x.raw)); }
    /// sqrt x rounded down; negative x gives 0.
    static q3_12 sqrt(q3_12 x)
    {
        if (x.raw <= 0) return q3_12::from_raw(0);
        return q3_12::from_raw(static_cast<std::int32_t>(fixed::math::integer_sqrt(static_cast<std::uint32_t>(x.raw) << 12)));
    }
    /// |x| (|-8| saturates).
    static q3_12 abs(q3_12 x) { return x.raw < 0 ? -x : x; }
    /// Always true: a q3_12 has no NaN or infinity.
    static constexpr bool is_finite(q3_12) { return true; }
    /// One step, 1/4096.
    static constexpr q3_12 epsilon() { return q3_12::from_raw(1); }
    /// One step, 1/4096.
    static constexpr q3_12 smallest_positive() { return q3_12::from_raw(1); }
    /// v rounded to the nearest q3_12.
    static q3_12 from(float v) { return q3_12(v); }
};

}  // namespace microprop

namespace std {
/// The range of q3_12 for generic code (all_finite, all_within): max() is 8 - 1/4096,
/// lowest() -8, min() and epsilon() one step (1/4096, as float's min() is its smallest
/// normal); no infinity, no NaN.
template <>
struct numeric_limits<microprop::q3_12> {
    static constexpr bool is_specialized = true;  ///< yes
    static constexpr bool is_signed = true;       ///< yes
    static constexpr bool is_integer = false;     ///< a fraction
    static constexpr bool is_exact = true;        ///< every operation rounds to the 1/4096 grid
    static constexpr bool has_infinity = false;   ///< none
    static constexpr bool has_quiet_NaN = false;  ///< none
    static constexpr int digits = 15;             ///< value bits
    /// 8 - 1/4096.
    static constexpr microprop::q3_12 max() { return microprop::q3_12::from_raw(32767); }
    /// -8.
    static constexpr microprop::q3_12 lowest() { return microprop::q3_12::from_raw(-32768); }
    /// The smallest positive value, 1/4096.
    static constexpr microprop::q3_12 min() { return microprop::q3_12::from_raw(1); }
    /// One step, 1/4096.
    static constexpr microprop::q3_12 epsilon() { return microprop::q3_12::from_raw(1); }
};
}  // namespace std

#endif
