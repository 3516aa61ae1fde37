// The minibatch hooks of the fast-portable back-end: none of its own, so every minibatch
// product runs the reference kernel.
#ifndef MICROPROP_KERNELS_DENSE_BATCH_PORTABLE_HPP
#define MICROPROP_KERNELS_DENSE_BATCH_PORTABLE_HPP

#include <cstddef>
#include "../../config.hpp"
#include "reference.hpp"

namespace microprop::kernels::fast_portable {

/// No kernel of its own: the reference.
MICROPROP_ALWAYS_INLINE void forward_batch_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                                                const float* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                                                float* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
    reference::dense_forward_batch(w, b, x, x_row, x_col, u, in, out, n);
}

/// No kernel of its own: the reference.
MICROPROP_ALWAYS_INLINE void backward_input_batch_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT delta,
                                                       float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out,
                                                       std::size_t n)
{
    reference::dense_backward_input_batch(w, delta, g_in, in, out, n);
}

/// No kernel of its own: false (the front runs the reference).
MICROPROP_ALWAYS_INLINE bool gradient_batch_float(const float* MICROPROP_RESTRICT delta, const float* MICROPROP_RESTRICT x,
                                 std::size_t x_row, std::size_t x_col, float* MICROPROP_RESTRICT gw, std::size_t w_row,
                                 std::size_t w_col, float* MICROPROP_RESTRICT gb, std::size_t in, std::size_t out,
                                 std::size_t n, float scale, bool add)
{
    (void)delta, (void)x, (void)x_row, (void)x_col, (void)gw, (void)w_row, (void)w_col, (void)gb;
    (void)in, (void)out, (void)n, (void)scale, (void)add;
    return false;
}

/// No kernel of its own: the reference.
MICROPROP_ALWAYS_INLINE void forward_batch_transposed_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                                                const float* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                                                float* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
    reference::dense_forward_batch_transposed(w, b, x, x_row, x_col, u, in, out, n);
}

/// No kernel of its own: the reference.
MICROPROP_ALWAYS_INLINE void backward_input_batch_transposed_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT delta,
                                                       float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out,
                                                       std::size_t n)
{
    reference::dense_backward_input_batch_transposed(w, delta, g_in, in, out, n);
}

}  // namespace microprop::kernels::fast_portable

#endif
