// The per-sample SGD row update for q3_12 on Thumb-1 cores (Cortex-M0/M0+/M23).
#include "../select_fixed.hpp"  // first: the choice of inner loop
#ifndef MICROPROP_KERNELS_DENSE_SGD_FIXED_M0_HPP
#define MICROPROP_KERNELS_DENSE_SGD_FIXED_M0_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

// Compiled where select_fixed.hpp chose this loop.
#if MICROPROP_FIXED_ROW_UPDATE_LOOP == 1

namespace microprop::kernels::fixed {

/// w_i <- saturate(w_i - floor((s x_i + r) / 2^16)) for i < n, with |s| <= 2^15 and
/// 0 <= r < 2^16 (so s x_i + r never overflows 32 bits). Every clamped weight is counted.
///
/// On Thumb-1 an exit from the loop on the rare clamped weight, 10.5 instructions a weight.
MICROPROP_ALWAYS_INLINE void subtract_scaled_row(q3_12* MICROPROP_RESTRICT w, const q3_12* MICROPROP_RESTRICT x,
                                                 std::size_t n, std::int32_t s, std::int32_t r)
{
    // w - floor((s x + r) / 2^16) = floor((w 2^16 + c - s x) / 2^16) with c = 2^16 - 1 - r: the
    // subtraction's V flag says whether the new weight leaves the 16-bit range, and the loop
    // stops there (offset at that weight, which is then clamped and counted in C++).
    const std::int32_t c = 65535 - r;
    std::int32_t offset = -static_cast<std::int32_t>(2 * n);
    q3_12* w_end = w + n;
    const q3_12* x_end = x + n;
#define MICROPROP_FIXED_V_UPDATE           \
    "ldrsh %[n], [%[xe], %[i]]\n\t"       \
    "muls %[n], %[s], %[n]\n\t"           \
    "ldrsh %[v], [%[we], %[i]]\n\t"       \
    "lsls %[v], %[v], #16\n\t"            \
    "adds %[v], %[v], %[c]\n\t"           \
    "subs %[v], %[v], %[n]\n\t"           \
    "bvs 2f\n\t"                          \
    "asrs %[v], %[v], #16\n\t"            \
    "strh %[v], [%[we], %[i]]\n\t"        \
    "adds %[i], %[i], #2\n\t"
    while (offset != 0) {
        if ((offset & 2) != 0) {  // an odd count left: one weight here, pairs below
            q3_12& last = w_end[offset / 2];
            last.raw = saturate16(last.raw - ((s * x_end[offset / 2].raw + r) >> 16));
            offset += 2;
            continue;
        }
        std::int32_t product, value;
        __asm volatile(
            ".syntax unified\n"
            "1:\n\t"
            MICROPROP_FIXED_V_UPDATE MICROPROP_FIXED_V_UPDATE
            "bne 1b\n"
            "2:\n\t"
            MICROPROP_FIXED_ASM_SYNTAX_RESTORE
            : [i] "+l"(offset), [n] "=&l"(product), [v] "=&l"(value)
            : [we] "l"(w_end), [xe] "l"(x_end), [s] "l"(s), [c] "l"(c)
            : "cc", "memory");
        if (offset == 0) break;
        q3_12& clamped = w_end[offset / 2];  // unchanged by the loop: clamp and count it here
        clamped.raw = saturate16(clamped.raw - ((s * x_end[offset / 2].raw + r) >> 16));
        offset += 2;
    }
#undef MICROPROP_FIXED_V_UPDATE
}

}  // namespace microprop::kernels::fixed

#endif

#endif
