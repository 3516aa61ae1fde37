// q3_12 dot product on Thumb-2 cores (Cortex-M3 and up): SMLAL inline assembly.
#include "../select_fixed.hpp"  // first: the choice of inner loop
#ifndef MICROPROP_KERNELS_DENSE_FORWARD_FIXED_M3_HPP
#define MICROPROP_KERNELS_DENSE_FORWARD_FIXED_M3_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

// Compiled where select_fixed.hpp chose this loop.
#if MICROPROP_FIXED_DOT_LOOP == 3

namespace microprop::kernels::fixed {

/// acc + sum_i w_i x_i, exact (products are at most 2^30 in magnitude).
/// On Thumb-2 cores the 64-bit sum stays in two registers through SMLAL.
MICROPROP_ALWAYS_INLINE exact_sum dot_exact(const q3_12* w, const q3_12* x, std::size_t n, exact_sum acc)
{
    // SMLAL with post-incremented loads, four products a turn: 3.5 instructions a product
    // (GCC's unrolled loop: 3.75).
    std::size_t i = n & ~std::size_t(3);
    if (i > 0) {
        std::uint32_t lo = static_cast<std::uint32_t>(static_cast<std::uint64_t>(acc));
        std::int32_t hi = static_cast<std::int32_t>(acc >> 32);
        const q3_12* wp = w;
        const q3_12* xp = x;
        const q3_12* w_end = w + i;
        std::int32_t a, b;
#define MICROPROP_FIXED_SMLAL_STEP "ldrsh %[a], [%[w]], #2\n\tldrsh %[b], [%[x]], #2\n\tsmlal %[lo], %[hi], %[a], %[b]\n\t"
        __asm volatile(
            "1:\n\t"
            MICROPROP_FIXED_SMLAL_STEP MICROPROP_FIXED_SMLAL_STEP MICROPROP_FIXED_SMLAL_STEP MICROPROP_FIXED_SMLAL_STEP
            "cmp %[w], %[end]\n\t"
            "bne 1b\n\t"
            : [lo] "+r"(lo), [hi] "+r"(hi), [w] "+r"(wp), [x] "+r"(xp), [a] "=&r"(a), [b] "=&r"(b)
            : [end] "r"(w_end)
            : "cc", "memory");
#undef MICROPROP_FIXED_SMLAL_STEP
        acc = static_cast<std::int64_t>(hi) * 4294967296LL + static_cast<std::int64_t>(lo);
    }
    for (std::size_t left = n % 4; left > 0; --left, ++i) acc += std::int32_t(w[i].raw) * x[i].raw;
    return acc;
}

}  // namespace microprop::kernels::fixed

#endif

#endif
