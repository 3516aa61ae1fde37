// The q3_12 back-end: which variant of each integer kernel `kernels::fixed::X` (what
// fixed_point.hpp calls) is compiled. This file is the one place that chooses; the operations'
// folders hold the variants (<op>/fixed.hpp the kernel, <op>/fixed_portable.hpp, fixed_m0.hpp and
// fixed_m3.hpp its inner loop in C++, Thumb-1 and Thumb-2 assembly; README.md in this folder
// has the table). Every variant gives the same results bit for bit.
//
//   portable  MICROPROP_FORCE_REFERENCE_KERNELS or MICROPROP_KERNELS_NO_ASM, or not Arm/GCC.
//   M0        Thumb-1 (Cortex-M0/M0+/M23 baseline): V-flag loops for the exact sums and the
//             clamped row update.
//   M3        Thumb-2 (Cortex-M3 and up, M4/M7/M33/M55 too): SMLAL dot products, and the SSAT
//             row update where __ARM_FEATURE_SAT holds.
//   DSP       Thumb-2 with the DSP extension (__ARM_FEATURE_DSP: M4, M7, M33, M55): as M3, with
//             SMLALD dot products (fixed_dsp.hpp, two products an instruction).
#ifndef MICROPROP_KERNELS_SELECT_FIXED_HPP
#define MICROPROP_KERNELS_SELECT_FIXED_HPP

#include "../fixed_scalar.hpp"
#include "../random.hpp"

// The inline-assembly loops (fixed_m0.hpp, fixed_m3.hpp) are used on Arm with GCC-compatible compilers unless
// MICROPROP_FORCE_REFERENCE_KERNELS or MICROPROP_KERNELS_NO_ASM asks for plain C++ (same results).
#if defined(__arm__) && defined(__GNUC__) &&                                                         \
    !(defined(MICROPROP_FORCE_REFERENCE_KERNELS) && MICROPROP_FORCE_REFERENCE_KERNELS) &&             \
    !(defined(MICROPROP_KERNELS_NO_ASM) && MICROPROP_KERNELS_NO_ASM)
#define MICROPROP_FIXED_ASM 1
#else
#define MICROPROP_FIXED_ASM 0
#endif

#if MICROPROP_FIXED_ASM && !defined(__thumb2__)
#define MICROPROP_FIXED_THUMB1 1
// GCC hands Thumb-1 inline assembly to the assembler in divided syntax unless told
// -masm-syntax-unified; the loops below are written in unified syntax and switch back after.
#if defined(__ARM_ASM_SYNTAX_UNIFIED__)
#define MICROPROP_FIXED_ASM_SYNTAX_RESTORE ""
#else
#define MICROPROP_FIXED_ASM_SYNTAX_RESTORE ".syntax divided\n"
#endif
#else
#define MICROPROP_FIXED_THUMB1 0
#endif

#include "common/fixed_arith.hpp"
#include "common/fixed_exact_sum.hpp"

// Which inner loop each kernel is compiled with: 0 portable C++, 1 M0 (Thumb-1), 3 M3 (Thumb-2),
// 4 DSP (Thumb-2 with SMLALD).
// Every variant file is included; each compiles only where its macro names it.
#if MICROPROP_FIXED_THUMB1
#define MICROPROP_FIXED_DOT_LOOP 1
#define MICROPROP_FIXED_COLUMN_LOOP 1
#define MICROPROP_FIXED_ROW_UPDATE_LOOP 1
#elif MICROPROP_FIXED_ASM
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP
#define MICROPROP_FIXED_DOT_LOOP 4
#else
#define MICROPROP_FIXED_DOT_LOOP 3
#endif
#define MICROPROP_FIXED_COLUMN_LOOP 0
#if defined(__thumb2__) && defined(__ARM_FEATURE_SAT)
#define MICROPROP_FIXED_ROW_UPDATE_LOOP 3
#else
#define MICROPROP_FIXED_ROW_UPDATE_LOOP 0
#endif
#else
#define MICROPROP_FIXED_DOT_LOOP 0
#define MICROPROP_FIXED_COLUMN_LOOP 0
#define MICROPROP_FIXED_ROW_UPDATE_LOOP 0
#endif

#include "dense_forward/fixed_portable.hpp"
#include "dense_forward/fixed_m0.hpp"
#include "dense_forward/fixed_m3.hpp"
#include "dense_forward/fixed_dsp.hpp"
#include "dense_forward/fixed.hpp"

#include "dense_backward/fixed_portable.hpp"
#include "dense_backward/fixed_m0.hpp"
#include "dense_backward/fixed.hpp"

#include "dense_sgd/fixed_portable.hpp"
#include "dense_sgd/fixed_m0.hpp"
#include "dense_sgd/fixed_m3.hpp"
#include "dense_sgd/fixed.hpp"

#include "activation/fixed.hpp"
#include "dense_gradient/fixed.hpp"
#include "softmax/fixed.hpp"

#endif
