// The forward pass of a pruned dense layer, reference loop stored row by row: for output j, only the kept
// weights, as (input index, value) pairs (compressed sparse rows, CSR, without the row
// pointer array: each row's count is enough because the rows are read in order).
//
// Cost per kept weight is a load of the index, an indexed load of x, a load of the value and
// a multiply-add: 4.3 instructions on the Cortex-M4F with sparse_row_quads, where a dense row
// streams W and x in order with VLDM at about one. Skipping pays there only when most weights
// are gone (from about 78% for the 64-32-10 digits network); on soft-float cores, where a
// multiply-add is about 176 instructions, always. tests/bench/README.md, "Pruned networks".
#ifndef MICROPROP_KERNELS_SPARSE_FORWARD_REFERENCE_HPP
#define MICROPROP_KERNELS_SPARSE_FORWARD_REFERENCE_HPP

#include <cstddef>

#include "../../config.hpp"

namespace microprop::kernels::reference {

/// z = W x + b for a layer whose kept weights are stored row after row: row j has
/// `kept[j]` weights, `values[k]` multiplying `x[indices[k]]`, rows one after another in
/// `values` and `indices`. Index is an unsigned integer type (std::uint8_t when the layer has
/// at most 256 inputs); Count an unsigned type that holds the layer's input count.
/// Preconditions: every index < the layer's inputs; values and indices hold the sum of
/// kept[0 .. out - 1] entries. Each row sums from its bias, in stored order. Returns the
/// weights it read (the sum of the counts: where the next layer's start). The reference
/// loop: the specification every sparse_forward variant matches.
template <class T, class Index, class Count>
std::size_t sparse_forward(const T* MICROPROP_RESTRICT values, const Index* MICROPROP_RESTRICT indices,
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

}  // namespace microprop::kernels::reference

#endif
