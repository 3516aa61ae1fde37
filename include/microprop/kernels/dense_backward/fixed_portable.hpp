// One column of W^T delta for q3_12, portable C++ (everywhere but Thumb-1).
#include "../select_fixed.hpp"  // first: the choice of inner loop
#ifndef MICROPROP_KERNELS_DENSE_BACKWARD_FIXED_PORTABLE_HPP
#define MICROPROP_KERNELS_DENSE_BACKWARD_FIXED_PORTABLE_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

// Compiled where select_fixed.hpp chose this loop.
#if MICROPROP_FIXED_COLUMN_LOOP == 0

namespace microprop::kernels::fixed {

/// On Thumb-1 the same V-flag loop as dot_exact (9 instructions a product instead of 17).
MICROPROP_ALWAYS_INLINE exact_sum column_dot_exact(const q3_12* w, std::size_t stride, const q3_12* delta,
                                                   std::size_t n, exact_sum acc)
{
    for (std::size_t j = 0; j < n; ++j) acc += std::int32_t(w[j * stride].raw) * delta[j].raw;
    return acc;
}

}  // namespace microprop::kernels::fixed

#endif

#endif
