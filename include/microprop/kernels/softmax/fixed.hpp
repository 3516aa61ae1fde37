// Softmax of a q3_12 layer in integers: subtracts max(u), takes e^v in Q16 and multiplies by
// one reciprocal of the sum (one integer division per sample: a Cortex-M0 has no divide
// instruction). layers/activations.hpp is the float specification.
#ifndef MICROPROP_KERNELS_SOFTMAX_FIXED_HPP
#define MICROPROP_KERNELS_SOFTMAX_FIXED_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include "../../fixed_scalar.hpp"
#include "../common/fixed_math.hpp"

namespace microprop::kernels::fixed {

namespace math = microprop::fixed::math;

/// y = softmax(u) in place over n values: y_k = e^(u_k - max u) / sum_l e^(u_l - max u).
/// Each y_k is within 2 steps of 1/4096 of the exact value for n <= 16.
inline void softmax(q3_12* z, std::size_t n)
{
    std::int32_t largest = z[0].raw;
    for (std::size_t k = 1; k < n; ++k) largest = z[k].raw > largest ? z[k].raw : largest;
    // e^(u - max) in Q16, kept in the outputs' own 16 bits as unsigned (the largest, e^0 =
    // 65536, as 65535: 1.5e-5 low, far below the output's step of 2.4e-4).
    std::uint32_t sum = 0;
    for (std::size_t k = 0; k < n; ++k) {
        std::uint32_t e = math::exp_nonpositive_q16(z[k].raw - largest);
        e = e > 65535u ? 65535u : e;
        sum += e;
        const std::uint16_t bits = static_cast<std::uint16_t>(e);
        std::memcpy(&z[k].raw, &bits, sizeof bits);
    }
    // y_k = e_k / sum = e_k * (2^31 / sum) / 2^31; as Q12: (e_k * reciprocal) >> 19.
    const std::uint32_t reciprocal = 0x80000000u / sum;
    for (std::size_t k = 0; k < n; ++k) {
        std::uint16_t e;
        std::memcpy(&e, &z[k].raw, sizeof e);
        z[k].raw = static_cast<std::int16_t>((e * reciprocal + (1u << 18)) >> 19);
    }
}

}  // namespace microprop::kernels::fixed

#endif
