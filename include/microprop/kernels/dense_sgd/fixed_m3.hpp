// The per-sample SGD row update for q3_12 on Thumb-2 cores with SSAT (Cortex-M3 and up).
#include "../select_fixed.hpp"  // first: the choice of inner loop
#ifndef MICROPROP_KERNELS_DENSE_SGD_FIXED_M3_HPP
#define MICROPROP_KERNELS_DENSE_SGD_FIXED_M3_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

// Compiled where select_fixed.hpp chose this loop.
#if MICROPROP_FIXED_ROW_UPDATE_LOOP == 3

namespace microprop::kernels::fixed {

/// w_i <- saturate(w_i - floor((s x_i + r) / 2^16)) for i < n, with |s| <= 2^15 and
/// 0 <= r < 2^16 (so s x_i + r never overflows 32 bits). Every clamped weight is counted.
///
/// On the M3 (SSAT, which sets the sticky Q flag) the loop clamps without testing each weight,
/// 6.5 instructions a weight; a row whose Q flag came up is then counted as the number of its
/// weights at a range end (the clamped ones, and any that landed there exactly).
MICROPROP_ALWAYS_INLINE void subtract_scaled_row(q3_12* MICROPROP_RESTRICT w, const q3_12* MICROPROP_RESTRICT x,
                                                 std::size_t n, std::int32_t s, std::int32_t r)
{
// One weight: w <- ssat16(w - ((s x + r) >> 16)), x and w post-incremented.
#define MICROPROP_FIXED_SSAT_STEP                  \
    "ldrsh %[a], [%[x]], #2\n\t"                  \
    "ldrsh %[b], [%[w]]\n\t"                      \
    "mla %[a], %[s], %[a], %[r]\n\t"              \
    "sub %[b], %[b], %[a], asr #16\n\t"           \
    "ssat %[b], #16, %[b]\n\t"                    \
    "strh %[b], [%[w]], #2\n\t"
    const std::size_t blocks = n & ~std::size_t(3);
    std::size_t i = blocks;
    if (blocks > 0) {
        q3_12* w_blocks_end = w + blocks;
        q3_12* wp = w;
        const q3_12* xp = x;
        std::int32_t a, b;
        std::uint32_t flags;
        __asm volatile(
            "mrs %[a], APSR\n\t"
            "bic %[a], %[a], #0x08000000\n\t"  // clear Q
            "msr APSR_nzcvq, %[a]\n"
            "1:\n\t"
            MICROPROP_FIXED_SSAT_STEP MICROPROP_FIXED_SSAT_STEP MICROPROP_FIXED_SSAT_STEP MICROPROP_FIXED_SSAT_STEP
            "cmp %[w], %[end]\n\t"
            "bne 1b\n\t"
            "mrs %[f], APSR\n\t"
            : [w] "+r"(wp), [x] "+r"(xp), [a] "=&r"(a), [b] "=&r"(b), [f] "=r"(flags)
            : [s] "r"(s), [r] "r"(r), [end] "r"(w_blocks_end)
            : "cc", "memory");
        if ((flags & 0x08000000u) != 0) {
            for (std::size_t k = 0; k < blocks; ++k) {
                if (w[k].raw == 32767 || w[k].raw == -32768) ++microprop::detail::fixed_saturations;
            }
        }
    }
#undef MICROPROP_FIXED_SSAT_STEP
    for (; i < n; ++i) w[i].raw = saturate16(w[i].raw - ((s * x[i].raw + r) >> 16));
}

}  // namespace microprop::kernels::fixed

#endif

#endif
