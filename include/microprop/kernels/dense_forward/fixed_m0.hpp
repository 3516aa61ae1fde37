// q3_12 dot product on Thumb-1 cores (Cortex-M0/M0+/M23 baseline): inline assembly.
#include "../select_fixed.hpp"  // first: the choice of inner loop
#ifndef MICROPROP_KERNELS_DENSE_FORWARD_FIXED_M0_HPP
#define MICROPROP_KERNELS_DENSE_FORWARD_FIXED_M0_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

// Compiled where select_fixed.hpp chose this loop.
#if MICROPROP_FIXED_DOT_LOOP == 1

namespace microprop::kernels::fixed {

/// acc + sum_i w_i x_i, exact (products are at most 2^30 in magnitude).
///
/// On Thumb-1 cores (Cortex-M0/M0+/M23 baseline) GCC keeps a 64-bit sum in spilled
/// registers (17 instructions a product, measured); the loop below keeps a 32-bit sum and
/// counts its signed overflows (the V flag after ADDS) into a high word: 6.25 instructions a
/// product with the same exact result. Elsewhere GCC's code is used (SMLAL on the M3).
MICROPROP_ALWAYS_INLINE exact_sum dot_exact(const q3_12* w, const q3_12* x, std::size_t n, exact_sum acc)
{
    const std::size_t quads = n / 4;
    if (quads > 0) {
        std::int32_t lo = acc.lo;
        std::int32_t hi = acc.hi;
        std::int32_t offset = -static_cast<std::int32_t>(8 * quads);
        const q3_12* w_end = w + 4 * quads;
        const q3_12* x_end = x + 4 * quads;
        std::int32_t product, other;
// One product added at offset `i` (then i += 2); a wrapped sum branches to wrap label L.
#define MICROPROP_FIXED_V_STEP(L)                      \
    "ldrsh %[p], [%[we], %[i]]\n\t"                    \
    "ldrsh %[q], [%[xe], %[i]]\n\t"                    \
    "muls %[p], %[q], %[p]\n\t"                        \
    "adds %[lo], %[lo], %[p]\n\t"                      \
    "bvs " #L "f\n"                                     \
    #L "0:\n\t"                                        \
    "adds %[i], %[i], #2\n\t"
// The sum wrapped: +1 (product > 0) or -1 (product < 0) into the high word, then back.
#define MICROPROP_FIXED_V_WRAP(L)                      \
    #L ":\n\t"                                         \
    "asrs %[p], %[p], #31\n\t"                         \
    "lsls %[p], %[p], #1\n\t"                          \
    "adds %[p], %[p], #1\n\t"                          \
    "adds %[hi], %[hi], %[p]\n\t"                      \
    "b " #L "0b\n"
        __asm volatile(
            ".syntax unified\n"
            "1:\n\t"
            MICROPROP_FIXED_V_STEP(2) MICROPROP_FIXED_V_STEP(3) MICROPROP_FIXED_V_STEP(4) MICROPROP_FIXED_V_STEP(5)
            "bne 1b\n\t"
            "b 6f\n"
            MICROPROP_FIXED_V_WRAP(2) MICROPROP_FIXED_V_WRAP(3) MICROPROP_FIXED_V_WRAP(4) MICROPROP_FIXED_V_WRAP(5)
            "6:\n\t"
            MICROPROP_FIXED_ASM_SYNTAX_RESTORE
            : [lo] "+l"(lo), [hi] "+l"(hi), [i] "+l"(offset), [p] "=&l"(product), [q] "=&l"(other)
            : [we] "l"(w_end), [xe] "l"(x_end)
            : "cc", "memory");
#undef MICROPROP_FIXED_V_STEP
#undef MICROPROP_FIXED_V_WRAP
        acc = exact_sum{lo, hi};
    }
    for (std::size_t i = 4 * quads; i < n; ++i) add_product(acc, std::int32_t(w[i].raw) * x[i].raw);
    return acc;
}

}  // namespace microprop::kernels::fixed

#endif

#endif
