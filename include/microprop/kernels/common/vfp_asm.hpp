// The inline-assembly building blocks of the VLDM/VSTM float kernels (the vfp.hpp file of
// each operation), for Cortex-M cores with a single-precision FPU of 32 registers
// (FPv4-SP: M4F; FPv5: M7, M33).
//
// GCC does not emit multi-register VLDM/VSTM in these loops, so the hot loops
// are written here: weights stream through VLDM/VSTM eight at a time, four rows
// share every load of the input (register blocking), and the output layer's
// backward pass keeps eight hidden-delta sums in registers while it updates the
// weights in place. Each kernel falls back to plain C++ for the columns and
// rows that do not fill a block.
#ifndef MICROPROP_KERNELS_COMMON_VFP_ASM_HPP
#define MICROPROP_KERNELS_COMMON_VFP_ASM_HPP

#include <cstddef>
#include <cstdint>
#include "../../config.hpp"

// Only where MICROPROP_KERNELS_VFP (config.hpp) holds: Clang checks the register names of
// asm clobber lists ("s0".."s31") even in functions never called, so the kernels must not be
// seen at all when the header is compiled on its own for another architecture.
#if MICROPROP_KERNELS_VFP

#define MICROPROP_VFP_CLOBBERS                                                                   \
    "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", \
        "s15", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", \
        "s28", "s29", "s30", "s31", "cc", "memory"

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
// ---- Rows of 1 to 15 values (narrow layers, and the columns past the last 16-wide block) -------
//
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

#endif  // MICROPROP_KERNELS_VFP

#endif
