// u = W x + b for q3_12 networks (dense_forward/reference.hpp is the float specification);
// the dot product is the variant select_fixed.hpp includes before this file.
#include "../select_fixed.hpp"  // first: the chosen inner loop
#ifndef MICROPROP_KERNELS_DENSE_FORWARD_FIXED_HPP
#define MICROPROP_KERNELS_DENSE_FORWARD_FIXED_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

namespace microprop::kernels::fixed {

/// u = W x + b: each output an exact 64-bit sum, rounded once to nearest and saturated.
inline void dense_forward(const q3_12* MICROPROP_RESTRICT w, const q3_12* MICROPROP_RESTRICT b,
                          const q3_12* MICROPROP_RESTRICT x, q3_12* MICROPROP_RESTRICT u, std::size_t in,
                          std::size_t out)
{
    for (std::size_t j = 0; j < out; ++j) {
        const exact_sum bias = exact_sum_from(std::int32_t(b[j].raw) * microprop::fixed::one);
        u[j].raw = narrow_exact(dot_exact(w + j * in, x, in, bias));
    }
}

}  // namespace microprop::kernels::fixed

#endif
