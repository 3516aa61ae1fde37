// The exact sum of 32-bit products the q3_12 kernels accumulate into: 64 bits, or on Thumb-1
// (MICROPROP_FIXED_THUMB1, set by select_fixed.hpp) a pair of 32-bit words, since GCC would
// spill a 64-bit integer to the stack there.
#include "../select_fixed.hpp"  // first: MICROPROP_FIXED_THUMB1
#ifndef MICROPROP_KERNELS_COMMON_FIXED_EXACT_SUM_HPP
#define MICROPROP_KERNELS_COMMON_FIXED_EXACT_SUM_HPP

#include <cstdint>
#include "../../fixed_scalar.hpp"
#include "fixed_arith.hpp"

namespace microprop::kernels::fixed {

#if MICROPROP_FIXED_THUMB1
/// An exact sum as hi 2^32 + lo (lo signed: the sum fits 32 bits when hi == 0); on Thumb-1
/// GCC would spill a 64-bit integer to the stack.
struct exact_sum {
    std::int32_t lo;
    std::int32_t hi;
};
/// lo + hi 2^32 rounded to nearest into Q3.12 and saturated, on 32 bits.
MICROPROP_ALWAYS_INLINE std::int16_t narrow_exact(exact_sum sum)
{
    if (sum.hi != 0) return saturate16(sum.hi < 0 ? std::int32_t(-32769) : std::int32_t(32768));
    return saturate16((sum.lo >> microprop::fixed::fraction_bits) + ((sum.lo >> (microprop::fixed::fraction_bits - 1)) & 1));
}
/// The exact sum v.
MICROPROP_ALWAYS_INLINE exact_sum exact_sum_from(std::int32_t v) { return exact_sum{v, 0}; }
/// sum += product, the overflow of the low word carried into the high word.
MICROPROP_ALWAYS_INLINE void add_product(exact_sum& sum, std::int32_t product)
{
    if (__builtin_add_overflow(sum.lo, product, &sum.lo)) sum.hi += product < 0 ? -1 : 1;
}
#else
/// An exact sum of products: 64 bits (SMLAL's accumulator on Thumb-2).
using exact_sum = std::int64_t;
MICROPROP_ALWAYS_INLINE std::int16_t narrow_exact(exact_sum sum) { return narrow_product_sum(sum); }
MICROPROP_ALWAYS_INLINE exact_sum exact_sum_from(std::int32_t v) { return v; }
MICROPROP_ALWAYS_INLINE void add_product(exact_sum& sum, std::int32_t product) { sum += product; }
#endif

}  // namespace microprop::kernels::fixed

#endif
