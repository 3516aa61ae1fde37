// Softmax in plain C++ with the library's e^x (the fast-portable back-end, and the fallback of
// the others for strided values).
#ifndef MICROPROP_KERNELS_SOFTMAX_PORTABLE_HPP
#define MICROPROP_KERNELS_SOFTMAX_PORTABLE_HPP

#include <cstddef>
#include "../../config.hpp"
#include "../common/exp_float.hpp"

namespace microprop::kernels::fast_portable {

/// softmax over n values `stride` apart: maximum subtracted, e^x, times 1/sum.
MICROPROP_ALWAYS_INLINE void softmax_strided_float(float* z, std::size_t n, std::size_t stride)
{
    float largest = z[0];
    for (std::size_t i = 1; i < n; ++i) largest = z[i * stride] > largest ? z[i * stride] : largest;
    float sum = 0.0f;
    for (std::size_t i = 0; i < n; ++i) {
        z[i * stride] = fast::exp_nonpositive_float(z[i * stride] - largest);
        sum += z[i * stride];
    }
    const float inverse = 1.0f / sum;
    for (std::size_t i = 0; i < n; ++i) z[i * stride] *= inverse;
}

/// softmax over n contiguous values (the softmax activation).
MICROPROP_ALWAYS_INLINE void softmax_float(float* z, std::size_t n) { softmax_strided_float(z, n, 1); }

/// The minibatch softmax: no kernel of its own (false; the front runs softmax_strided per column).
MICROPROP_ALWAYS_INLINE bool softmax_columns_float(float*, std::size_t, std::size_t) { return false; }

/// softmax_float is only softmax_strided_float here (the front calls its own softmax_strided).
constexpr bool has_contiguous_softmax = false;

/// softmax(W x + b) in one kernel: none here (false).
MICROPROP_ALWAYS_INLINE bool forward_softmax_float(const float*, const float*, const float*, float*, std::size_t, std::size_t)
{
    return false;
}

}  // namespace microprop::kernels::fast_portable

#endif
