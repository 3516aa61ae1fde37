// The forward pass of a pruned dense layer stored row by row: for output j, only the kept
// weights, as (input index, value) pairs (compressed sparse rows, CSR, without the row
// pointer array: each row's count is enough because the rows are read in order).
//
// Cost per kept weight is a load of the index, an indexed load of x, a load of the value and
// a multiply-add: 4.3 instructions on the Cortex-M4F with sparse_row_quads, where a dense row
// streams W and x in order with VLDM at about one. Skipping pays there only when most weights
// are gone (from about 78% for the 64-32-10 digits network); on soft-float cores, where a
// multiply-add is about 176 instructions, always. tests/bench/README.md, "Pruned networks".
#ifndef MICROPROP_KERNELS_SPARSE_DENSE_HPP
#define MICROPROP_KERNELS_SPARSE_DENSE_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "../config.hpp"

namespace microprop::kernels::sparse {

/// z = W x + b for a layer whose kept weights are stored row after row: row j has
/// `kept[j]` weights, `values[k]` multiplying `x[indices[k]]`, rows one after another in
/// `values` and `indices`. Index is an unsigned integer type (std::uint8_t when the layer has
/// at most 256 inputs); Count an unsigned type that holds the layer's input count.
/// Preconditions: every index < the layer's inputs; values and indices hold the sum of
/// kept[0 .. out - 1] entries. Each row sums from its bias, in stored order. Returns the
/// weights it read (the sum of the counts: where the next layer's start). The reference
/// loop: the specification of dense_forward.
template <class T, class Index, class Count>
std::size_t dense_forward_reference(const T* MICROPROP_RESTRICT values, const Index* MICROPROP_RESTRICT indices,
                             const Count* MICROPROP_RESTRICT kept, const T* MICROPROP_RESTRICT b,
                             const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT z, std::size_t out)
{
    std::size_t read = 0;
    for (std::size_t j = 0; j < out; ++j) {
        const std::size_t count = kept[j];
        T acc = b[j];
        for (std::size_t k = 0; k < count; ++k) acc += values[read + k] * x[indices[read + k]];
        read += count;
        z[j] = acc;
    }
    return read;
}

#if MICROPROP_KERNELS_VFP
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
#endif

/// dense_forward_reference's result (the same products summed in the same order, with the
/// same fused multiply-adds where the compiler contracts the reference loop to VFMA). On
/// Cortex-M cores with MICROPROP_KERNELS_VFP, groups of 4 weights run in sparse_row_quads;
/// elsewhere this is the reference loop. Returns the weights it read.
template <class T, class Index, class Count>
std::size_t dense_forward(const T* MICROPROP_RESTRICT values, const Index* MICROPROP_RESTRICT indices,
                   const Count* MICROPROP_RESTRICT kept, const T* MICROPROP_RESTRICT b,
                   const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT z, std::size_t out)
{
#if MICROPROP_KERNELS_VFP
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
#endif
    return dense_forward_reference(values, indices, kept, b, x, z, out);
}

}  // namespace microprop::kernels::sparse

#endif
