// The few operations the library needs from its scalar type.
//
// Kernels use +, -, * and comparisons directly; everything else goes through
// scalar_ops<T>, so a fixed-point type (Q15/Q31) needs only a specialisation
// of this struct and its arithmetic operators.
#ifndef MICROPROP_SCALAR_HPP
#define MICROPROP_SCALAR_HPP

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "config.hpp"
#include "kernels/common/exp_float.hpp"
#include "kernels/finite_check/vfp.hpp"
#include "kernels/select_simd.hpp"

namespace microprop {

namespace detail {
/// The bit pattern of IEEE float and double as an unsigned integer, for tests that must
/// hold under -ffast-math: for a non-negative value the integer order of the bits is the
/// order of the values, and every NaN and infinity lies above the largest finite value.
template <class T>
struct ieee_bits {
    static constexpr bool available = false;
};
template <>
struct ieee_bits<float> {
    static constexpr bool available = std::numeric_limits<float>::is_iec559;
    using word = std::uint32_t;
    static constexpr word magnitude_mask = 0x7fffffffu;
    static constexpr word infinity = 0x7f800000u;
    static word of(float v)
    {
        word bits;
        std::memcpy(&bits, &v, sizeof bits);
        return bits;
    }
    static bool finite(float v) { return (of(v) & magnitude_mask) < infinity; }
};
template <>
struct ieee_bits<double> {
    static constexpr bool available = std::numeric_limits<double>::is_iec559;
    using word = std::uint64_t;
    static constexpr word magnitude_mask = 0x7fffffffffffffffull;
    static constexpr word infinity = 0x7ff0000000000000ull;
    static word of(double v)
    {
        word bits;
        std::memcpy(&bits, &v, sizeof bits);
        return bits;
    }
    static bool finite(double v) { return (of(v) & magnitude_mask) < infinity; }
};

/// True when lo <= v <= hi with v not NaN, by the bits (holds under -ffast-math). For
/// 0 <= lo <= hi finite; -0.0 counts as below 0.
template <class T>
bool in_closed_range(T v, T lo, T hi)
{
    if constexpr (ieee_bits<T>::available) {
        const auto b = ieee_bits<T>::of(v);
        return b >= ieee_bits<T>::of(lo) && b <= ieee_bits<T>::of(hi);
    } else {
        return v >= lo && v <= hi;
    }
}
}  // namespace detail

/// The math a scalar type needs (std:: functions); scalar_ops<float> replaces some with
/// the library's own fast, bit-reproducible versions (kernels/common/exp_float.hpp).
template <class T>
struct scalar_ops_base {
    /// e^x.
    static T exp(T x) { return std::exp(x); }
    /// Natural logarithm; x > 0.
    static T log(T x) { return std::log(x); }
    /// Hyperbolic tangent.
    static T tanh(T x) { return std::tanh(x); }
    /// Square root; x >= 0.
    static T sqrt(T x) { return std::sqrt(x); }
    /// |x|.
    static T abs(T x) { return x < T(0) ? -x : x; }
    /// True for every value that is neither NaN nor infinite. A test of the exponent bits
    /// for IEEE float and double, so that -ffast-math (which lets the compiler assume no
    /// NaN exists and fold any comparison with one) cannot turn it into `true`.
    static bool is_finite(T x)
    {
        if constexpr (detail::ieee_bits<T>::available) {
            return detail::ieee_bits<T>::finite(x);
        } else {
            const T magnitude = abs(x);
            return magnitude <= std::numeric_limits<T>::max();
        }
    }
    /// Machine epsilon of T.
    static constexpr T epsilon() { return std::numeric_limits<T>::epsilon(); }
    /// Smallest positive normal T.
    static constexpr T smallest_positive() { return std::numeric_limits<T>::min(); }
    /// A float (e.g. a hyper-parameter) as T.
    static constexpr T from(float v) { return static_cast<T>(v); }
};

template <class T>
struct scalar_ops : scalar_ops_base<T> {};

#if defined(__arm__) && !defined(MICROPROP_USE_LIBM)
/// On Arm, float e^x, tanh and log run inline (kernels/common/exp_float.hpp: <= 0.84, <= 2.7 and < 1
/// ulp) instead of newlib's expf, tanhf (which brings expm1f along) and logf, and sqrt is
/// one VSQRT where the FPU has it: about 1.5 KB of flash less, no errno in RAM, and no call
/// that spills the FPU registers. MICROPROP_USE_LIBM restores libm.
template <>
struct scalar_ops<float> : scalar_ops_base<float> {
    static float exp(float x) { return kernels::exp_inline(x); }
    static float tanh(float x) { return kernels::tanh_inline(x); }
    static float log(float x) { return kernels::log_inline(x); }
#if defined(__ARM_FP) && ((__ARM_FP & 4) != 0) && !defined(__SOFTFP__)
    /// One VSQRT: newlib's sqrtf would also set errno, which links 104 B of .data.
    static float sqrt(float x)
    {
        float root;
        __asm("vsqrt.f32 %0, %1" : "=t"(root) : "t"(x));
        return root;
    }
#endif
};
#endif

/// True when none of the n values is NaN or infinite and every magnitude is at most
/// `bound` (finite, >= 0). Tested on the bits, so it holds under -ffast-math.
///
/// `half_square_bound` = min(bound^2 / 2, largest finite T), which callers that test often
/// against one bound keep (detail::half_square_bound); only the Cortex-M FPU path reads it.
template <class T>
MICROPROP_ALWAYS_INLINE bool all_within(const T* values, std::size_t n, T bound, T half_square_bound)
{
    using bits = detail::ieee_bits<T>;
    if constexpr (std::is_same_v<T, float> && bits::available) {
        const auto bound_bits = static_cast<std::int32_t>(bits::of(bound) & bits::magnitude_mask);
#if MICROPROP_KERNELS_SIMD
        return kernels::simd_dispatch::all_within(values, n, bound_bits);
#else
        std::size_t i = 0;
#if MICROPROP_KERNELS_VFP
        // Eight values per VLDM and one VFMA each (about 1.4 instructions a value, where the
        // test of each magnitude takes 4): a sum of squares at most bound^2 / 2 proves every
        // |x| <= bound. Otherwise the exact test below looks at every value. (A NaN or
        // infinity among the rest makes the sum NaN or infinite too.)
        if (n >= 8) {
            const std::size_t blocks = n / 8;
            float sum = kernels::vfp::square_sum8(values, blocks);
            for (std::size_t k = 8 * blocks; k < n; ++k) sum += values[k] * values[k];
            // Both non-negative (or NaN, whose bits lie above every finite value).
            if (bits::of(sum) <= bits::of(half_square_bound)) return true;
        }
#else
        (void)half_square_bound;
#endif
        // Without branching: about 4 instructions a value.
        std::uint32_t over = 0;
        for (; i < n; ++i) {
            over |= static_cast<std::uint32_t>(static_cast<std::int32_t>(bits::of(values[i]) & bits::magnitude_mask) >
                                               bound_bits);
        }
        return over == 0;
#endif
    } else if constexpr (bits::available) {
        (void)half_square_bound;
        const auto bound_bits = bits::of(bound) & bits::magnitude_mask;
        bool over = false;
        for (std::size_t i = 0; i < n; ++i) over |= (bits::of(values[i]) & bits::magnitude_mask) > bound_bits;
        return !over;
    } else {
        (void)half_square_bound;
        for (std::size_t i = 0; i < n; ++i) {
            if (!scalar_ops<T>::is_finite(values[i]) || scalar_ops<T>::abs(values[i]) > bound) return false;
        }
        return true;
    }
}

namespace detail {
/// min(bound^2 / 2, largest finite T) for all_within.
template <class T>
T half_square_bound(T bound)
{
    const T largest = std::numeric_limits<T>::max();
    return bound <= T(1e18) ? T(0.5) * bound * bound : largest;
}
}  // namespace detail

/// all_within with the square bound computed here.
template <class T>
MICROPROP_ALWAYS_INLINE bool all_within(const T* values, std::size_t n, T bound)
{
    return all_within(values, n, bound, detail::half_square_bound(bound));
}

/// True when none of the n values is NaN or infinite (bit tests: holds under -ffast-math).
template <class T>
MICROPROP_ALWAYS_INLINE bool all_finite(const T* values, std::size_t n)
{
    return all_within(values, n, std::numeric_limits<T>::max(), std::numeric_limits<T>::max());
}

}  // namespace microprop

#endif
