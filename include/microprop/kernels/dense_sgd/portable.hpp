// The per-sample SGD step of a float layer in plain C++ (the fast-portable back-end), dead
// units (delta exactly 0) skipped unless MICROPROP_SKIP_DEAD_UNITS=0.
#ifndef MICROPROP_KERNELS_DENSE_SGD_PORTABLE_HPP
#define MICROPROP_KERNELS_DENSE_SGD_PORTABLE_HPP

#include <cstddef>
#include "../../config.hpp"

namespace microprop::kernels::fast_portable {

/// row -= step * x.
inline void update_row_portable(float* MICROPROP_RESTRICT row, const float* MICROPROP_RESTRICT x,
                                std::size_t in, float step)
{
    for (std::size_t i = 0; i < in; ++i) row[i] -= step * x[i];
}

/// The first layer's update (no g_in): W -= lr delta x^T, b -= lr delta.
/// With `relu_z` set, delta holds W^T delta of the layer above and row j's delta is delta_j
/// where relu_z[j] > 0 and 0 elsewhere (the ReLU derivative applied on the fly).
/// (SkipZeroDelta is the VFP back-end's; this loop skips by MICROPROP_SKIP_DEAD_UNITS.)
template <bool SkipZeroDelta = false>
inline void update_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                         const float* MICROPROP_RESTRICT x, const float* MICROPROP_RESTRICT delta,
                         std::size_t in, std::size_t out, float lr, const float* relu_z = nullptr)
{
    for (std::size_t j = 0; j < out; ++j) {
        float dj = delta[j];
        if (relu_z != nullptr && !(relu_z[j] > 0.0f)) dj = 0.0f;
#if MICROPROP_SKIP_DEAD_UNITS
        if (dj == 0.0f) continue;
#endif
        const float step = lr * dj;
        b[j] -= step;
        update_row_portable(w + j * in, x, in, step);
    }
}

/// The first layer's update below a ReLU: update_float with relu_z = z.
MICROPROP_ALWAYS_INLINE void update_below_relu_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                                                     const float* MICROPROP_RESTRICT x,
                                                     const float* MICROPROP_RESTRICT delta,
                                                     const float* MICROPROP_RESTRICT z, std::size_t in,
                                                     std::size_t out, float lr)
{
    update_float(w, b, x, delta, in, out, lr, z);
}

/// g_in = W^T delta with the weights on entry, W -= lr delta x^T, b -= lr delta.
inline void backward_update_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                                  const float* MICROPROP_RESTRICT x, const float* MICROPROP_RESTRICT delta,
                                  float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, float lr)
{
    for (std::size_t i = 0; i < in; ++i) g_in[i] = 0.0f;
    for (std::size_t j = 0; j < out; ++j) {
        const float dj = delta[j];
#if MICROPROP_SKIP_DEAD_UNITS
        if (dj == 0.0f) continue;
#endif
        const float step = lr * dj;
        float* MICROPROP_RESTRICT row = w + j * in;
        for (std::size_t i = 0; i < in; ++i) {
            g_in[i] += row[i] * dj;
            row[i] -= step * x[i];
        }
        b[j] -= step;
    }
}

}  // namespace microprop::kernels::fast_portable

#endif
