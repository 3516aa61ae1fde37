// Integer sigmoid, tanh, e^x and log for Q3.12 values (fixed_scalar.hpp).
//
// Each function is a small table with linear interpolation; the tables are
// computed at compile time (constexpr series), so no generated file is needed.
// Maximum errors, measured over every Q3.12 input by tests/unit/test_fixed_point.cpp
// against <cmath> in double:
//   sigmoid <= 2 steps of 1/4096 (table of sigma(k/8), 65 entries, 130 B)
//   tanh    <= 3 steps (2 sigma(2u) - 1 from the same table)
//   e^x for x <= 0, as Q16: half a unit + relative error <= 5e-4 (table of 2^(k/32), 33 entries)
//   log     <= 2 steps (table of log2(1 + k/32), 33 entries)
#ifndef MICROPROP_KERNELS_COMMON_FIXED_MATH_HPP
#define MICROPROP_KERNELS_COMMON_FIXED_MATH_HPP

#include <array>
#include <cstddef>
#include <cstdint>

namespace microprop::fixed::math {

namespace detail {
/// e^x for |x| <= 8 in double at compile time: (e^(x/16))^16 by Taylor series.
constexpr double exp_series(double x)
{
    const double y = x / 16.0;
    double term = 1.0, sum = 1.0;
    for (int k = 1; k < 25; ++k) {
        term *= y / k;
        sum += term;
    }
    for (int k = 0; k < 4; ++k) sum *= sum;
    return sum;
}
/// ln(x) for x in [1, 2] at compile time: 2 atanh((x - 1) / (x + 1)).
constexpr double log_series(double x)
{
    const double t = (x - 1.0) / (x + 1.0);
    double power = t, sum = 0.0;
    for (int k = 1; k < 60; k += 2) {
        sum += power / k;
        power *= t * t;
    }
    return 2.0 * sum;
}
constexpr std::int32_t round_to_int(double v) { return static_cast<std::int32_t>(v < 0 ? v - 0.5 : v + 0.5); }

constexpr std::array<std::uint16_t, 65> make_sigmoid_table()
{
    std::array<std::uint16_t, 65> t{};
    for (int k = 0; k <= 64; ++k) {
        t[static_cast<std::size_t>(k)] =
            static_cast<std::uint16_t>(round_to_int(32768.0 / (1.0 + exp_series(-k / 8.0))));
    }
    return t;
}
constexpr std::array<std::uint32_t, 33> make_exp2_table()
{
    std::array<std::uint32_t, 33> t{};
    constexpr double ln2 = 0.69314718055994530942;
    for (int k = 0; k <= 32; ++k) {
        t[static_cast<std::size_t>(k)] = static_cast<std::uint32_t>(round_to_int(65536.0 * exp_series(ln2 * k / 32.0)));
    }
    return t;
}
constexpr std::array<std::uint32_t, 33> make_log2_table()
{
    std::array<std::uint32_t, 33> t{};
    constexpr double ln2 = 0.69314718055994530942;
    for (int k = 0; k <= 32; ++k) {
        t[static_cast<std::size_t>(k)] = static_cast<std::uint32_t>(round_to_int(65536.0 * log_series(1.0 + k / 32.0) / ln2));
    }
    return t;
}
}  // namespace detail

/// sigma(k / 8) in Q0.15, k = 0..64.
inline constexpr std::array<std::uint16_t, 65> sigmoid_table = detail::make_sigmoid_table();
/// 2^(k / 32) in Q16, k = 0..32.
inline constexpr std::array<std::uint32_t, 33> exp2_table = detail::make_exp2_table();
/// log2(1 + k / 32) in Q16, k = 0..32.
inline constexpr std::array<std::uint32_t, 33> log2_table = detail::make_log2_table();

/// sigma(a / 4096) in Q0.15 for 0 <= a <= 32767.
inline std::int32_t sigmoid_q15_nonnegative(std::int32_t a)
{
    const std::int32_t k = a >> 9;
    const std::int32_t f = a & 511;
    const std::int32_t lo = sigmoid_table[static_cast<std::size_t>(k)];
    const std::int32_t hi = sigmoid_table[static_cast<std::size_t>(k) + 1];
    return lo + (((hi - lo) * f + 256) >> 9);
}

/// sigma(u) for a raw Q3.12 u, as raw Q3.12 (in [0, 4096]).
inline std::int32_t sigmoid_raw(std::int32_t u)
{
    const std::int32_t a = u < 0 ? -u : u;
    const std::int32_t s = (sigmoid_q15_nonnegative(a > 32767 ? 32767 : a) + 4) >> 3;
    return u < 0 ? 4096 - s : s;
}

/// tanh(u) = 2 sigma(2u) - 1 for a raw Q3.12 u, as raw Q3.12 (in [-4096, 4096]).
inline std::int32_t tanh_raw(std::int32_t u)
{
    std::int32_t a = u < 0 ? -u : u;
    a = a > 16383 ? 32767 : 2 * a;
    const std::int32_t t = (2 * sigmoid_q15_nonnegative(a) - 32768 + 4) >> 3;
    return u < 0 ? -t : t;
}

/// e^v in Q16 for a raw Q3.12 v <= 0 with v >= -65536 (e^-16 and below underflow to
/// at most a few units). Used by softmax on u - max(u).
inline std::uint32_t exp_nonpositive_q16(std::int32_t v)
{
    // t = v log2(e) in Q12 (log2(e) = 23637 / 2^14); e^v = 2^t = 2^floor(t) 2^frac(t).
    const std::int32_t t = (v * 23637) >> 14;
    const std::int32_t whole = t >> 12;  // <= 0
    const std::int32_t frac = t - whole * 4096;
    const std::int32_t k = frac >> 7;
    const std::int32_t f = frac & 127;
    const std::uint32_t lo = exp2_table[static_cast<std::size_t>(k)];
    const std::uint32_t hi = exp2_table[static_cast<std::size_t>(k) + 1];
    const std::uint32_t mantissa = lo + (((hi - lo) * static_cast<std::uint32_t>(f) + 64u) >> 7);
    const std::int32_t shift = -whole;
    if (shift >= 31) return 0;
    if (shift == 0) return mantissa;
    return (mantissa + (1u << (shift - 1))) >> shift;
}

/// e^x for a raw Q3.12 x, as raw Q3.12 (saturates above ln 8 = 2.08; the caller counts).
inline std::int32_t exp_raw(std::int32_t x)
{
    if (x <= 0) return static_cast<std::int32_t>((exp_nonpositive_q16(x) + 8u) >> 4);
    if (x > 8518) return 32768;  // e^2.0796 = 8: out of range
    // e^x = e^(x - 8518) * 8 with x - 8518 <= 0; keeps the table path.
    return static_cast<std::int32_t>((exp_nonpositive_q16(x - 8518) * 8u + 8u) >> 4);
}

/// ln(y / 4096) as raw Q3.12 for a raw y in [1, 32767].
inline std::int32_t log_raw(std::int32_t y)
{
    std::int32_t p = 0;  // index of y's highest set bit
    for (std::int32_t v = y; v > 1; v >>= 1) ++p;
    const std::int32_t normalised = (y << (15 - p)) - 32768;  // mantissa - 1 in Q15
    const std::int32_t k = normalised >> 10;
    const std::int32_t f = normalised & 1023;
    const std::int32_t lo = static_cast<std::int32_t>(log2_table[static_cast<std::size_t>(k)]);
    const std::int32_t hi = static_cast<std::int32_t>(log2_table[static_cast<std::size_t>(k) + 1]);
    const std::int32_t log2_q16 = (p - 12) * 65536 + lo + (((hi - lo) * f + 512) >> 10);
    const std::int32_t log2_q12 = (log2_q16 + 8) >> 4;            // |.| <= 49152
    return (log2_q12 * 22713 + (1 << 14)) >> 15;                  // ln 2 = 22713 / 2^15
}

/// floor(sqrt(n)) of a non-negative 32-bit integer, bit by bit.
inline std::uint32_t integer_sqrt(std::uint32_t n)
{
    std::uint32_t root = 0;
    std::uint32_t bit = 1u << 30;
    while (bit > n) bit >>= 2;
    while (bit != 0) {
        if (n >= root + bit) {
            n -= root + bit;
            root = (root >> 1) + bit;
        } else {
            root >>= 1;
        }
        bit >>= 2;
    }
    return root;
}

}  // namespace microprop::fixed::math

#endif
