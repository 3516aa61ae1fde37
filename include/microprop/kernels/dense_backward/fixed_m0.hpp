// One column of W^T delta for q3_12 on Thumb-1 cores (Cortex-M0/M0+/M23): inline assembly.
#include "../select_fixed.hpp"  // first: the choice of inner loop
#ifndef MICROPROP_KERNELS_DENSE_BACKWARD_FIXED_M0_HPP
#define MICROPROP_KERNELS_DENSE_BACKWARD_FIXED_M0_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

// Compiled where select_fixed.hpp chose this loop.
#if MICROPROP_FIXED_COLUMN_LOOP == 1

namespace microprop::kernels::fixed {

/// acc + sum_j w[j * stride] delta_j for j < n, exact: one column of W^T delta.
/// On Thumb-1 the same V-flag loop as dot_exact (9 instructions a product instead of 17).
MICROPROP_ALWAYS_INLINE exact_sum column_dot_exact(const q3_12* w, std::size_t stride, const q3_12* delta,
                                                   std::size_t n, exact_sum acc)
{
    if (n > 0) {
        std::int32_t lo = acc.lo;
        std::int32_t hi = acc.hi;
        std::int32_t offset = -static_cast<std::int32_t>(2 * n);
        const q3_12* delta_end = delta + n;
        const q3_12* column = w;
        const std::uint32_t stride_bytes = static_cast<std::uint32_t>(2 * stride);
        std::int32_t product, other;
        __asm volatile(
            ".syntax unified\n"
            "1:\n\t"
            "ldrh %[p], [%[w]]\n\t"
            "sxth %[p], %[p]\n\t"
            "add %[w], %[stride]\n\t"
            "ldrsh %[q], [%[de], %[i]]\n\t"
            "muls %[p], %[q], %[p]\n\t"
            "adds %[lo], %[lo], %[p]\n\t"
            "bvs 3f\n"
            "2:\n\t"
            "adds %[i], %[i], #2\n\t"
            "bne 1b\n\t"
            "b 4f\n"
            "3:\n\t"  // the sum wrapped: +1 (product > 0) or -1 (product < 0) into the high word
            "asrs %[p], %[p], #31\n\t"
            "lsls %[p], %[p], #1\n\t"
            "adds %[p], %[p], #1\n\t"
            "adds %[hi], %[hi], %[p]\n\t"
            "b 2b\n"
            "4:\n\t"
            MICROPROP_FIXED_ASM_SYNTAX_RESTORE
            : [lo] "+l"(lo), [hi] "+l"(hi), [i] "+l"(offset), [w] "+l"(column), [p] "=&l"(product),
              [q] "=&l"(other)
            : [de] "l"(delta_end), [stride] "h"(stride_bytes)
            : "cc", "memory");
        acc = exact_sum{lo, hi};
    }
    return acc;
}

}  // namespace microprop::kernels::fixed

#endif

#endif
