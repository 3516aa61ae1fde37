// The forward pass of a pruned dense layer on Cortex-M cores with MICROPROP_KERNELS_VFP: four
// kept weights at a time, VLDM for the values and integer loads of x at the indexed offsets
// (sparse_forward/reference.hpp is the specification; select_float.hpp chooses).
#ifndef MICROPROP_KERNELS_SPARSE_FORWARD_VFP_HPP
#define MICROPROP_KERNELS_SPARSE_FORWARD_VFP_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../../config.hpp"
#include "reference.hpp"

#if MICROPROP_KERNELS_VFP
namespace microprop::kernels::fast_vfp {

// One asm statement for byte and halfword indices: `load` is ldrb or ldrh, o1 to o3 the
// offsets of indices 1 to 3 and step the bytes of 4 indices.
#define MICROPROP_SPARSE_QUADS(load, o1, o2, o3, step)                                             \
    __asm volatile("1:\n\t"                                                                          \
                   "vldmia %[v]!, {s0-s3}\n\t"                                                      \
                   load " %[x1], [%[i], #" o1 "]\n\t"                                               \
                   load " %[x2], [%[i], #" o2 "]\n\t"                                               \
                   load " %[x3], [%[i], #" o3 "]\n\t"                                               \
                   load " %[x0], [%[i]], #" step "\n\t"                                             \
                   "ldr %[x0], [%[x], %[x0], lsl #2]\n\t"                                           \
                   "ldr %[x1], [%[x], %[x1], lsl #2]\n\t"                                           \
                   "ldr %[x2], [%[x], %[x2], lsl #2]\n\t"                                           \
                   "ldr %[x3], [%[x], %[x3], lsl #2]\n\t"                                           \
                   "vmov s4, s5, %[x0], %[x1]\n\t"                                                  \
                   "vmov s6, s7, %[x2], %[x3]\n\t"                                                  \
                   "vfma.f32 %[acc], s0, s4\n\t"                                                    \
                   "vfma.f32 %[acc], s1, s5\n\t"                                                    \
                   "vfma.f32 %[acc], s2, s6\n\t"                                                    \
                   "vfma.f32 %[acc], s3, s7\n\t"                                                    \
                   "subs %[n], %[n], #1\n\t"                                                        \
                   "bne 1b\n\t"                                                                     \
                   : [v] "+r"(values), [i] "+r"(indices), [n] "+r"(quads), [acc] "+t"(acc),          \
                     [x0] "=&r"(x0), [x1] "=&r"(x1), [x2] "=&r"(x2), [x3] "=&r"(x3)                  \
                   : [x] "r"(x)                                                                    \
                   : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "cc", "memory")

/// acc + the products of `quads` (> 0) groups of 4 kept weights, in stored order; advances
/// `values` and `indices` past them. Per group: one VLDM of 4 values, 4 index loads, 4
/// integer loads of x at register offsets (LDR has them, VLDR has not), 2 VMOVs of two core
/// registers into two S registers, 4 VFMAs and the loop: 17 instructions, against 7 per
/// weight for the compiled reference loop (index, value, address, VLDR, VFMA, loop).
template <class Index>
inline float sparse_row_quads(const float*& values, const Index*& indices, const float* x, float acc,
                              std::size_t quads)
{
    std::uint32_t x0, x1, x2, x3;
    if constexpr (sizeof(Index) == 1) {
        MICROPROP_SPARSE_QUADS("ldrb", "1", "2", "3", "4");
    } else {
        MICROPROP_SPARSE_QUADS("ldrh", "2", "4", "6", "8");
    }
    return acc;
}
#undef MICROPROP_SPARSE_QUADS

/// reference::sparse_forward's result (the same products summed in the same order, with the
/// same fused multiply-adds where the compiler contracts the reference loop to VFMA): groups of
/// 4 float weights with byte or halfword indices run in sparse_row_quads, anything else in the
/// reference loop. Returns the weights it read.
template <class T, class Index, class Count>
std::size_t sparse_forward(const T* MICROPROP_RESTRICT values, const Index* MICROPROP_RESTRICT indices,
                    const Count* MICROPROP_RESTRICT kept, const T* MICROPROP_RESTRICT b,
                    const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT z, std::size_t out)
{
    if constexpr (std::is_same<T, float>::value && sizeof(Index) <= 2) {
        const float* value = values;
        const Index* index = indices;
        for (std::size_t j = 0; j < out; ++j) {
            const std::size_t count = kept[j];
            float acc = b[j];
            if (count >= 4) acc = sparse_row_quads(value, index, x, acc, count / 4);
            // The last 1 to 3 without a loop (a loop costs 7 instructions a weight here).
            if (count & 2) {
                acc += value[0] * x[index[0]];
                acc += value[1] * x[index[1]];
                value += 2;
                index += 2;
            }
            if (count & 1) acc += *value++ * x[*index++];
            z[j] = acc;
        }
        return static_cast<std::size_t>(value - values);
    }
    return reference::sparse_forward(values, indices, kept, b, x, z, out);
}

}  // namespace microprop::kernels::fast_vfp
#endif

#endif
