// g_in = W^T delta for q3_12 networks (dense_backward/reference.hpp is the float specification);
// the column sum is the variant select_fixed.hpp includes before this file.
#include "../select_fixed.hpp"  // first: the chosen inner loop
#ifndef MICROPROP_KERNELS_DENSE_BACKWARD_FIXED_HPP
#define MICROPROP_KERNELS_DENSE_BACKWARD_FIXED_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

namespace microprop::kernels::fixed {

/// g_in = W^T delta (with the weights as they are), rounded to nearest and saturated.
/// With `relu_output` (the ReLU output of the layer below, or null) the inputs whose unit
/// is inactive get 0 without their sum: the ReLU derivative would zero them anyway.
inline void dense_backward_input(const q3_12* MICROPROP_RESTRICT w, const q3_12* MICROPROP_RESTRICT delta,
                                 q3_12* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out,
                                 const q3_12* MICROPROP_RESTRICT relu_output = nullptr)
{
    for (std::size_t i = 0; i < in; ++i) {
        if (relu_output != nullptr && relu_output[i].raw <= 0) {
            g_in[i].raw = 0;
            continue;
        }
        g_in[i].raw = narrow_exact(column_dot_exact(w + i, in, delta, out, exact_sum_from(0)));
    }
}

}  // namespace microprop::kernels::fixed

#endif
