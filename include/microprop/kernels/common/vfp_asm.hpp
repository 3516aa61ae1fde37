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
#endif  // MICROPROP_KERNELS_VFP

#endif
