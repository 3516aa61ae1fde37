// An inline single-precision e^x (and tanh and log, further down) for targets whose C
// library computes them slowly or out of line (every call clobbers the caller's FPU
// registers).
//
// Cody-Waite range reduction x = n ln2 + r, |r| <= ln2/2, a degree-7 Taylor
// polynomial for e^r (truncation error below 0.05 ulp), 1 + r summed with its
// rounding error carried, and an exponent add. Measured error against a
// double-precision e^x over every float in [-120, 100]: at most 0.84 ulp,
// subnormal results included, and exactly 0 / +inf where e^x rounds to them
// (tests/bench/expf_accuracy.cpp).
#ifndef MICROPROP_KERNELS_COMMON_EXP_FLOAT_HPP
#define MICROPROP_KERNELS_COMMON_EXP_FLOAT_HPP

#include <cmath>
#include <cstdint>
#include <cstring>

namespace microprop::kernels {

namespace detail {

/// q(r) = (e^r - 1 - r) / r^2 for |r| <= ln2/2: degree-5 Taylor polynomial (the
/// truncation error of e^r = 1 + r + r^2 q stays below 0.05 ulp).
inline float exp_tail(float r)
{
    float q = 1.0f / 5040.0f;
    q = q * r + 1.0f / 720.0f;
    q = q * r + 1.0f / 120.0f;
    q = q * r + 1.0f / 24.0f;
    q = q * r + 1.0f / 6.0f;
    return q * r + 0.5f;
}

/// The Cody-Waite reduction of every e^x in the library (scalar here, vector in common/simd_exp.hpp).
namespace exp_constants {
constexpr float shifter = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer
constexpr float log2e = 1.44269502162933349609375f;
constexpr float ln2_hi = 0.693145751953125f;  // 16 significant bits: n * ln2_hi is exact
constexpr float ln2_lo = 1.428606765330187045e-06f;
}  // namespace exp_constants

/// e^x = p 2^n with p in [0.7, 1.42]; valid for |x| <= 104.
inline float exp_mantissa(float x, std::int32_t& n_out)
{
    using namespace exp_constants;
    const float t = x * log2e + shifter;
    const float n = t - shifter;
    std::int32_t t_bits;
    std::memcpy(&t_bits, &t, sizeof t_bits);
    n_out = t_bits - 0x4B400000;  // bits of the shifter
    float r = x - n * ln2_hi;
    r = r - n * ln2_lo;
    // e^r = 1 + r + r^2 q(r) with q = (e^r - 1 - r) / r^2; 1 + r is summed with its
    // rounding error carried (Fast2Sum, |r| < 1), so the result is rounded about once.
    const float q = exp_tail(r);
    const float s = 1.0f + r;
    const float s_error = (1.0f - s) + r;
    return s + (s_error + (r * r) * q);
}

inline float scale_by_power_of_two(float p, std::int32_t n)
{
    std::int32_t p_bits;
    std::memcpy(&p_bits, &p, sizeof p_bits);
    p_bits += static_cast<std::int32_t>(static_cast<std::uint32_t>(n) << 23);
    std::memcpy(&p, &p_bits, sizeof p);
    return p;
}

}  // namespace detail

namespace detail {
/// e^x outside (-86, 88): +inf, 0, NaN or a subnormal/near-overflow result scaled in two steps.
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
inline float exp_edge(float x)
{
    if (!(x < 88.7228394f)) return x * 3.40282347e+38f;  // +inf; a NaN stays NaN
    if (!(x >= -103.972084f)) return 0.0f;                // e^x rounds to 0
    std::int32_t n;
    const float p = exp_mantissa(x, n);
    // 2^n as 2^h * 2^(n-h), both normal for n in [-150, 128], so one rounding at most.
    const std::int32_t h = n / 2;
    float scale;
    const std::int32_t scale_bits = (n - h + 127) << 23;
    std::memcpy(&scale, &scale_bits, sizeof scale);
    return scale_by_power_of_two(p, h) * scale;
}
}  // namespace detail

namespace detail {
/// e^r - 1 for |r| <= ln2/2 without cancellation: r + r^2 q(r).
inline float expm1_reduced(float r) { return r + (r * r) * exp_tail(r); }
}  // namespace detail

/// e^x for every float x, with no libm call: overflow gives +inf, results below FLT_MIN
/// round once as subnormals, NaN propagates.
inline float exp_inline(float x)
{
    if (!(x > -86.0f && x < 88.0f)) return detail::exp_edge(x);
    std::int32_t n;
    const float p = detail::exp_mantissa(x, n);
    return detail::scale_by_power_of_two(p, n);
}

/// e^x for x <= 0 (as softmax needs after subtracting the maximum), subnormal results
/// included, with no call out of line. NaN propagates; x > 0 is outside its domain.
inline float exp_nonpositive(float x)
{
    if (!(x >= -103.972084f)) return x != x ? x : 0.0f;  // below: e^x rounds to 0
    std::int32_t n;
    const float p = detail::exp_mantissa(x, n);
    // Scaled in two steps so that results below FLT_MIN round once, as subnormals.
    return detail::scale_by_power_of_two(p, n + 24) * 5.9604644775390625e-08f;
}

/// tanh x = m / (m + 2) with m = e^(2|x|) - 1, the sign restored, with no libm call
/// (tanhf brings expm1f along). m comes from expm1_reduced below 2|x| = ln2/2, so small
/// arguments keep their relative accuracy; |x| >= 9 gives +-1 (tanh 9 rounds to 1).
/// Measured against double tanh over 400k floats in [-12, 12]: at most 2.7 ulp, near
/// |x| = 0.18 where e^(2|x|) - 1 starts to cancel (tests/unit/test_scalar_math.cpp).
inline float tanh_inline(float x)
{
    const float a = x < 0.0f ? -x : x;
    float t;
    if (!(a < 9.0f)) {
        t = a == a ? 1.0f : a;  // NaN stays NaN
    } else {
        const float two_a = 2.0f * a;
        const float m = two_a < 0.34657359f ? detail::expm1_reduced(two_a) : exp_inline(two_a) - 1.0f;
        t = m / (m + 2.0f);
    }
    return x < 0.0f ? -t : t;
}

namespace detail {
/// log x for a positive normal float x: x = 2^k m with m in [sqrt(1/2), sqrt(2)),
/// log m = log((1 + s) / (1 - s)) with s = (m - 1) / (m + 1), an odd polynomial in s whose
/// error is below 2^-34 (the FreeBSD/musl logf reduction and coefficients), then k ln 2
/// added in two parts.
inline float log_normal(float x)
{
    constexpr float ln2_hi = 6.9313812256e-01f;  // 0x3f317180: k * ln2_hi is exact
    constexpr float ln2_lo = 9.0580006145e-06f;
    constexpr float lg1 = 0.66666662693f, lg2 = 0.40000972152f, lg3 = 0.28498786688f, lg4 = 0.24279078841f;
    std::uint32_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    // Exponent of x / sqrt(1/2) (bits of sqrt(1/2): 0x3f3504f3), mantissa moved into
    // [sqrt(1/2), sqrt(2)).
    bits += 0x3f800000u - 0x3f3504f3u;
    const auto k = static_cast<std::int32_t>(bits >> 23) - 0x7f;
    bits = (bits & 0x007fffffu) + 0x3f3504f3u;
    float m;
    std::memcpy(&m, &bits, sizeof m);
    const float f = m - 1.0f;
    const float s = f / (2.0f + f);
    const float z = s * s;
    const float w = z * z;
    const float r = z * (lg1 + w * lg3) + w * (lg2 + w * lg4);
    const float half_f2 = 0.5f * f * f;
    const float dk = static_cast<float>(k);
    return s * (half_f2 + r) + dk * ln2_lo - half_f2 + f + dk * ln2_hi;
}

/// log x for x that is not a positive normal float: -inf at 0, NaN below 0 and for NaN,
/// +inf at +inf, and subnormals scaled into the normal range first.
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
inline float log_edge(float x)
{
    if (x != x || x < 0.0f) return (x - x) / (x - x);  // NaN (a NaN argument stays NaN)
    if (x == 0.0f) return -1.0f / (x * x);              // -inf
    if (x > 3.40282347e+38f) return x;                  // +inf
    // Subnormal: 2^25 x is normal.
    return log_normal(x * 33554432.0f) - 25.0f * 0.693147180559945309f;
}
}  // namespace detail

/// Natural logarithm for every float, with no libm call (detail::log_normal). Measured
/// against double log over every seventh float, subnormals included: at most 0.84 ulp
/// (tests/unit/test_scalar_math.cpp checks below 1 ulp).
inline float log_inline(float x)
{
    if (!(x >= 1.17549435e-38f && x <= 3.40282347e+38f)) return detail::log_edge(x);
    return detail::log_normal(x);
}

}  // namespace microprop::kernels

namespace microprop::kernels::fast {


/// e^x as the fast kernels compute it.
inline float exp_float(float x)
{
#if defined(__arm__)
    return exp_inline(x);
#else
    return std::exp(x);
#endif
}
/// e^x for x <= 0 (softmax after subtracting the maximum).
inline float exp_nonpositive_float(float x)
{
#if defined(__arm__)
    return exp_nonpositive(x);
#else
    return std::exp(x);
#endif
}

}  // namespace microprop::kernels::fast

#endif
