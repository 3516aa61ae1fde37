// Per-sample SGD of one q3_12 layer (dense_sgd/reference.hpp is the float specification);
// the row update is the variant select_fixed.hpp includes before this file.
#include "../select_fixed.hpp"  // first: the chosen inner loop
#ifndef MICROPROP_KERNELS_DENSE_SGD_FIXED_HPP
#define MICROPROP_KERNELS_DENSE_SGD_FIXED_HPP

#include <cstddef>
#include <cstdint>
#include "../common/fixed_arith.hpp"
#include "../common/fixed_exact_sum.hpp"

namespace microprop::kernels::fixed {

/// Per-sample SGD of one layer: W <- W - lr (delta x^T + decay W), b <- b - lr (delta + decay b),
/// every step rounded stochastically. Rows whose delta is 0 (inactive ReLU units) do not
/// change and are skipped. Call dense_backward_input first if the layer passes a delta down:
/// this changes W.
///
/// Row j's step lr delta_j x_i, in steps of 1/4096, is s x_i / 2^16 with s = lr delta_j 2^16
/// (|s| <= 2^15: a step of at most 4 per weight; larger ones are clamped and counted). s is
/// rounded stochastically from the high half of one random word, each weight's step from
/// the low half, so both roundings are unbiased and the update is lr delta x in expectation.
inline void dense_sgd_update(q3_12* MICROPROP_RESTRICT w, q3_12* MICROPROP_RESTRICT b,
                             const q3_12* MICROPROP_RESTRICT x, const q3_12* MICROPROP_RESTRICT delta,
                             std::size_t in, std::size_t out, factor lr, factor decay, random_generator& rng)
{
    const factor keep = factor_product(lr, decay);
    for (std::size_t j = 0; j < out; ++j) {
        q3_12* row = w + j * in;
        if (!keep.is_zero()) {
            // Weight decay first, with the weights as they were: w <- w - lr decay w.
            const step_scale c = normalise_step(keep.mantissa, keep.shift);
            const std::int32_t r = dither(rng.next(), c.shift);
            for (std::size_t i = 0; i < in; ++i) {
                row[i].raw = saturate16(row[i].raw - ((c.scale * row[i].raw + r) >> c.shift));
            }
            b[j].raw = saturate16(b[j].raw - ((c.scale * b[j].raw + r) >> c.shift));
        }
        const std::int32_t dj = delta[j].raw;
        if (dj == 0) continue;
        // s = lr.mantissa dj 2^(4 - lr.shift): lr delta_j in units of 2^-16 of a step per unit of x.
        std::int32_t v = lr.mantissa * dj;
        std::int32_t k = lr.shift - 4;
        if (k > 30) {
            v = k - 30 >= 31 ? (v < 0 ? -1 : 0) : (v >> (k - 30));
            k = 30;
        }
        const std::uint32_t random_word = rng.next();
        const std::int32_t r = dither(random_word << 16, 16);
        std::int32_t s = v;
        if (k > 0) {
            const std::int32_t r_s = k <= 16 ? dither(random_word, k) : dither(random_word, 16) * (1 << (k - 16));
            s = (v + r_s) >> k;  // |v| < 2^30 and r_s < 2^k <= 2^30: no overflow
        } else if (k < 0) {
            s = v > (32768 >> -k) ? 32769 : (v < -(32768 >> -k) ? -32769 : v * (1 << -k));
        }
        if (s > 32768 || s < -32768) {
            ++microprop::detail::fixed_saturations;
            s = s > 0 ? 32768 : -32768;
        }
        subtract_scaled_row(row, x, in, s, r);
        b[j].raw = saturate16(b[j].raw - ((s * microprop::fixed::one + r) >> 16));
    }
}

}  // namespace microprop::kernels::fixed

#endif
