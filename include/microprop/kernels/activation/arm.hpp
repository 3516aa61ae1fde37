// ReLU and its derivative on the sign bit, for every float back-end on Arm (in kernels::arm_bits).
#ifndef MICROPROP_KERNELS_ACTIVATION_ARM_HPP
#define MICROPROP_KERNELS_ACTIVATION_ARM_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include "../../config.hpp"

namespace microprop::kernels::arm_bits {

// On Arm the comparisons below cost an FPSCR transfer each; the sign bit does the same
// work in integer registers (relu(-0) = +0 as with the reference; a NaN passes through).
inline void relu(float* z, std::size_t n)
{
#pragma GCC unroll 4
    for (std::size_t i = 0; i < n; ++i) {
        std::int32_t v;
        std::memcpy(&v, z + i, sizeof v);
        v &= ~(v >> 31);
        std::memcpy(z + i, &v, sizeof v);
    }
}
/// g <- z > 0 ? g : 0; z holds ReLU outputs, so z > 0 is a positive non-zero bit pattern.
inline void relu_backward(const float* MICROPROP_RESTRICT z, float* MICROPROP_RESTRICT g, std::size_t n)
{
#pragma GCC unroll 4
    for (std::size_t i = 0; i < n; ++i) {
        std::int32_t v;
        std::memcpy(&v, z + i, sizeof v);
        if (v <= 0) g[i] = 0.0f;
    }
}

}  // namespace microprop::kernels::arm_bits

#endif
