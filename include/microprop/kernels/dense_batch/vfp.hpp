// The minibatch products of a float layer on Cortex-M cores with a 32-register single-precision
// FPU: every product a dot product of two contiguous rows or a row update `row += a * other_row`
// (rows/vfp.hpp); odd strides and sizes fall back to the reference.
#ifndef MICROPROP_KERNELS_DENSE_BATCH_VFP_HPP
#define MICROPROP_KERNELS_DENSE_BATCH_VFP_HPP

#include <cstddef>
#include <cstdint>
#include "../../config.hpp"
#include "../dense_forward/vfp.hpp"
#include "../dense_sgd/vfp.hpp"
#include "../rows/vfp.hpp"
#include "reference.hpp"

// Only where MICROPROP_KERNELS_VFP (config.hpp) holds: Clang checks the register names of
// asm clobber lists ("s0".."s31") even in functions never called, so the kernels must not be
// seen at all when the header is compiled on its own for another architecture.
#if MICROPROP_KERNELS_VFP

namespace microprop::kernels::fast_vfp {

/// dW (dW(j, i) at gw[j * w_row + i * w_col]) = scale Delta X^T and db = scale Delta 1, or added
/// to gw and gb with `add`, as row updates (samples as rows, dead samples skipped) or dot
/// products (X as `[in][n]`). Returns false, doing nothing, for shapes those do not cover.
MICROPROP_ALWAYS_INLINE bool gradient_batch8(const float* MICROPROP_RESTRICT delta, const float* MICROPROP_RESTRICT x,
                                             std::size_t x_row, std::size_t x_col, float* MICROPROP_RESTRICT gw,
                                             std::size_t w_row, std::size_t w_col, float* MICROPROP_RESTRICT gb,
                                             std::size_t in, std::size_t out, std::size_t n, float scale, bool add)
{
    const bool sample_rows = x_row == 1 && w_col == 1 && in % 8 == 0;
    if (!sample_rows && !(x_col == 1 && n % 8 == 0)) return false;
    // From this row length on, gathering each sample's live rows for update_float costs less
    // than it saves (measured: W3's 784 inputs 4.8% fewer instructions per minibatch sample,
    // W2's 64 inputs 1.3% more).
    constexpr std::size_t row_update_from = 128;
    if (sample_rows && in >= row_update_from) {
        // Sample s adds scale delta(:, s) x_s^T to dW and scale delta(:, s) to db: the first
        // layer's SGD update with learning rate -scale, four live rows sharing each load of x_s.
        if (!add) {
            for (std::size_t j = 0; j < out; ++j) std::memset(gw + j * w_row, 0, in * sizeof(float));
            std::memset(gb, 0, out * sizeof(float));
        }
        constexpr std::size_t group = 32;  // rows per gathered column of delta
        float column[group];
        for (std::size_t j0 = 0; j0 < out; j0 += group) {
            const std::size_t rows = out - j0 < group ? out - j0 : group;
            for (std::size_t s = 0; s < n; ++s) {
                for (std::size_t r = 0; r < rows; ++r) column[r] = delta[(j0 + r) * n + s];
                update_float<true>(gw + j0 * w_row, gb + j0, x + s * x_col, column, in, rows, -scale);
            }
        }
        return true;
    }
    for (std::size_t j = 0; j < out; ++j) {
        const float* d_row = delta + j * n;
        float bias_sum = 0.0f;
        if (sample_rows) {
            // dW_j = scale sum_s delta(j, s) x_s.
            float* g_row = gw + j * w_row;
            if (!add) std::memset(g_row, 0, in * sizeof(float));
            for (std::size_t s = 0; s < n; ++s) {
                bias_sum += d_row[s];
                if (d_row[s] != 0.0f) axpy8(g_row, x + s * x_col, scale * d_row[s], in);
            }
        } else {
            // dW(j, i) = scale delta_j . X_i.
            for (std::size_t s = 0; s < n; ++s) bias_sum += d_row[s];
            for (std::size_t i = 0; i < in; ++i) {
                float& g = gw[j * w_row + i * w_col];
                const float product = scale * dot8(d_row, x + i * x_row, n, 0.0f);
                g = add ? g + product : product;
            }
        }
        gb[j] = add ? gb[j] + scale * bias_sum : scale * bias_sum;
    }
    return true;
}

/// U = W X + b 1^T (dense_forward_batch): the row kernels where the shapes suit them, else the reference.
MICROPROP_ALWAYS_INLINE void forward_batch_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                                                const float* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                                                float* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
    if (x_row == 1 && in >= 16) {
        // Samples are contiguous rows: the per-sample forward kernel (four rows per weight
        // stream) on each, its outputs written as column s of U.
        constexpr std::size_t group = 32;  // outputs per call: the column stays on the stack
        float column[group];
        for (std::size_t j0 = 0; j0 < out; j0 += group) {
            const std::size_t rows = out - j0 < group ? out - j0 : group;
            for (std::size_t s = 0; s < n; ++s) {
                forward_float(w + j0 * in, b + j0, x + s * x_col, column, in, rows, false);
                for (std::size_t r = 0; r < rows; ++r) u[(j0 + r) * n + s] = column[r];
            }
        }
        return;
    }
    if (x_row == 1 && in % 8 == 0) {
        // Samples are contiguous rows: U(j, s) = b_j + W_j . x_s.
        for (std::size_t j = 0; j < out; ++j) {
            for (std::size_t s = 0; s < n; ++s) u[j * n + s] = dot8(w + j * in, x + s * x_col, in, b[j]);
        }
        return;
    }
    if (x_col == 1 && n % 8 == 0) {
        // X is [in][n]: U_j = b_j 1^T + sum_i W(j, i) X_i.
        combine_rows8(w, in, 1, b, x, x_row, u, out, in, n);
        return;
    }
    reference::dense_forward_batch(w, b, x, x_row, x_col, u, in, out, n);
}

/// G_in = W^T Delta (dense_backward_input_batch): the row kernels for n a multiple of 8, else the reference.
MICROPROP_ALWAYS_INLINE void backward_input_batch_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT delta,
                                                       float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out,
                                                       std::size_t n)
{
    if (n % 8 == 0) {
        // G_i = sum_j W(j, i) Delta_j.
        combine_rows8(w, 1, in, static_cast<const float*>(nullptr), delta, n, g_in, in, out, n);
        return;
    }
    reference::dense_backward_input_batch(w, delta, g_in, in, out, n);
}

/// dW (dW(j, i) at gw[j * w_row + i * w_col]) = scale Delta X^T, db = scale Delta 1, or added to
/// gw and gb with `add`, on the target's row kernels; false (nothing done) where they do not
/// cover the shapes.
MICROPROP_ALWAYS_INLINE bool gradient_batch_float(const float* MICROPROP_RESTRICT delta, const float* MICROPROP_RESTRICT x,
                                 std::size_t x_row, std::size_t x_col, float* MICROPROP_RESTRICT gw, std::size_t w_row,
                                 std::size_t w_col, float* MICROPROP_RESTRICT gb, std::size_t in, std::size_t out,
                                 std::size_t n, float scale, bool add)
{
    return gradient_batch8(delta, x, x_row, x_col, gw, w_row, w_col, gb, in, out, n, scale, add);
}

/// A tied layer's U = W X + b 1^T, W(j, i) at w[i * out + j]: the row kernels where the shapes suit them,
/// else the reference.
MICROPROP_ALWAYS_INLINE void forward_batch_transposed_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                                                const float* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                                                float* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
    if (x_col == 1 && n % 8 == 0) {
        combine_rows8(w, 1, out, b, x, x_row, u, out, in, n);
        return;
    }
    reference::dense_forward_batch_transposed(w, b, x, x_row, x_col, u, in, out, n);
}

/// A tied layer's G_in = W^T Delta: the row kernels for n a multiple of 8, else the reference.
MICROPROP_ALWAYS_INLINE void backward_input_batch_transposed_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT delta,
                                                       float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out,
                                                       std::size_t n)
{
    if (n % 8 == 0) {
        combine_rows8(w, out, 1, static_cast<const float*>(nullptr), delta, n, g_in, in, out, n);
        return;
    }
    reference::dense_backward_input_batch_transposed(w, delta, g_in, in, out, n);
}

}  // namespace microprop::kernels::fast_vfp

#endif  // MICROPROP_KERNELS_VFP

#endif
