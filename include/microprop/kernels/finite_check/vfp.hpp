// The cheap pre-test of the finite-parameter check (scalar.hpp) on Cortex-M cores with a
// 32-register single-precision FPU.
#ifndef MICROPROP_KERNELS_FINITE_CHECK_VFP_HPP
#define MICROPROP_KERNELS_FINITE_CHECK_VFP_HPP

#include <cstddef>
#include <cstdint>
#include "../../config.hpp"

// Only where MICROPROP_KERNELS_VFP (config.hpp) holds: Clang checks the register names of
// asm clobber lists ("s0".."s31") even in functions never called, so the kernels must not be
// seen at all when the header is compiled on its own for another architecture.
#if MICROPROP_KERNELS_VFP

namespace microprop::kernels::vfp {

/// Sum of x * x over `blocks` blocks of 8 floats: finite and at most n b^2 when every value
/// has |x| <= b, NaN or infinite when a value is. One VLDM and eight VFMAs per block, four
/// sums: a cheap pre-test before the exact test of each magnitude.
inline float square_sum8(const float* p, std::size_t blocks)
{
    const float* const end = p + 8 * blocks;
    const std::uint32_t zero_bits = 0;
    float sum;
    __asm volatile(
        "vmov s8, %[zero]\n\t"
        "vmov s9, %[zero]\n\t"
        "vmov s10, %[zero]\n\t"
        "vmov s11, %[zero]\n\t"
        "1:\n\t"
        "vldmia %[p]!, {s0-s7}\n\t"
        "vfma.f32 s8, s0, s0\n\t"
        "vfma.f32 s9, s1, s1\n\t"
        "vfma.f32 s10, s2, s2\n\t"
        "vfma.f32 s11, s3, s3\n\t"
        "vfma.f32 s8, s4, s4\n\t"
        "vfma.f32 s9, s5, s5\n\t"
        "vfma.f32 s10, s6, s6\n\t"
        "vfma.f32 s11, s7, s7\n\t"
        "cmp %[p], %[end]\n\t"
        "bne 1b\n\t"
        "vadd.f32 s8, s8, s9\n\t"
        "vadd.f32 s10, s10, s11\n\t"
        "vadd.f32 %[sum], s8, s10\n\t"
        : [p] "+r"(p), [sum] "=t"(sum)
        : [zero] "r"(zero_bits), [end] "r"(end)
        : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "cc", "memory");
    return sum;
}

}  // namespace microprop::kernels::vfp

#endif  // MICROPROP_KERNELS_VFP

#endif
