// u = W x + b for one float sample in plain C++ (the fast-portable back-end): eight independent
// partial sums per dot product from 16 inputs on.
#ifndef MICROPROP_KERNELS_DENSE_FORWARD_PORTABLE_HPP
#define MICROPROP_KERNELS_DENSE_FORWARD_PORTABLE_HPP

#include <cstddef>
#include "../../config.hpp"

namespace microprop::kernels::fast_portable {

/// acc + row . x over `in` values, eight partial sums for rows of 16 and more.
inline float dot_portable(const float* MICROPROP_RESTRICT row, const float* MICROPROP_RESTRICT x,
                          std::size_t in, float acc)
{
    std::size_t i = 0;
    if (in >= 16) {  // shorter rows: the partial sums cost more than they save
        float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (; i + 8 <= in; i += 8) {
            for (std::size_t k = 0; k < 8; ++k) s[k] += row[i + k] * x[i + k];
        }
        acc += ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    }
    for (; i < in; ++i) acc += row[i] * x[i];
    return acc;
}

/// u = W x + b, then ReLU when `relu` is set. Returns false (and leaves the
/// activation to the caller) when it could not fuse the ReLU.
inline bool forward_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                          const float* MICROPROP_RESTRICT x, float* MICROPROP_RESTRICT u, std::size_t in,
                          std::size_t out, bool relu)
{
    (void)relu;
    for (std::size_t j = 0; j < out; ++j) u[j] = dot_portable(w + j * in, x, in, b[j]);
    return false;
}

}  // namespace microprop::kernels::fast_portable

#endif
