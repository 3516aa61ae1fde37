// The forward pass of a pruned dense layer stored row by row: for output j, only the kept
// weights, as (input index, value) pairs (compressed sparse rows, CSR, without the row
// pointer array: each row's count is enough because the rows are read in order).
//
// Cost per kept weight is a load of the index, an indexed load of x, a load of the value and
// a multiply-add; a dense row streams W and x in order (VLDM on the Cortex-M4F: about 1.5
// instructions a weight). Skipping pays only when most weights are gone: tests/bench/README.md,
// "Pruned networks", has the measured break-even.
#ifndef MICROPROP_KERNELS_SPARSE_DENSE_HPP
#define MICROPROP_KERNELS_SPARSE_DENSE_HPP

#include <cstddef>

#include "../config.hpp"

namespace microprop::kernels::sparse {

/// z = W x + b for a layer whose kept weights are stored row after row: row j has
/// `kept[j]` weights, `values[k]` multiplying `x[indices[k]]`, rows one after another in
/// `values` and `indices`. Index is an unsigned integer type (std::uint8_t when the layer has
/// at most 256 inputs); Count an unsigned type that holds the layer's input count.
/// Preconditions: every index < the layer's inputs; values and indices hold the sum of
/// kept[0 .. out - 1] entries. Each row sums from its bias, in stored order.
template <class T, class Index, class Count>
void dense_forward(const T* MICROPROP_RESTRICT values, const Index* MICROPROP_RESTRICT indices,
                   const Count* MICROPROP_RESTRICT kept, const T* MICROPROP_RESTRICT b,
                   const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT z, std::size_t out)
{
    for (std::size_t j = 0; j < out; ++j) {
        const std::size_t count = kept[j];
        T acc = b[j];
        for (std::size_t k = 0; k < count; ++k) acc += values[k] * x[indices[k]];
        values += count;
        indices += count;
        z[j] = acc;
    }
}

}  // namespace microprop::kernels::sparse

#endif
