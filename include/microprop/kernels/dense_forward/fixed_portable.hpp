// q3_12 dot product, portable C++ (select_fixed.hpp picks it where there is no assembly).
#include "../select_fixed.hpp"  // first: the choice of inner loop
#ifndef MICROPROP_KERNELS_DENSE_FORWARD_FIXED_PORTABLE_HPP
#define MICROPROP_KERNELS_DENSE_FORWARD_FIXED_PORTABLE_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

// Compiled where select_fixed.hpp chose this loop.
#if MICROPROP_FIXED_DOT_LOOP == 0

namespace microprop::kernels::fixed {

/// acc + sum_i w_i x_i, exact (products are at most 2^30 in magnitude).
MICROPROP_ALWAYS_INLINE exact_sum dot_exact(const q3_12* w, const q3_12* x, std::size_t n, exact_sum acc)
{
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        acc += std::int32_t(w[i].raw) * x[i].raw;
        acc += std::int32_t(w[i + 1].raw) * x[i + 1].raw;
        acc += std::int32_t(w[i + 2].raw) * x[i + 2].raw;
        acc += std::int32_t(w[i + 3].raw) * x[i + 3].raw;
    }
    // The tail counts n % 4 steps, which keeps GCC 12's -Waggressive-loop-optimizations quiet.
    for (std::size_t left = n % 4; left > 0; --left, ++i) acc += std::int32_t(w[i].raw) * x[i].raw;
    return acc;
}

}  // namespace microprop::kernels::fixed

#endif

#endif
