// Compile-time configuration and the precondition macro family.
#ifndef MICROPROP_CONFIG_HPP
#define MICROPROP_CONFIG_HPP

/// MICROPROP_CHECK_POLICY selects what a violated run-time precondition does:
///   0 = nothing (smallest flash), 1 = assert() (default when NDEBUG is unset),
///   2 = call the user's microprop_precondition_failed(const char* what).
/// Dimension mistakes are compile errors and never reach these checks.
#ifndef MICROPROP_CHECK_POLICY
#if defined(NDEBUG)
#define MICROPROP_CHECK_POLICY 0
#else
#define MICROPROP_CHECK_POLICY 1
#endif
#endif

#if MICROPROP_CHECK_POLICY == 1
#include <cassert>
#define MICROPROP_CHECK(condition, what) assert((condition) && what)
#elif MICROPROP_CHECK_POLICY == 2
extern "C" void microprop_precondition_failed(const char* what);
#define MICROPROP_CHECK(condition, what) \
    ((condition) ? static_cast<void>(0) : microprop_precondition_failed(what))
#else
#define MICROPROP_CHECK(condition, what) static_cast<void>(0)
#endif

#if defined(__GNUC__)
#define MICROPROP_RESTRICT __restrict__
#define MICROPROP_ALWAYS_INLINE __attribute__((always_inline)) inline
#else
#define MICROPROP_RESTRICT
#define MICROPROP_ALWAYS_INLINE inline
#endif

/// 1 on Cortex-M cores with a single-precision FPU of 32 registers in hard-float mode
/// (M4F, M7, M33 with FPU), where the kernels use VLDM/VSTM inline assembly;
/// MICROPROP_KERNELS_NO_ASM=1 keeps the portable C++ there (smallest flash). Cores with
/// Helium (M55) use the vector kernels instead.
#if defined(__arm__) && defined(__thumb2__) && defined(__ARM_FP) && ((__ARM_FP & 4) != 0) && \
    !defined(__SOFTFP__) && !defined(__ARM_FEATURE_MVE) && !(defined(MICROPROP_KERNELS_NO_ASM) && MICROPROP_KERNELS_NO_ASM)
#define MICROPROP_KERNELS_VFP 1
#else
#define MICROPROP_KERNELS_VFP 0
#endif

/// 1 (default): the fast kernels skip ReLU units that are inactive on a sample (their
/// delta is 0, so their weights do not change and they pass nothing down). 0 turns it off,
/// for data-independent instruction counts.
#ifndef MICROPROP_SKIP_DEAD_UNITS
#define MICROPROP_SKIP_DEAD_UNITS 1
#endif

#endif
