// Float kernels in inline assembly for Cortex-M cores with a single-precision
// FPU of 32 registers (FPv4-SP: M4F; FPv5: M7, M33). Same signatures and
// results (up to rounding order) as reference.hpp.
//
// GCC does not emit multi-register VLDM/VSTM in these loops, so the hot loops
// are written here: weights stream through VLDM/VSTM eight at a time, four rows
// share every load of the input (register blocking), and the output layer's
// backward pass keeps eight hidden-delta sums in registers while it updates the
// weights in place. Each kernel falls back to plain C++ for the columns and
// rows that do not fill a block.
#ifndef MICROPROP_KERNELS_CORTEX_M_VFP_HPP
#define MICROPROP_KERNELS_CORTEX_M_VFP_HPP

#include <cstddef>
#include <cstdint>

#include "../config.hpp"
#include "vfp_narrow_rows.hpp"

// Only where MICROPROP_KERNELS_VFP (config.hpp) holds: Clang checks the register names of
// asm clobber lists ("s0".."s31") even in functions never called, so the kernels must not be
// seen at all when the header is compiled on its own for another architecture.
#if MICROPROP_KERNELS_VFP

namespace microprop::kernels::vfp {

// MICROPROP_VFP_CLOBBERS: from vfp_narrow_rows.hpp.

/// One row of 16 weights at `ptr` (post-incremented) times x in s0-s15, accumulated into
/// `acc`: two VLDMs of 8 weights into s16-s23, each followed by 8 VFMAs.
#define MICROPROP_VFP_FMA8(acc, x0, x1, x2, x3, x4, x5, x6, x7)                                  \
    "vfma.f32 " acc ", s16, " x0 "\n\t"                                                        \
    "vfma.f32 " acc ", s17, " x1 "\n\t"                                                        \
    "vfma.f32 " acc ", s18, " x2 "\n\t"                                                        \
    "vfma.f32 " acc ", s19, " x3 "\n\t"                                                        \
    "vfma.f32 " acc ", s20, " x4 "\n\t"                                                        \
    "vfma.f32 " acc ", s21, " x5 "\n\t"                                                        \
    "vfma.f32 " acc ", s22, " x6 "\n\t"                                                        \
    "vfma.f32 " acc ", s23, " x7 "\n\t"
#define MICROPROP_VFP_ROW16(ptr, acc)                                                            \
    "vldmia " ptr "!, {s16-s23}\n\t"                                                            \
    MICROPROP_VFP_FMA8(acc, "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7")                      \
    "vldmia " ptr "!, {s16-s23}\n\t"                                                            \
    MICROPROP_VFP_FMA8(acc, "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15")

/// For `blocks` blocks of four rows from w (row stride `stride_bytes`): u[r] = b[r] + row_r . x
/// over `chunks` blocks of 16 inputs (blocks, chunks >= 1). Returns w past the last row.
inline const float* forward_blocks16(const float* w, std::size_t stride_bytes, const float* x, const float* b, float* u,
                                     std::size_t blocks, std::size_t chunks)
{
    const float *w1, *w2, *w3, *xp;
    const float* const x_end = x + 16 * chunks;
    const std::size_t tail_bytes = stride_bytes - 64 * chunks;
    __asm volatile(
        "1:\n\t"
        "add %[w1], %[w0], %[stride]\n\t"
        "add %[w2], %[w1], %[stride]\n\t"
        "add %[w3], %[w2], %[stride]\n\t"
        "vldmia %[b]!, {s24-s27}\n\t"
        "mov %[xp], %[x]\n\t"
        "2:\n\t"
        "vldmia %[xp]!, {s0-s15}\n\t"
        MICROPROP_VFP_ROW16("%[w0]", "s24")
        MICROPROP_VFP_ROW16("%[w1]", "s25")
        MICROPROP_VFP_ROW16("%[w2]", "s26")
        MICROPROP_VFP_ROW16("%[w3]", "s27")
        "cmp %[xp], %[x_end]\n\t"
        "bne 2b\n\t"
        "vstmia %[u]!, {s24-s27}\n\t"
        // Next block: past row 3's inputs read, plus the columns past the last 16-input
        // block (a tail the caller adds), if any.
        "add %[w0], %[w3], %[tail]\n\t"
        "subs %[blocks], %[blocks], #1\n\t"
        "bne 1b\n\t"
        : [w0] "+r"(w), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3), [xp] "=&r"(xp), [b] "+r"(b),
          [u] "+r"(u), [blocks] "+r"(blocks)
        : [x] "r"(x), [stride] "r"(stride_bytes), [x_end] "r"(x_end), [tail] "r"(tail_bytes)
        : MICROPROP_VFP_CLOBBERS);
    return w;
}

/// forward_blocks16 followed by ReLU (on the sign bit: relu(-0) = +0), for an even number of
/// 16-input blocks (chunks >= 2, even): the inner loop does two blocks per iteration.
inline const float* forward_blocks32_relu(const float* w, std::size_t stride_bytes, const float* x, const float* b,
                                          float* u, std::size_t blocks, std::size_t chunks)
{
    std::uintptr_t w1, w2, xp, n;
    const float* w3;
    const float* const x_end = x + 16 * chunks;
    __asm volatile(
        "1:\n\t"
        "add %[w1], %[w0], %[stride]\n\t"
        "add %[w2], %[w1], %[stride]\n\t"
        "add %[w3], %[w2], %[stride]\n\t"
        "vldmia %[b]!, {s24-s27}\n\t"
        "mov %[xp], %[x]\n\t"
        "2:\n\t"
        "vldmia %[xp]!, {s0-s15}\n\t"
        MICROPROP_VFP_ROW16("%[w0]", "s24")
        MICROPROP_VFP_ROW16("%[w1]", "s25")
        MICROPROP_VFP_ROW16("%[w2]", "s26")
        MICROPROP_VFP_ROW16("%[w3]", "s27")
        "vldmia %[xp]!, {s0-s15}\n\t"
        MICROPROP_VFP_ROW16("%[w0]", "s24")
        MICROPROP_VFP_ROW16("%[w1]", "s25")
        MICROPROP_VFP_ROW16("%[w2]", "s26")
        MICROPROP_VFP_ROW16("%[w3]", "s27")
        "cmp %[xp], %[x_end]\n\t"
        "bne 2b\n\t"
        "vmov %[w1], %[w2], s24, s25\n\t"
        "vmov %[xp], %[n], s26, s27\n\t"
        "bic %[w1], %[w1], %[w1], asr #31\n\t"
        "bic %[w2], %[w2], %[w2], asr #31\n\t"
        "bic %[xp], %[xp], %[xp], asr #31\n\t"
        "bic %[n], %[n], %[n], asr #31\n\t"
        "strd %[w1], %[w2], [%[u]], #8\n\t"
        "strd %[xp], %[n], [%[u]], #8\n\t"
        "mov %[w0], %[w3]\n\t"
        "subs %[blocks], %[blocks], #1\n\t"
        "bne 1b\n\t"
        : [w0] "+r"(w), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3), [xp] "=&r"(xp), [n] "=&r"(n),
          [b] "+r"(b), [u] "+r"(u), [blocks] "+r"(blocks)
        : [x] "r"(x), [stride] "r"(stride_bytes), [x_end] "r"(x_end)
        : MICROPROP_VFP_CLOBBERS);
    return w;
}

/// For `groups` groups of four rows (pointers in rows[], steps in st[]): row -= step * x over
/// `chunks` blocks of 16 inputs (groups, chunks >= 1).
inline void update_groups16(float* const* rows, const float* st, const float* x, std::size_t groups, std::size_t chunks)
{
    float *w0, *w1, *w2, *w3;
    const float* xp;
    std::size_t n;
    __asm volatile(
        "1:\n\t"
        "ldr %[w0], [%[rows]], #4\n\t"
        "ldr %[w1], [%[rows]], #4\n\t"
        "ldr %[w2], [%[rows]], #4\n\t"
        "ldr %[w3], [%[rows]], #4\n\t"
        "vldmia %[st]!, {s24-s27}\n\t"
        "mov %[xp], %[x]\n\t"
        "mov %[n], %[chunks]\n\t"
        "2:\n\t"
        "vldmia %[xp]!, {s0-s15}\n\t"
        "vldmia %[w0], {s16-s23}\n\t"
        "vfms.f32 s16, s24, s0\n\t"
        "vfms.f32 s17, s24, s1\n\t"
        "vfms.f32 s18, s24, s2\n\t"
        "vfms.f32 s19, s24, s3\n\t"
        "vfms.f32 s20, s24, s4\n\t"
        "vfms.f32 s21, s24, s5\n\t"
        "vfms.f32 s22, s24, s6\n\t"
        "vfms.f32 s23, s24, s7\n\t"
        "vstmia %[w0]!, {s16-s23}\n\t"
        "vldmia %[w0], {s16-s23}\n\t"
        "vfms.f32 s16, s24, s8\n\t"
        "vfms.f32 s17, s24, s9\n\t"
        "vfms.f32 s18, s24, s10\n\t"
        "vfms.f32 s19, s24, s11\n\t"
        "vfms.f32 s20, s24, s12\n\t"
        "vfms.f32 s21, s24, s13\n\t"
        "vfms.f32 s22, s24, s14\n\t"
        "vfms.f32 s23, s24, s15\n\t"
        "vstmia %[w0]!, {s16-s23}\n\t"
        "vldmia %[w1], {s16-s23}\n\t"
        "vfms.f32 s16, s25, s0\n\t"
        "vfms.f32 s17, s25, s1\n\t"
        "vfms.f32 s18, s25, s2\n\t"
        "vfms.f32 s19, s25, s3\n\t"
        "vfms.f32 s20, s25, s4\n\t"
        "vfms.f32 s21, s25, s5\n\t"
        "vfms.f32 s22, s25, s6\n\t"
        "vfms.f32 s23, s25, s7\n\t"
        "vstmia %[w1]!, {s16-s23}\n\t"
        "vldmia %[w1], {s16-s23}\n\t"
        "vfms.f32 s16, s25, s8\n\t"
        "vfms.f32 s17, s25, s9\n\t"
        "vfms.f32 s18, s25, s10\n\t"
        "vfms.f32 s19, s25, s11\n\t"
        "vfms.f32 s20, s25, s12\n\t"
        "vfms.f32 s21, s25, s13\n\t"
        "vfms.f32 s22, s25, s14\n\t"
        "vfms.f32 s23, s25, s15\n\t"
        "vstmia %[w1]!, {s16-s23}\n\t"
        "vldmia %[w2], {s16-s23}\n\t"
        "vfms.f32 s16, s26, s0\n\t"
        "vfms.f32 s17, s26, s1\n\t"
        "vfms.f32 s18, s26, s2\n\t"
        "vfms.f32 s19, s26, s3\n\t"
        "vfms.f32 s20, s26, s4\n\t"
        "vfms.f32 s21, s26, s5\n\t"
        "vfms.f32 s22, s26, s6\n\t"
        "vfms.f32 s23, s26, s7\n\t"
        "vstmia %[w2]!, {s16-s23}\n\t"
        "vldmia %[w2], {s16-s23}\n\t"
        "vfms.f32 s16, s26, s8\n\t"
        "vfms.f32 s17, s26, s9\n\t"
        "vfms.f32 s18, s26, s10\n\t"
        "vfms.f32 s19, s26, s11\n\t"
        "vfms.f32 s20, s26, s12\n\t"
        "vfms.f32 s21, s26, s13\n\t"
        "vfms.f32 s22, s26, s14\n\t"
        "vfms.f32 s23, s26, s15\n\t"
        "vstmia %[w2]!, {s16-s23}\n\t"
        "vldmia %[w3], {s16-s23}\n\t"
        "vfms.f32 s16, s27, s0\n\t"
        "vfms.f32 s17, s27, s1\n\t"
        "vfms.f32 s18, s27, s2\n\t"
        "vfms.f32 s19, s27, s3\n\t"
        "vfms.f32 s20, s27, s4\n\t"
        "vfms.f32 s21, s27, s5\n\t"
        "vfms.f32 s22, s27, s6\n\t"
        "vfms.f32 s23, s27, s7\n\t"
        "vstmia %[w3]!, {s16-s23}\n\t"
        "vldmia %[w3], {s16-s23}\n\t"
        "vfms.f32 s16, s27, s8\n\t"
        "vfms.f32 s17, s27, s9\n\t"
        "vfms.f32 s18, s27, s10\n\t"
        "vfms.f32 s19, s27, s11\n\t"
        "vfms.f32 s20, s27, s12\n\t"
        "vfms.f32 s21, s27, s13\n\t"
        "vfms.f32 s22, s27, s14\n\t"
        "vfms.f32 s23, s27, s15\n\t"
        "vstmia %[w3]!, {s16-s23}\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 2b\n\t"
        "subs %[groups], %[groups], #1\n\t"
        "bne 1b\n\t"
        : [rows] "+r"(rows), [st] "+r"(st), [groups] "+r"(groups), [w0] "=&r"(w0), [w1] "=&r"(w1),
          [w2] "=&r"(w2), [w3] "=&r"(w3), [xp] "=&r"(xp), [n] "=&r"(n)
        : [x] "r"(x), [chunks] "r"(chunks)
        : MICROPROP_VFP_CLOBBERS);
}

/// u[0..1] = b[0..1] + two rows of W (row stride `stride_bytes`) times x, over `chunks` blocks
/// of 16 inputs (chunks >= 1); the rows share every load of x.
inline void forward_rows2_16(const float* w0, std::size_t stride_bytes, const float* x, const float* b, float* u,
                             std::size_t chunks)
{
    const float* w1 = reinterpret_cast<const float*>(reinterpret_cast<const char*>(w0) + stride_bytes);
    __asm volatile(
        "vldmia %[b], {s24-s25}\n\t"
        "1:\n\t"
        "vldmia %[x]!, {s0-s15}\n\t"
        MICROPROP_VFP_ROW16("%[w0]", "s24")
        MICROPROP_VFP_ROW16("%[w1]", "s25")
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        "vstmia %[u], {s24-s25}\n\t"
        : [w0] "+r"(w0), [w1] "+r"(w1), [x] "+r"(x), [n] "+r"(chunks)
        : [b] "r"(b), [u] "r"(u)
        : MICROPROP_VFP_CLOBBERS);
}

/// u[0] = b[0] + one row of W times x, over `chunks` blocks of 8 inputs (chunks >= 1).
inline void forward_row1(const float* w0, const float* x, const float* b, float* u, std::size_t chunks)
{
    __asm volatile(
            "vldr s24, [%[b]]\n\t"
            "1:\n\t"
            "vldmia %[x]!, {s0-s7}\n\t"
            "vldmia %[w0]!, {s8-s15}\n\t"
            "vfma.f32 s24, s8, s0\n\t"
            "vfma.f32 s24, s9, s1\n\t"
            "vfma.f32 s24, s10, s2\n\t"
            "vfma.f32 s24, s11, s3\n\t"
            "vfma.f32 s24, s12, s4\n\t"
            "vfma.f32 s24, s13, s5\n\t"
            "vfma.f32 s24, s14, s6\n\t"
            "vfma.f32 s24, s15, s7\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
            "vstr s24, [%[u]]\n\t"
        : [w0] "+r"(w0), [x] "+r"(x), [n] "+r"(chunks)
        : [b] "r"(b), [u] "r"(u)
        : MICROPROP_VFP_CLOBBERS);
}

/// row -= st[0] * x over `chunks` blocks of 8 (chunks >= 1).
inline void update_row1(float* w0, const float* x, const float* st, std::size_t chunks)
{
    __asm volatile(
            "vldr s24, [%[st]]\n\t"
            "1:\n\t"
            "vldmia %[x]!, {s0-s7}\n\t"
            "vldmia %[w0], {s8-s15}\n\t"
            "vfms.f32 s8, s24, s0\n\t"
            "vfms.f32 s9, s24, s1\n\t"
            "vfms.f32 s10, s24, s2\n\t"
            "vfms.f32 s11, s24, s3\n\t"
            "vfms.f32 s12, s24, s4\n\t"
            "vfms.f32 s13, s24, s5\n\t"
            "vfms.f32 s14, s24, s6\n\t"
            "vfms.f32 s15, s24, s7\n\t"
            "vstmia %[w0]!, {s8-s15}\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
        : [w0] "+r"(w0), [x] "+r"(x), [n] "+r"(chunks)
        : [st] "r"(st)
        : MICROPROP_VFP_CLOBBERS);
}

/// For the 8 columns at w (row stride `stride_bytes`) and `rows` rows (rows >= 1):
/// g[0..7] = sum_j w_j * delta_j with the weights on entry, and w_j -= (lr delta_j) x[0..7].
/// `zeros_lr` holds eight zeros and then the learning rate. Rows go two at a time.
inline void fused_columns8(float* w, std::size_t stride_bytes, const float* x, const float* delta,
                           const float* zeros_lr, float* g, std::size_t rows)
{
    __asm volatile(
        "vldmia %[x], {s0-s7}\n\t"
        "vldmia %[z], {s8-s15}\n\t"
        "vldr s26, [%[z], #32]\n\t"
        "tst %[n], #1\n\t"
        "beq 3f\n\t"
        "vldmia %[d]!, {s24}\n\t"
        "vmul.f32 s28, s24, s26\n\t"
        "vldmia %[w], {s16-s23}\n\t"
        "vfma.f32 s8, s16, s24\n\t"
        "vfma.f32 s9, s17, s24\n\t"
        "vfma.f32 s10, s18, s24\n\t"
        "vfma.f32 s11, s19, s24\n\t"
        "vfma.f32 s12, s20, s24\n\t"
        "vfma.f32 s13, s21, s24\n\t"
        "vfma.f32 s14, s22, s24\n\t"
        "vfma.f32 s15, s23, s24\n\t"
        "vfms.f32 s16, s28, s0\n\t"
        "vfms.f32 s17, s28, s1\n\t"
        "vfms.f32 s18, s28, s2\n\t"
        "vfms.f32 s19, s28, s3\n\t"
        "vfms.f32 s20, s28, s4\n\t"
        "vfms.f32 s21, s28, s5\n\t"
        "vfms.f32 s22, s28, s6\n\t"
        "vfms.f32 s23, s28, s7\n\t"
        "vstmia %[w], {s16-s23}\n\t"
        "add %[w], %[w], %[stride]\n\t"
        "3:\n\t"
        "lsrs %[n], %[n], #1\n\t"
        "beq 4f\n\t"
        "1:\n\t"
        "vldmia %[d]!, {s24-s25}\n\t"
        "vmul.f32 s28, s24, s26\n\t"
        "vmul.f32 s29, s25, s26\n\t"
        "vldmia %[w], {s16-s23}\n\t"
        "vfma.f32 s8, s16, s24\n\t"
        "vfma.f32 s9, s17, s24\n\t"
        "vfma.f32 s10, s18, s24\n\t"
        "vfma.f32 s11, s19, s24\n\t"
        "vfma.f32 s12, s20, s24\n\t"
        "vfma.f32 s13, s21, s24\n\t"
        "vfma.f32 s14, s22, s24\n\t"
        "vfma.f32 s15, s23, s24\n\t"
        "vfms.f32 s16, s28, s0\n\t"
        "vfms.f32 s17, s28, s1\n\t"
        "vfms.f32 s18, s28, s2\n\t"
        "vfms.f32 s19, s28, s3\n\t"
        "vfms.f32 s20, s28, s4\n\t"
        "vfms.f32 s21, s28, s5\n\t"
        "vfms.f32 s22, s28, s6\n\t"
        "vfms.f32 s23, s28, s7\n\t"
        "vstmia %[w], {s16-s23}\n\t"
        "add %[w], %[w], %[stride]\n\t"
        "vldmia %[w], {s16-s23}\n\t"
        "vfma.f32 s8, s16, s25\n\t"
        "vfma.f32 s9, s17, s25\n\t"
        "vfma.f32 s10, s18, s25\n\t"
        "vfma.f32 s11, s19, s25\n\t"
        "vfma.f32 s12, s20, s25\n\t"
        "vfma.f32 s13, s21, s25\n\t"
        "vfma.f32 s14, s22, s25\n\t"
        "vfma.f32 s15, s23, s25\n\t"
        "vfms.f32 s16, s29, s0\n\t"
        "vfms.f32 s17, s29, s1\n\t"
        "vfms.f32 s18, s29, s2\n\t"
        "vfms.f32 s19, s29, s3\n\t"
        "vfms.f32 s20, s29, s4\n\t"
        "vfms.f32 s21, s29, s5\n\t"
        "vfms.f32 s22, s29, s6\n\t"
        "vfms.f32 s23, s29, s7\n\t"
        "vstmia %[w], {s16-s23}\n\t"
        "add %[w], %[w], %[stride]\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        "4:\n\t"
        "vstmia %[g], {s8-s15}\n\t"
        : [w] "+r"(w), [d] "+r"(delta), [n] "+r"(rows)
        : [x] "r"(x), [z] "r"(zeros_lr), [g] "r"(g), [stride] "r"(stride_bytes)
        : MICROPROP_VFP_CLOBBERS);
}

/// Softmax of n >= 1 contiguous values in place, as activation::softmax_strided computes it
/// (maximum subtracted, e^x by exp_nonpositive of expf.hpp, times 1/sum), in one asm block
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

// Rows of 1 to 15 values (narrow layers, and the columns past the last 16-wide block): in
// vfp_narrow_rows.hpp, included above.

#undef MICROPROP_VFP_CLOBBERS
#undef MICROPROP_VFP_ROW16
#undef MICROPROP_VFP_FMA8

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
