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

#include "kernels/expf.hpp"
#include "config.hpp"
#include "kernels/simd.hpp"
#if MICROPROP_KERNELS_VFP
#include "kernels/cortex_m_vfp.hpp"
#endif

namespace microprop {

/// The math a scalar type needs (std:: functions); scalar_ops<float> replaces some with
/// the library's own fast, bit-reproducible versions (kernels/expf.hpp).
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
    /// True for every value that is neither NaN nor infinite. Written without
    /// std::isfinite so that -ffast-math builds cannot fold it away.
    static bool is_finite(T x)
    {
        const T magnitude = abs(x);
        return magnitude <= std::numeric_limits<T>::max();
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
/// On Arm, float e^x, tanh and log run inline (kernels/expf.hpp: <= 0.84, <= 2.7 and < 1
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

/// True when none of the n values is NaN or infinite.
template <class T>
MICROPROP_ALWAYS_INLINE bool all_finite(const T* values, std::size_t n)
{
    if constexpr (std::is_same_v<T, float> && std::numeric_limits<float>::is_iec559) {
#if MICROPROP_KERNELS_SIMD
        return kernels::simd_dispatch::all_finite(values, n);
#else
        std::size_t i = 0;
        bool finite = true;
#if MICROPROP_KERNELS_VFP
        // Eight values per VLDM and one VFMA each, instead of a load and three integer
        // operations: about 1.4 instructions a value.
        if (n >= 8) {
            const std::size_t blocks = n / 8;
            finite = kernels::vfp::finite_probe8(values, blocks) == 0.0f;
            i = 8 * blocks;
        }
#endif
        // The rest (everywhere else: all of it) tests the exponent bits without branching,
        // about 4 instructions a value instead of 10.
        constexpr std::uint32_t exponent = 0x7f800000u;
        std::uint32_t any_special = 0;
        for (; i < n; ++i) {
            std::uint32_t bits;
            std::memcpy(&bits, values + i, sizeof bits);
            any_special |= static_cast<std::uint32_t>((bits & exponent) == exponent);
        }
        return finite && any_special == 0;
#endif
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            if (!scalar_ops<T>::is_finite(values[i])) return false;
        }
        return true;
    }
}

}  // namespace microprop

#endif
