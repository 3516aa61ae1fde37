// Rows of 1 to 15 weights (narrow layers, and the columns past the last 16-wide block) on
// Cortex-M cores with a 32-register single-precision FPU: forward_narrow and update_narrow, and
// with the ReLU fused in (issue 14: W4 13-16-3, W5 30-16-2) forward_narrow_relu (the ReLU
// applied as each sum is stored) and update_rows_relu (the first layer's fused SGD step for
// rows of 1-14 and 17-30 weights, testing each unit's ReLU output
// itself, so that no list of live rows is gathered in C++ first).
//
// Included by dense_forward/vfp.hpp and dense_sgd/vfp.hpp (both operations use the width tables);
// only where MICROPROP_KERNELS_VFP (config.hpp) holds.
#ifndef MICROPROP_KERNELS_COMMON_VFP_NARROW_ROWS_HPP
#define MICROPROP_KERNELS_COMMON_VFP_NARROW_ROWS_HPP

#include <cstddef>
#include <cstdint>

#include "../../config.hpp"
#include "vfp_asm.hpp"

#if MICROPROP_KERNELS_VFP

namespace microprop::kernels::vfp {

// A VLDM names its registers in the instruction, so a row of `width` < 16 values cannot be one
// fixed VLDM. These kernels keep one entry per width in a table of `VLDM/VSTM; B.W` pairs
// (8 bytes each) and branch into it with BX, and enter the VFMA sequence `width` instructions
// before its end: per row that is one VLDM (and VSTM), `width` VFMAs and four branches, against
// two loads, a VFMA and the loop per value of the plain C++ loop. x stays in s0-s14, the row in
// s16-s30, the sum or the step in s31. (BX needs bit 0 set for Thumb: ORR makes sure of it.)

/// x[0..width-1] into s0-s14: enters a descending VLDR sequence `width` loads before its end
/// (label 2). Uses the operands x, width and load.
#define MICROPROP_VFP_NARROW_LOAD_X \
    "adr.w %[load], 2f\n\t" \
    "sub.w %[load], %[load], %[width], lsl #2\n\t" \
    "orr.w %[load], %[load], #1\n\t" \
    "bx %[load]\n\t" \
    "vldr s14, [%[x], #56]\n\t" \
    "vldr s13, [%[x], #52]\n\t" \
    "vldr s12, [%[x], #48]\n\t" \
    "vldr s11, [%[x], #44]\n\t" \
    "vldr s10, [%[x], #40]\n\t" \
    "vldr s9, [%[x], #36]\n\t" \
    "vldr s8, [%[x], #32]\n\t" \
    "vldr s7, [%[x], #28]\n\t" \
    "vldr s6, [%[x], #24]\n\t" \
    "vldr s5, [%[x], #20]\n\t" \
    "vldr s4, [%[x], #16]\n\t" \
    "vldr s3, [%[x], #12]\n\t" \
    "vldr s2, [%[x], #8]\n\t" \
    "vldr s1, [%[x], #4]\n\t" \
    "vldr s0, [%[x]]\n\t" \
    "2:\n\t"
/// The table of VLDM/VSTM `op` of 0..15 registers from s16 at %[w], each followed by a branch
/// to `back`.
#define MICROPROP_VFP_NARROW_TABLE(op, back) \
    "nop.w\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s17}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s18}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s19}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s20}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s21}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s22}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s23}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s24}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s25}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s26}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s27}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s28}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s29}\n\t" \
    "b.w " back "\n\t" \
    op " %[w], {s16-s30}\n\t" \
    "b.w " back "\n\t"


/// row -= step * x: `width` VFMS entered at their end (label 4), row in s16-s30, x in s0-s14,
/// the step in s31.
#define MICROPROP_VFP_NARROW_FMS \
    "vfms.f32 s30, s31, s14\n\t" \
    "vfms.f32 s29, s31, s13\n\t" \
    "vfms.f32 s28, s31, s12\n\t" \
    "vfms.f32 s27, s31, s11\n\t" \
    "vfms.f32 s26, s31, s10\n\t" \
    "vfms.f32 s25, s31, s9\n\t" \
    "vfms.f32 s24, s31, s8\n\t" \
    "vfms.f32 s23, s31, s7\n\t" \
    "vfms.f32 s22, s31, s6\n\t" \
    "vfms.f32 s21, s31, s5\n\t" \
    "vfms.f32 s20, s31, s4\n\t" \
    "vfms.f32 s19, s31, s3\n\t" \
    "vfms.f32 s18, s31, s2\n\t" \
    "vfms.f32 s17, s31, s1\n\t" \
    "vfms.f32 s16, s31, s0\n\t" \
    "4:\n\t"

/// The table of VLDMs of 0..15 values from %[x] into s0 up, each followed by a branch to `back`
/// (as MICROPROP_VFP_NARROW_TABLE, for x).
#define MICROPROP_VFP_NARROW_X_TABLE(back) \
    "nop.w\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s1}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s2}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s3}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s4}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s5}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s6}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s7}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s8}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s9}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s10}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s11}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s12}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s13}\n\t" \
    "b.w " back "\n\t" \
    "vldmia %[x], {s0-s14}\n\t" \
    "b.w " back "\n\t"

/// The body of forward_narrow and forward_narrow_relu: x into s0-s14 once, then per row the
/// bias into s31, the row by the width table, `width` VFMAs entered at their end, and `store`
/// (which writes s31 to u and may use the operand bits).
#define MICROPROP_VFP_NARROW_FORWARD(store) \
    MICROPROP_VFP_NARROW_LOAD_X \
    "adr.w %[load], 6f\n\t" \
    "add.w %[load], %[load], %[width], lsl #3\n\t" \
    "orr.w %[load], %[load], #1\n\t" \
    "adr.w %[fma], 4f\n\t" \
    "sub.w %[fma], %[fma], %[width], lsl #2\n\t" \
    "orr.w %[fma], %[fma], #1\n\t" \
    "1:\n\t" \
    "vldmia %[b]!, {s31}\n\t" \
    "bx %[load]\n\t" \
    "3:\n\t" \
    "add %[w], %[w], %[stride]\n\t" \
    "bx %[fma]\n\t" \
    "vfma.f32 s31, s30, s14\n\t" \
    "vfma.f32 s31, s29, s13\n\t" \
    "vfma.f32 s31, s28, s12\n\t" \
    "vfma.f32 s31, s27, s11\n\t" \
    "vfma.f32 s31, s26, s10\n\t" \
    "vfma.f32 s31, s25, s9\n\t" \
    "vfma.f32 s31, s24, s8\n\t" \
    "vfma.f32 s31, s23, s7\n\t" \
    "vfma.f32 s31, s22, s6\n\t" \
    "vfma.f32 s31, s21, s5\n\t" \
    "vfma.f32 s31, s20, s4\n\t" \
    "vfma.f32 s31, s19, s3\n\t" \
    "vfma.f32 s31, s18, s2\n\t" \
    "vfma.f32 s31, s17, s1\n\t" \
    "vfma.f32 s31, s16, s0\n\t" \
    "4:\n\t" \
    store \
    "subs %[rows], %[rows], #1\n\t" \
    "bne 1b\n\t" \
    "b.w 9f\n\t" \
    "6:\n\t" \
    MICROPROP_VFP_NARROW_TABLE("vldmia", "3b") \
    "9:\n\t"

/// u[r] = b[r] + row_r . x[0..width-1] for `rows` rows at w (row stride `stride_bytes`);
/// 0 <= width <= 15, rows >= 1; b may be u (then it adds the row's products to u).
/// width + 9 instructions a row.
inline void forward_narrow(const float* w, std::size_t stride_bytes, const float* x, const float* b, float* u,
                           std::size_t rows, std::size_t width)
{
    std::uintptr_t load, fma;
    __asm volatile(
        MICROPROP_VFP_NARROW_FORWARD("vstmia %[u]!, {s31}\n\t")
        : [w] "+r"(w), [b] "+r"(b), [u] "+r"(u), [rows] "+r"(rows), [load] "=&r"(load), [fma] "=&r"(fma)
        : [x] "r"(x), [stride] "r"(stride_bytes), [width] "r"(width)
        : MICROPROP_VFP_CLOBBERS);
}

/// forward_narrow, then ReLU on the sign bit as each sum is stored (relu(-0) = +0; a NaN with
/// the sign bit clear passes: the fast kernels' relu): u[r] = max(0, b[r] + row_r . x) for
/// `rows` >= 1 rows of `width` (0..15) values, row stride `stride_bytes`; b may be u. width + 11
/// instructions a row, against width + 9 and a separate ReLU pass (about 6 a value).
inline void forward_narrow_relu(const float* w, std::size_t stride_bytes, const float* x, const float* b, float* u,
                                std::size_t rows, std::size_t width)
{
    std::uintptr_t load, fma, bits;
    __asm volatile(
        MICROPROP_VFP_NARROW_FORWARD("vmov %[bits], s31\n\t"
                                     "bic %[bits], %[bits], %[bits], asr #31\n\t"
                                     "str %[bits], [%[u]], #4\n\t")
        : [w] "+r"(w), [b] "+r"(b), [u] "+r"(u), [rows] "+r"(rows), [load] "=&r"(load), [fma] "=&r"(fma),
          [bits] "=&r"(bits)
        : [x] "r"(x), [stride] "r"(stride_bytes), [width] "r"(width)
        : MICROPROP_VFP_CLOBBERS);
}

#undef MICROPROP_VFP_NARROW_FORWARD

/// For `count` rows (pointers in rows[], steps in st[]; count >= 1): row[0..width-1] -= step * x,
/// 0 <= width <= 15.
inline void update_narrow(float* const* rows, const float* st, const float* x, std::size_t count, std::size_t width)
{
    float* w;
    std::uintptr_t load, fms, store;
    __asm volatile(
        MICROPROP_VFP_NARROW_LOAD_X
        "adr.w %[load], 6f\n\t"
        "add.w %[load], %[load], %[width], lsl #3\n\t"
        "orr.w %[load], %[load], #1\n\t"
        "adr.w %[store], 7f\n\t"
        "add.w %[store], %[store], %[width], lsl #3\n\t"
        "orr.w %[store], %[store], #1\n\t"
        "adr.w %[fms], 4f\n\t"
        "sub.w %[fms], %[fms], %[width], lsl #2\n\t"
        "orr.w %[fms], %[fms], #1\n\t"
        "1:\n\t"
        "ldr %[w], [%[rows]], #4\n\t"
        "vldmia %[st]!, {s31}\n\t"
        "bx %[load]\n\t"
        "3:\n\t"
        "bx %[fms]\n\t"
        MICROPROP_VFP_NARROW_FMS
        "bx %[store]\n\t"
        "5:\n\t"
        "subs %[count], %[count], #1\n\t"
        "bne 1b\n\t"
        "b.w 9f\n\t"
        "6:\n\t"
        MICROPROP_VFP_NARROW_TABLE("vldmia", "3b")
        "7:\n\t"
        MICROPROP_VFP_NARROW_TABLE("vstmia", "5b")
        "9:\n\t"
        : [rows] "+r"(rows), [st] "+r"(st), [count] "+r"(count), [w] "=&r"(w), [load] "=&r"(load),
          [fms] "=&r"(fms), [store] "=&r"(store)
        : [x] "r"(x), [width] "r"(width)
        : MICROPROP_VFP_CLOBBERS);
}

/// The first layer's fused SGD step below a ReLU for `rows` (0 allowed) contiguous rows of
/// `width` weights at w, width 1..14 or 17..30: for each unit j whose ReLU output z[j] is above 0
/// (tested on the bits, as update_float does), step = lr delta[j], b[j] -= step,
/// row_j -= step x (one VFMS per weight); the rows of the other units are skipped (dead-unit
/// skipping: nothing changes). Rows of 17..30 weights take their first 16 by two VLDM / 8 VFMS /
/// VSTM with x's first 16 loaded per live row, and their tail (1..14) by the width tables with
/// x's tail loaded by a third table; rows of 1..14 load x once. lr stays in s30, which a tail of
/// at most 14 leaves free. A live row costs width + 21 instructions (1..14) or width + 30
/// (17..30), a dead one 7 or 8, against about 20 a row for gathering the live rows in C++, then
/// update_groups16 and update_narrow for each. One kernel for both: each table costs 128 B.
inline void update_rows_relu(float* w, float* b, const float* x, const float* delta, const float* z,
                             std::size_t rows, std::size_t width, float lr)
{
    std::uintptr_t load, fms;
    // The first 16 values of x, or null for rows of 1..14 weights; then the tail's x and width.
    const float* x_block = width > 16 ? x : nullptr;
    const float* const x_tail = width > 16 ? x + 16 : x;
    const std::size_t tail = width > 16 ? width - 16 : width;
    auto bits = reinterpret_cast<std::uintptr_t>(&lr);
    __asm volatile(
        "cmp %[rows], #0\n\t"
        "beq.w 9f\n\t"
        "vldr s30, [%[bits]]\n\t"
        "cbnz %[xb], 2f\n\t"
        MICROPROP_VFP_NARROW_LOAD_X
        "adr.w %[load], 6f\n\t"
        "add.w %[load], %[load], %[width], lsl #3\n\t"
        "orr.w %[load], %[load], #1\n\t"
        "adr.w %[fms], 4f\n\t"
        "sub.w %[fms], %[fms], %[width], lsl #2\n\t"
        "orr.w %[fms], %[fms], #1\n\t"
        "1:\n\t"
        "ldr %[bits], [%[z]], #4\n\t"
        "vldmia %[d]!, {s31}\n\t"
        "cmp %[bits], #0\n\t"
        "ble 8f\n\t"
        "vmul.f32 s31, s30, s31\n\t"
        "vldr s16, [%[b]]\n\t"
        "vsub.f32 s16, s16, s31\n\t"
        "vstmia %[b]!, {s16}\n\t"
        "cbz %[xb], 7f\n\t"
        "vldmia %[xb], {s0-s15}\n\t"
        "vldmia %[w], {s16-s23}\n\t"
        "vfms.f32 s16, s31, s0\n\t"
        "vfms.f32 s17, s31, s1\n\t"
        "vfms.f32 s18, s31, s2\n\t"
        "vfms.f32 s19, s31, s3\n\t"
        "vfms.f32 s20, s31, s4\n\t"
        "vfms.f32 s21, s31, s5\n\t"
        "vfms.f32 s22, s31, s6\n\t"
        "vfms.f32 s23, s31, s7\n\t"
        "vstmia %[w]!, {s16-s23}\n\t"
        "vldmia %[w], {s16-s23}\n\t"
        "vfms.f32 s16, s31, s8\n\t"
        "vfms.f32 s17, s31, s9\n\t"
        "vfms.f32 s18, s31, s10\n\t"
        "vfms.f32 s19, s31, s11\n\t"
        "vfms.f32 s20, s31, s12\n\t"
        "vfms.f32 s21, s31, s13\n\t"
        "vfms.f32 s22, s31, s14\n\t"
        "vfms.f32 s23, s31, s15\n\t"
        "vstmia %[w]!, {s16-s23}\n\t"
        // x's tail by the third table, 2 x 128 bytes past the row load table.
        "add.w %[bits], %[load], #256\n\t"
        "bx %[bits]\n\t"
        "7:\n\t"
        "bx %[load]\n\t"
        "3:\n\t"
        "bx %[fms]\n\t"
        MICROPROP_VFP_NARROW_FMS
        // The store table follows the load table: 16 entries of 8 bytes further.
        "add.w %[bits], %[load], #128\n\t"
        "bx %[bits]\n\t"
        "8:\n\t"
        "adds %[b], %[b], #4\n\t"
        "cbz %[xb], 5f\n\t"
        "add.w %[w], %[w], #64\n\t"
        "5:\n\t"
        "add.w %[w], %[w], %[width], lsl #2\n\t"
        "subs %[rows], %[rows], #1\n\t"
        "bne 1b\n\t"
        "b.w 9f\n\t"
        "6:\n\t"
        MICROPROP_VFP_NARROW_TABLE("vldmia", "3b")
        MICROPROP_VFP_NARROW_TABLE("vstmia", "5b")
        MICROPROP_VFP_NARROW_X_TABLE("7b")
        "9:\n\t"
        : [w] "+r"(w), [b] "+r"(b), [d] "+r"(delta), [z] "+r"(z), [rows] "+r"(rows), [load] "=&r"(load),
          [fms] "=&r"(fms), [bits] "+r"(bits)
        : [xb] "r"(x_block), [x] "r"(x_tail), [width] "r"(tail)
        : MICROPROP_VFP_CLOBBERS);
}

#undef MICROPROP_VFP_NARROW_X_TABLE
#undef MICROPROP_VFP_NARROW_FMS
#undef MICROPROP_VFP_NARROW_TABLE
#undef MICROPROP_VFP_NARROW_LOAD_X

}  // namespace microprop::kernels::vfp

#endif  // MICROPROP_KERNELS_VFP

#endif
