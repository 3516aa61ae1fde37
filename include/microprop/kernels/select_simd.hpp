// Float kernels on the widest vector the target has, through GCC/Clang vector extensions:
// 16 lanes with AVX-512, 8 with AVX, 4 with SSE2, NEON or Helium (MVE with floating point,
// Cortex-M55/M85). The fast front calls them through simd_dispatch (select_float.hpp adapts
// them to its hooks); the reference kernels stay the specification. The kernels are the
// simd.hpp of each operation (common/simd_kernel_list.hpp), compiled here once for the
// build's instruction set and, on x86-64 builds without AVX2, once more for AVX2 + FMA, chosen
// at run time (below).
//
// Why they are shaped as they are (host W2, 64-32-10, is the workload they are tuned on):
//   - forward: eight rows at a time share every load of x, and the eight partial-sum
//     vectors are reduced together by a transpose-and-add instead of one horizontal sum
//     per row;
//   - updates: the rows that change are gathered first (dead ReLU units skipped), then
//     streamed a chunk of columns at a time with that chunk of x kept in registers, so a
//     weight costs one load, one multiply-add and one store;
//   - the output layer's fused step keeps its chunk of g_in = W^T delta in registers
//     while it updates the same weights, so each weight is loaded and stored once;
//   - minibatches: the first layer's product loads each weight vector once for two samples
//     and its gradient keeps a chunk of columns of all N samples in L1; the later layers,
//     whose inputs are `[width][N]` matrices, combine rows a few vectors at a time;
//   - with FMA (-mfma, -march=x86-64-v3 and up, NEON/AArch64, Helium) a*b + c is one fused
//     instruction whatever -ffp-contract says.
// Loads and stores go through memcpy: no alignment is assumed anywhere.
#ifndef MICROPROP_KERNELS_SELECT_SIMD_HPP
#define MICROPROP_KERNELS_SELECT_SIMD_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <utility>

#include "../config.hpp"
#include "common/exp_float.hpp"

#if defined(__GNUC__) && (defined(__SSE2__) || defined(__ARM_NEON) || (defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)))
#define MICROPROP_KERNELS_SIMD 1
#else
#define MICROPROP_KERNELS_SIMD 0
#endif

#if MICROPROP_KERNELS_SIMD
#if defined(__SSE2__)
#include <immintrin.h>
#elif defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA)
#include <arm_neon.h>
#elif defined(__ARM_FEATURE_MVE)
#include <arm_mve.h>
#endif

// The target's own instruction set.
#if defined(__SSE2__)
#define MICROPROP_SIMD_X86 1
#else
#define MICROPROP_SIMD_X86 0
#endif
#if defined(__AVX__)
#define MICROPROP_SIMD_AVX 1
#else
#define MICROPROP_SIMD_AVX 0
#endif
#if defined(__FMA__)
#define MICROPROP_SIMD_FMA 1
#else
#define MICROPROP_SIMD_FMA 0
#endif
#if defined(__AVX512F__)
#define MICROPROP_SIMD_AVX512 1
#else
#define MICROPROP_SIMD_AVX512 0
#endif
#define MICROPROP_SIMD_NAMESPACE simd
#include "common/simd_kernel_list.hpp"
#undef MICROPROP_SIMD_NAMESPACE
#undef MICROPROP_SIMD_AVX
#undef MICROPROP_SIMD_FMA
#undef MICROPROP_SIMD_AVX512

// Run-time dispatch: an x86-64 build without AVX2 and FMA (GCC's default -march=x86-64 is
// SSE2 only) also compiles every kernel for AVX2 + FMA and uses those where the CPU has them,
// so that a program built with default flags runs the 8-lane kernels on any machine of the
// last ten years. MICROPROP_RUNTIME_DISPATCH=0 keeps the build's own kernels only. GCC only
// (Clang has no `#pragma GCC target`; a Clang build keeps its own kernels). Callers pass every
// argument: the dispatching wrappers below do not carry the kernels' default arguments.
#ifndef MICROPROP_RUNTIME_DISPATCH
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !(defined(__AVX2__) && defined(__FMA__))
#define MICROPROP_RUNTIME_DISPATCH 1
#else
#define MICROPROP_RUNTIME_DISPATCH 0
#endif
#endif
#if MICROPROP_RUNTIME_DISPATCH
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#define MICROPROP_SIMD_NAMESPACE simd_avx2
#define MICROPROP_SIMD_AVX 1
#define MICROPROP_SIMD_FMA 1
#define MICROPROP_SIMD_AVX512 0
#include "common/simd_kernel_list.hpp"
#undef MICROPROP_SIMD_NAMESPACE
#undef MICROPROP_SIMD_AVX
#undef MICROPROP_SIMD_FMA
#undef MICROPROP_SIMD_AVX512
#pragma GCC pop_options
#endif

/// The kernels the rest of the library calls: simd's, or simd_avx2's where the build
/// dispatches at run time and the CPU has AVX2 and FMA (libgcc reads CPUID and the OS's
/// saved vector state once; __builtin_cpu_init makes that true even for a network trained
/// from a static constructor, before libgcc's own initialiser has run).
namespace microprop::kernels::simd_dispatch {
#if MICROPROP_RUNTIME_DISPATCH
MICROPROP_ALWAYS_INLINE bool avx2_usable()
{
    static const bool usable =
        (__builtin_cpu_init(), __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"));
    return usable;
}
#define MICROPROP_SIMD_ENTRY(name)                                                           \
    template <class... Args>                                                                \
    MICROPROP_ALWAYS_INLINE auto name(Args... args)                                         \
    {                                                                                       \
        return avx2_usable() ? simd_avx2::name(args...) : simd::name(args...);              \
    }
#else
#define MICROPROP_SIMD_ENTRY(name) using simd::name;
#endif
MICROPROP_SIMD_ENTRY(forward)
MICROPROP_SIMD_ENTRY(update)
MICROPROP_SIMD_ENTRY(backward_update)
MICROPROP_SIMD_ENTRY(forward_softmax)
MICROPROP_SIMD_ENTRY(sigmoid)
MICROPROP_SIMD_ENTRY(sigmoid_or_tanh_backward)
MICROPROP_SIMD_ENTRY(softmax)
MICROPROP_SIMD_ENTRY(combine_rows)
MICROPROP_SIMD_ENTRY(forward_batch_samples)
MICROPROP_SIMD_ENTRY(gradient_batch_samples)
MICROPROP_SIMD_ENTRY(softmax_columns)
MICROPROP_SIMD_ENTRY(relu)
MICROPROP_SIMD_ENTRY(gradient_batch_rows)
MICROPROP_SIMD_ENTRY(sgd_step)
MICROPROP_SIMD_ENTRY(momentum_step)
MICROPROP_SIMD_ENTRY(adam_step)
MICROPROP_SIMD_ENTRY(relu_backward)
MICROPROP_SIMD_ENTRY(all_within)
MICROPROP_SIMD_ENTRY(add_scaled_row)
MICROPROP_SIMD_ENTRY(row_dot)
#undef MICROPROP_SIMD_ENTRY
}  // namespace microprop::kernels::simd_dispatch
#endif

#endif
