// Row operations in plain C++ (the fast-portable back-end): row += a x and a . b.
#ifndef MICROPROP_KERNELS_ROWS_PORTABLE_HPP
#define MICROPROP_KERNELS_ROWS_PORTABLE_HPP

#include <cstddef>
#include "../../config.hpp"
#include "../dense_forward/portable.hpp"

namespace microprop::kernels::fast_portable {

/// u += a * row over n values.
inline void add_scaled_row(float* MICROPROP_RESTRICT u, const float* MICROPROP_RESTRICT row, float a, std::size_t n)
{
    std::size_t j = 0;
    for (; j < n; ++j) u[j] += a * row[j];
}

/// row . v over n values.
inline float row_dot(const float* MICROPROP_RESTRICT row, const float* MICROPROP_RESTRICT v, std::size_t n)
{
    return dot_portable(row, v, n, 0.0f);
}

}  // namespace microprop::kernels::fast_portable

#endif
