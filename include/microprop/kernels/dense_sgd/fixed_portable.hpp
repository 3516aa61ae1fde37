// The per-sample SGD row update for q3_12, portable C++.
#include "../select_fixed.hpp"  // first: the choice of inner loop
#ifndef MICROPROP_KERNELS_DENSE_SGD_FIXED_PORTABLE_HPP
#define MICROPROP_KERNELS_DENSE_SGD_FIXED_PORTABLE_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

// Compiled where select_fixed.hpp chose this loop.
#if MICROPROP_FIXED_ROW_UPDATE_LOOP == 0

namespace microprop::kernels::fixed {

/// w_i <- saturate(w_i - floor((s x_i + r) / 2^16)) for i < n, with |s| <= 2^15 and
/// 0 <= r < 2^16 (so s x_i + r never overflows 32 bits). Every clamped weight is counted.
MICROPROP_ALWAYS_INLINE void subtract_scaled_row(q3_12* MICROPROP_RESTRICT w, const q3_12* MICROPROP_RESTRICT x,
                                                 std::size_t n, std::int32_t s, std::int32_t r)
{
    for (std::size_t i = 0; i < n; ++i) w[i].raw = saturate16(w[i].raw - ((s * x[i].raw + r) >> 16));
}

}  // namespace microprop::kernels::fixed

#endif

#endif
