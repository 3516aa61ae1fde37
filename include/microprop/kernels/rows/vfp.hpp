// Row operations of the float kernels on Cortex-M cores with a 32-register single-precision FPU:
// row += a x, a . b and linear combinations of rows, as the VLDM/VSTM row kernels of
// dense_forward/vfp.hpp and dense_sgd/vfp.hpp (eight values a block) plus a scalar tail.
#ifndef MICROPROP_KERNELS_ROWS_VFP_HPP
#define MICROPROP_KERNELS_ROWS_VFP_HPP

#include <cstddef>
#include <cstdint>
#include "../../config.hpp"
#include "../dense_forward/vfp.hpp"
#include "../dense_sgd/vfp.hpp"

// Only where MICROPROP_KERNELS_VFP (config.hpp) holds: Clang checks the register names of
// asm clobber lists ("s0".."s31") even in functions never called, so the kernels must not be
// seen at all when the header is compiled on its own for another architecture.
#if MICROPROP_KERNELS_VFP

namespace microprop::kernels::fast_vfp {

/// row += a * x over n values (n a multiple of 8).
inline void axpy8(float* row, const float* x, float a, std::size_t n)
{
    const float minus_a = -a;
    vfp::update_row1(row, x, &minus_a, n / 8);
}
/// acc + a . b over n values (n a multiple of 8).
inline float dot8(const float* a, const float* b, std::size_t n, float acc)
{
    float out;
    vfp::forward_row1(a, b, &acc, &out, n / 8);
    return out;
}
/// out_r = bias_r 1^T + sum_k c(r, k) M_k for r < rows, c(r, k) = coef[r * coef_r + k * coef_k],
/// M_k the n values at m + k * m_row, out_r the n values at out + r * n (n a multiple of 8; no
/// bias when bias is null): simd::combine_rows as VLDM/VSTM row updates.
inline void combine_rows8(const float* MICROPROP_RESTRICT coef, std::size_t coef_r, std::size_t coef_k,
                          const float* MICROPROP_RESTRICT bias, const float* MICROPROP_RESTRICT m, std::size_t m_row,
                          float* MICROPROP_RESTRICT out, std::size_t rows, std::size_t ks, std::size_t n)
{
    for (std::size_t r = 0; r < rows; ++r) {
        float* o = out + r * n;
        if (bias == nullptr) {
            std::memset(o, 0, n * sizeof(float));
        } else {
            for (std::size_t s = 0; s < n; ++s) o[s] = bias[r];
        }
        const float* c = coef + r * coef_r;
        const float* mk = m;
        for (std::size_t k = 0; k < ks; ++k, c += coef_k, mk += m_row) axpy8(o, mk, *c, n);
    }
}

/// u += a * row over n values.
inline void add_scaled_row(float* MICROPROP_RESTRICT u, const float* MICROPROP_RESTRICT row, float a, std::size_t n)
{
    std::size_t j = 0;
    j = n - n % 8;
    if (j > 0) axpy8(u, row, a, j);
    for (; j < n; ++j) u[j] += a * row[j];
}

/// row . v over n values.
inline float row_dot(const float* MICROPROP_RESTRICT row, const float* MICROPROP_RESTRICT v, std::size_t n)
{
    const std::size_t full = n - n % 8;
    float acc = full > 0 ? dot8(row, v, full, 0.0f) : 0.0f;
    for (std::size_t j = full; j < n; ++j) acc += row[j] * v[j];
    return acc;
}

}  // namespace microprop::kernels::fast_vfp

#endif  // MICROPROP_KERNELS_VFP

#endif
