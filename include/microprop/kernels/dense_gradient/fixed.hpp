// Gradient accumulation for q3_12 networks: per sample, rounded stochastically, and the
// exact Q6.24 sums of a minibatch (dense_gradient/reference.hpp is the float specification).
#ifndef MICROPROP_KERNELS_DENSE_GRADIENT_FIXED_HPP
#define MICROPROP_KERNELS_DENSE_GRADIENT_FIXED_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

namespace microprop::kernels::fixed {

/// gW += delta x^T, gb += delta, each product rounded stochastically to Q3.12 (one random
/// word per row) and saturated.
inline void dense_accumulate_gradient(const q3_12* MICROPROP_RESTRICT delta, const q3_12* MICROPROP_RESTRICT x,
                                      q3_12* MICROPROP_RESTRICT gw, q3_12* MICROPROP_RESTRICT gb, std::size_t in,
                                      std::size_t out, random_generator& rng)
{
    for (std::size_t j = 0; j < out; ++j) {
        const std::int32_t dj = delta[j].raw;
        gb[j].raw = saturate16(std::int32_t(gb[j].raw) + dj);
        if (dj == 0) continue;
        q3_12* row = gw + j * in;
        const std::int32_t r = dither(rng.next(), microprop::fixed::fraction_bits);
        for (std::size_t i = 0; i < in; ++i) {
            row[i].raw = saturate16(row[i].raw + ((dj * x[i].raw + r) >> microprop::fixed::fraction_bits));
        }
    }
}

/// Minibatch gradient sums: sw += delta x^T and sb += delta, every product exact in Q6.24
/// (a 32-bit integer: delta_j x_i 2^24) and added with saturation (counted). The sums hold
/// |sum| < 128 exactly, e.g. 16 samples whose |delta_j x_i| stay below 8. Rows whose delta
/// is 0 (inactive ReLU units) add nothing and are skipped.
inline void dense_accumulate_exact(const q3_12* MICROPROP_RESTRICT delta, const q3_12* MICROPROP_RESTRICT x,
                                   std::int32_t* MICROPROP_RESTRICT sw, std::int32_t* MICROPROP_RESTRICT sb,
                                   std::size_t in, std::size_t out)
{
    for (std::size_t j = 0; j < out; ++j) {
        const std::int32_t dj = delta[j].raw;
        if (dj == 0) continue;
        sb[j] = add_saturating32(sb[j], dj * microprop::fixed::one);
        std::int32_t* row = sw + j * in;
        for (std::size_t i = 0; i < in; ++i) row[i] = add_saturating32(row[i], dj * x[i].raw);
    }
}

}  // namespace microprop::kernels::fixed

#endif
