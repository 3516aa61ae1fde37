// q3_12 dot product on cores with the DSP extension (Cortex-M4, M7, M33, M55): SMLALD inline
// assembly, two products per instruction.
#include "../select_fixed.hpp"  // first: the choice of inner loop
#ifndef MICROPROP_KERNELS_DENSE_FORWARD_FIXED_DSP_HPP
#define MICROPROP_KERNELS_DENSE_FORWARD_FIXED_DSP_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

// Compiled where select_fixed.hpp chose this loop.
#if MICROPROP_FIXED_DOT_LOOP == 4

namespace microprop::kernels::fixed {

/// acc + sum_i w_i x_i, exact (products are at most 2^30 in magnitude): the same 64-bit sum
/// as the SMLAL loop (fixed_m3.hpp), bit for bit.
MICROPROP_ALWAYS_INLINE exact_sum dot_exact(const q3_12* w, const q3_12* x, std::size_t n, exact_sum acc)
{
    // SMLALD adds the two 16 x 16 products of a word of two weights and a word of two inputs
    // to the 64-bit sum: 1.5 instructions a product, against 3.5 for SMLAL. A row of odd
    // length leaves the next row at an odd halfword: LDR takes unaligned words on these cores
    // (LDRD and LDM would fault), so every load is a single LDR.
    std::size_t i = n & ~std::size_t(3);
    if (i > 0) {
        std::uint32_t lo = static_cast<std::uint32_t>(static_cast<std::uint64_t>(acc));
        std::int32_t hi = static_cast<std::int32_t>(acc >> 32);
        const q3_12* wp = w;
        const q3_12* xp = x;
        const q3_12* w_end = w + i;
        std::int32_t a, b, c, d;
        __asm volatile(
            "1:\n\t"
            "ldr %[a], [%[w]], #4\n\t"
            "ldr %[b], [%[x]], #4\n\t"
            "ldr %[c], [%[w]], #4\n\t"
            "ldr %[d], [%[x]], #4\n\t"
            "smlald %[lo], %[hi], %[a], %[b]\n\t"
            "smlald %[lo], %[hi], %[c], %[d]\n\t"
            "cmp %[w], %[end]\n\t"
            "bne 1b\n\t"
            : [lo] "+r"(lo), [hi] "+r"(hi), [w] "+r"(wp), [x] "+r"(xp), [a] "=&r"(a), [b] "=&r"(b), [c] "=&r"(c),
              [d] "=&r"(d)
            : [end] "r"(w_end)
            : "cc", "memory");
        acc = static_cast<std::int64_t>(hi) * 4294967296LL + static_cast<std::int64_t>(lo);
    }
    for (std::size_t left = n % 4; left > 0; --left, ++i) acc += std::int32_t(w[i].raw) * x[i].raw;
    return acc;
}

}  // namespace microprop::kernels::fixed

#endif

#endif
