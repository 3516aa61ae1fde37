// Softmax of contiguous float values on Cortex-M cores with a 32-register single-precision FPU:
// one asm block, the e^x polynomial's constants held in registers.
#ifndef MICROPROP_KERNELS_SOFTMAX_VFP_HPP
#define MICROPROP_KERNELS_SOFTMAX_VFP_HPP

#include <cstddef>
#include <cstdint>
#include "../../config.hpp"
#include "../common/vfp_asm.hpp"
#include "../softmax/portable.hpp"

// Only where MICROPROP_KERNELS_VFP (config.hpp) holds: Clang checks the register names of
// asm clobber lists ("s0".."s31") even in functions never called, so the kernels must not be
// seen at all when the header is compiled on its own for another architecture.
#if MICROPROP_KERNELS_VFP

namespace microprop::kernels::vfp {

/// Softmax of n >= 1 contiguous values in place, as activation::softmax_strided computes it
/// (maximum subtracted, e^x by exp_nonpositive of common/exp_float.hpp, times 1/sum), in one asm block
/// with the polynomial's constants held in registers. It rounds differently from exp_nonpositive
/// in three places, to save instructions: q(r) is evaluated in Estrin form
/// (c0 + c1 r) + r^2 ((c2 + c3 r) + r^2 (c4 + c5 r)); e^r = 1 + (r + r^2 q) with r + r^2 q from one
/// fused multiply-add (no Fast2Sum carry), so e^x is within 1.07 ulp instead of 0.84 (checked on
/// the host over every float in [-103, 0]); and the e^x are kept scaled by 2^24 (always normal)
/// until the final product with 2^-24 / sum, so a subnormal result is rounded once, not twice.
inline void softmax(float* z, std::size_t n)
{
    // k[1] is the shifter 1.5 * 2^23 plus 24: t's low bits then hold n + 24 directly, and
    // p 2^(n+24) is e^x 2^24.
    static const float k[15] = {1.44269502162933349609375f, 12582936.0f, 0.693145751953125f,
                                1.428606765330187045e-06f, 1.0f / 5040.0f, 1.0f / 720.0f, 1.0f / 120.0f,
                                1.0f / 24.0f, 1.0f / 6.0f, 0.5f, 1.0f, 5.9604644775390625e-08f,
                                -103.972084f, 0.0f, 0.0f};
    float* p;
    std::size_t c;
    std::uint32_t tn, tp;
    __asm volatile(
        "vldr s16, [%[z]]\n\t"
        "mov %[p], %[z]\n\t"
        "lsrs %[c], %[n], #1\n\t"
        "it cs\n\t"
        "addcs %[p], %[p], #4\n\t"
        "beq 9f\n\t"
        "1:\n\t"
        "vldmia %[p]!, {s0-s1}\n\t"
        "vcmp.f32 s0, s16\n\t"
        "vmrs APSR_nzcv, fpscr\n\t"
        "it gt\n\t"
        "vmovgt.f32 s16, s0\n\t"
        "vcmp.f32 s1, s16\n\t"
        "vmrs APSR_nzcv, fpscr\n\t"
        "it gt\n\t"
        "vmovgt.f32 s16, s1\n\t"
        "subs %[c], %[c], #1\n\t"
        "bne 1b\n\t"
        "9:\n\t"
        "vldmia %[k], {s17-s31}\n\t"
        "mov %[p], %[z]\n\t"
        "mov %[c], %[n]\n\t"
        "2:\n\t"
        "vldr s0, [%[p]]\n\t"
        "vsub.f32 s0, s0, s16\n\t"
        "vcmpe.f32 s0, s29\n\t"
        "vmrs APSR_nzcv, fpscr\n\t"
        "blt 5f\n\t"
        "vmov.f32 s1, s18\n\t"
        "vfma.f32 s1, s0, s17\n\t"
        "vsub.f32 s2, s1, s18\n\t"
        "vmov %[tn], s1\n\t"
        "vfms.f32 s0, s2, s19\n\t"
        "vfms.f32 s0, s2, s20\n\t"
        "vmul.f32 s7, s0, s0\n\t"
        "vmov.f32 s3, s22\n\t"
        "vfma.f32 s3, s0, s21\n\t"
        "vmov.f32 s4, s24\n\t"
        "vfma.f32 s4, s0, s23\n\t"
        "vmov.f32 s2, s26\n\t"
        "vfma.f32 s2, s0, s25\n\t"
        "vfma.f32 s4, s7, s3\n\t"
        "vfma.f32 s2, s7, s4\n\t"
        "vfma.f32 s0, s7, s2\n\t"
        "vadd.f32 s5, s27, s0\n\t"
        "vmov %[tp], s5\n\t"
        "add %[tp], %[tp], %[tn], lsl #23\n\t"
        "vmov s5, %[tp]\n\t"
        "3:\n\t"
        "vstmia %[p]!, {s5}\n\t"
        "vadd.f32 s31, s31, s5\n\t"
        "subs %[c], %[c], #1\n\t"
        "bne 2b\n\t"
        "b 6f\n\t"
        "5:\n\t"
        "vmov.f32 s5, s30\n\t"
        "vcmp.f32 s0, s0\n\t"
        "vmrs APSR_nzcv, fpscr\n\t"
        "it vs\n\t"
        "vmovvs.f32 s5, s0\n\t"
        "b 3b\n\t"
        "6:\n\t"
        "vdiv.f32 s8, s27, s31\n\t"
        "mov %[p], %[z]\n\t"
        "lsrs %[c], %[n], #3\n\t"
        "beq 8f\n\t"
        "7:\n\t"
        "vldmia %[p], {s0-s7}\n\t"
        "vmul.f32 s0, s0, s8\n\t"
        "vmul.f32 s1, s1, s8\n\t"
        "vmul.f32 s2, s2, s8\n\t"
        "vmul.f32 s3, s3, s8\n\t"
        "vmul.f32 s4, s4, s8\n\t"
        "vmul.f32 s5, s5, s8\n\t"
        "vmul.f32 s6, s6, s8\n\t"
        "vmul.f32 s7, s7, s8\n\t"
        "vstmia %[p]!, {s0-s7}\n\t"
        "subs %[c], %[c], #1\n\t"
        "bne 7b\n\t"
        "8:\n\t"
        "ands %[c], %[n], #7\n\t"
        "beq 10f\n\t"
        "4:\n\t"
        "vldr s1, [%[p]]\n\t"
        "vmul.f32 s1, s1, s8\n\t"
        "vstmia %[p]!, {s1}\n\t"
        "subs %[c], %[c], #1\n\t"
        "bne 4b\n\t"
        "10:\n\t"
        : [p] "=&r"(p), [c] "=&r"(c), [tn] "=&r"(tn), [tp] "=&r"(tp)
        : [z] "r"(z), [n] "r"(n), [k] "r"(k)
        : MICROPROP_VFP_CLOBBERS);
}

}  // namespace microprop::kernels::vfp

namespace microprop::kernels::fast_vfp {

/// softmax over n values `stride` apart: the asm kernel for contiguous values, else fast_portable's loop.
MICROPROP_ALWAYS_INLINE void softmax_strided_float(float* z, std::size_t n, std::size_t stride)
{
    if (stride == 1 && n > 0) {
        vfp::softmax(z, n);
        return;
    }
    fast_portable::softmax_strided_float(z, n, stride);
}

/// softmax over n contiguous values (the softmax activation).
MICROPROP_ALWAYS_INLINE void softmax_float(float* z, std::size_t n)
{
    if (n > 0) vfp::softmax(z, n);
}

/// softmax_float is a kernel of its own here (the front calls it for contiguous values).
constexpr bool has_contiguous_softmax = true;

}  // namespace microprop::kernels::fast_vfp

#endif  // MICROPROP_KERNELS_VFP

#endif
