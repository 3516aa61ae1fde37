// Faster kernels with the reference signatures (reference.hpp stays the
// specification). Float gets:
//   - dead-unit skipping in the fused SGD backward pass: a row whose delta is
//     exactly 0 (an inactive ReLU unit) neither passes anything down nor
//     changes its weights, so it is skipped. Exact when weight_decay == 0 (the
//     only case that uses it); MICROPROP_SKIP_DEAD_UNITS=0 turns it off;
//   - on Cortex-M cores with a 32-register single-precision FPU, the VLDM/VSTM
//     streaming kernels of cortex_m_vfp.hpp;
//   - elsewhere with GCC/Clang and SSE2, AVX, AVX-512, NEON or Helium, the vector kernels of
//     simd.hpp (4, 8 or 16 lanes, FMA where the target has it, a vector e^x for softmax);
//   - otherwise plain loops with eight independent partial sums per dot product;
//   - on Arm, an inline e^x (expf.hpp) for sigmoid and softmax;
//   - for tied layers (W read transposed), the forward pass and the fused SGD step as one
//     scaled row of the stored matrix per input (VLDM/VSTM row kernels on the VFP cores),
//     inputs of exactly 0 skipped; their other kernels are the reference ones.
// Any other scalar type uses the reference kernels unchanged.
#ifndef MICROPROP_KERNELS_FAST_HPP
#define MICROPROP_KERNELS_FAST_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "../config.hpp"
#include "../layers/activations.hpp"
#include "expf.hpp"
#include "reference.hpp"

// MICROPROP_KERNELS_VFP (config.hpp) selects the VLDM/VSTM kernels.
#if MICROPROP_KERNELS_VFP
#include "cortex_m_vfp.hpp"
#endif

// Elsewhere with GCC/Clang and SSE2/AVX/AVX-512 or NEON: the vector kernels of simd.hpp.
#if !MICROPROP_KERNELS_VFP
#include "simd.hpp"
#endif
#if !MICROPROP_KERNELS_VFP && MICROPROP_KERNELS_SIMD
#define MICROPROP_KERNELS_VECTOR 1
#else
#define MICROPROP_KERNELS_VECTOR 0
#endif


namespace microprop::kernels::fast {

/// e^x as the fast kernels compute it.
inline float exp_float(float x)
{
#if defined(__arm__)
    return exp_inline(x);
#else
    return std::exp(x);
#endif
}
/// e^x for x <= 0 (softmax after subtracting the maximum).
inline float exp_nonpositive_float(float x)
{
#if defined(__arm__)
    return exp_nonpositive(x);
#else
    return std::exp(x);
#endif
}

// ---- Float implementations ---------------------------------------------------------------

namespace detail {

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

#if MICROPROP_KERNELS_VFP
/// vfp::forward_narrow_relu when `relu` is set (returns true), else vfp::forward_narrow (false).
/// Out of line: two calls in forward_float cost the 16-wide path registers (M7: 5 instructions
/// more a W2 inference).
#if defined(__GNUC__)
__attribute__((noinline))
#endif
inline bool forward_narrow_rows(const float* w, std::size_t stride_bytes, const float* x, const float* b, float* u,
                                std::size_t rows, std::size_t width, bool relu)
{
    if (relu) {
        vfp::forward_narrow_relu(w, stride_bytes, x, b, u, rows, width);
        return true;
    }
    vfp::forward_narrow(w, stride_bytes, x, b, u, rows, width);
    return false;
}
#endif

/// u = W x + b, then ReLU when `relu` is set. Returns false (and leaves the
/// activation to the caller) when it could not fuse the ReLU.
inline bool forward_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                          const float* MICROPROP_RESTRICT x, float* MICROPROP_RESTRICT u, std::size_t in,
                          std::size_t out, bool relu)
{
#if MICROPROP_KERNELS_VFP
    if (in >= 16) {
        // Sixteen inputs per block; the columns past the last full block go through forward_narrow.
        const std::size_t chunks = in / 16;
        const std::size_t tail_from = chunks * 16;
        const bool fuse = relu && tail_from == in && chunks % 2 == 0;
        const std::size_t blocks = out / 4;
        const std::size_t stride = in * sizeof(float);
        const float* row = w;
        if (blocks > 0) {
            // ReLU is fused for an even number of 16-input blocks (two per loop iteration);
            // otherwise the rows are computed plainly and the caller applies the ReLU.
            row = fuse ? vfp::forward_blocks32_relu(w, stride, x, b, u, blocks, chunks)
                       : vfp::forward_blocks16(w, stride, x, b, u, blocks, chunks);
        }
        std::size_t j = blocks * 4;
        if (out - j >= 2) {
            // Two remaining rows share the loads of x.
            vfp::forward_rows2_16(row, stride, x, b + j, u + j, chunks);
            if (fuse) {
                u[j] = u[j] <= 0.0f ? 0.0f : u[j];
                u[j + 1] = u[j + 1] <= 0.0f ? 0.0f : u[j + 1];
            }
            row += 2 * in;
            j += 2;
        }
        for (; j < out; ++j, row += in) {
            vfp::forward_row1(row, x, b + j, u + j, tail_from / 8);
            if (fuse) u[j] = u[j] <= 0.0f ? 0.0f : u[j];
        }
        if (tail_from != in && out > 0) {
            // The ReLU, when asked, as the tail's sums are stored (fuse is false here).
            return forward_narrow_rows(w + tail_from, stride, x + tail_from, u, u, out, in - tail_from, relu);
        }
        return fuse;
    }
    return out > 0 && forward_narrow_rows(w, in * sizeof(float), x, b, u, out, in, relu);
#elif MICROPROP_KERNELS_VECTOR
    simd_dispatch::forward(w, b, x, u, in, out, relu);
    return relu;
#else
    (void)relu;
#endif
    for (std::size_t j = 0; j < out; ++j) u[j] = dot_portable(w + j * in, x, in, b[j]);
    return false;
}

/// row -= step * x.
inline void update_row_portable(float* MICROPROP_RESTRICT row, const float* MICROPROP_RESTRICT x,
                                std::size_t in, float step)
{
    for (std::size_t i = 0; i < in; ++i) row[i] -= step * x[i];
}

#if MICROPROP_KERNELS_VFP
/// Columns [from, from + width) of `count` gathered rows: row -= step * x (width <= 15).
/// Out of line: inlined, its asm's registers crowd the 16-wide path of update_float.
#if defined(__GNUC__)
__attribute__((noinline))
#endif
inline void update_columns_narrow(float** rows, const float* steps, const float* x, std::size_t count,
                                  std::size_t from, std::size_t width)
{
    for (std::size_t k = 0; k < count; ++k) rows[k] += from;
    vfp::update_narrow(rows, steps, x + from, count, width);
}
#endif

/// The first layer's update (no g_in): W -= lr delta x^T, b -= lr delta.
/// With `relu_z` set, delta holds W^T delta of the layer above and row j's delta is delta_j
/// where relu_z[j] > 0 and 0 elsewhere (the ReLU derivative applied on the fly).
/// SkipZeroDelta also skips the rows whose delta is exactly 0 on the VFP cores (a minibatch
/// gradient, where most of them are inactive units; the per-sample step does not test for it).
template <bool SkipZeroDelta = false>
inline void update_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                         const float* MICROPROP_RESTRICT x, const float* MICROPROP_RESTRICT delta,
                         std::size_t in, std::size_t out, float lr, const float* relu_z = nullptr)
{
#if MICROPROP_KERNELS_VFP
    // The live rows (dead ones skipped) are gathered, up to 8 at a time (the stack stays small),
    // then streamed four together, sixteen columns per block, in one call; the columns past the
    // last block (all of them in rows shorter than 16) go through update_narrow.
    constexpr std::size_t gather = 8;
    const std::size_t chunks = in / 16;
    const std::size_t tail_from = chunks * 16;
    float* rows[gather];
    float steps[gather];
    std::size_t pending = 0;
    constexpr bool skip_dead = MICROPROP_SKIP_DEAD_UNITS != 0;
    const auto flush = [&](std::size_t count) {
        const std::size_t grouped = chunks > 0 ? count - count % 4 : 0;
        if (grouped > 0) vfp::update_groups16(rows, steps, x, grouped / 4, chunks);
        if (chunks > 0) {
            for (std::size_t k = grouped; k < count; ++k) vfp::update_row1(rows[k], x, steps + k, tail_from / 8);
        }
        if (tail_from != in) update_columns_narrow(rows, steps, x, count, tail_from, in - tail_from);
    };
    for (std::size_t j = 0; j < out; ++j) {
        float dj = delta[j];
        if (relu_z != nullptr) {
            // z > 0 tested on the bits (no FPSCR transfer); an inactive unit changes nothing.
            std::int32_t z_bits;
            std::memcpy(&z_bits, relu_z + j, sizeof z_bits);
            if (z_bits <= 0) {
                if (skip_dead) continue;
                dj = 0.0f;
            }
        }
        // A live unit whose delta happens to be exactly 0 is updated anyway (by 0): testing
        // for it would cost more than it saves, except in a minibatch gradient.
        if (SkipZeroDelta && dj == 0.0f) continue;
        const float step = lr * dj;
        b[j] -= step;
        rows[pending] = w + j * in;
        steps[pending] = step;
        if (++pending == gather) {
            flush(gather);
            pending = 0;
        }
    }
    if (pending > 0) flush(pending);
#elif MICROPROP_KERNELS_VECTOR
    simd_dispatch::update(w, b, x, delta, in, out, lr, relu_z);
#else
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
#endif
}

/// g_in = W^T delta with the weights on entry, W -= lr delta x^T, b -= lr delta.
inline void backward_update_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                                  const float* MICROPROP_RESTRICT x, const float* MICROPROP_RESTRICT delta,
                                  float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, float lr)
{
#if MICROPROP_KERNELS_VFP
    const std::size_t blocks = out > 0 ? in / 8 : 0;
    const std::size_t i0 = blocks * 8;
    const float zeros_lr[9] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, lr};
    for (std::size_t c = 0; c < blocks; ++c) {
        vfp::fused_columns8(w + 8 * c, in * sizeof(float), x + 8 * c, delta, zeros_lr, g_in + 8 * c, out);
    }
    if (i0 < in) {
        for (std::size_t i = i0; i < in; ++i) g_in[i] = 0.0f;
        for (std::size_t j = 0; j < out; ++j) {
            float* row = w + j * in;
            const float dj = delta[j];
            const float step = lr * dj;
            for (std::size_t i = i0; i < in; ++i) {
                g_in[i] += row[i] * dj;
                row[i] -= step * x[i];
            }
        }
    }
    for (std::size_t j = 0; j < out; ++j) b[j] -= lr * delta[j];
#elif MICROPROP_KERNELS_VECTOR
    simd_dispatch::backward_update(w, b, x, delta, g_in, in, out, lr);
#else
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
#endif
}

#if defined(__arm__)
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
#else
inline void relu(float* z, std::size_t n)
{
#if MICROPROP_KERNELS_VECTOR
    simd_dispatch::relu(z, n);
#else
    for (std::size_t i = 0; i < n; ++i) z[i] = z[i] <= 0.0f ? 0.0f : z[i];
#endif
}
inline void relu_backward(const float* MICROPROP_RESTRICT z, float* MICROPROP_RESTRICT g, std::size_t n)
{
#if MICROPROP_KERNELS_VECTOR
    simd_dispatch::relu_backward(z, g, n);
#else
    for (std::size_t i = 0; i < n; ++i) g[i] = z[i] > 0.0f ? g[i] : 0.0f;
#endif
}
#endif

#if MICROPROP_KERNELS_VFP
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
#endif

/// u += a * row over n values.
inline void add_scaled_row(float* MICROPROP_RESTRICT u, const float* MICROPROP_RESTRICT row, float a, std::size_t n)
{
#if MICROPROP_KERNELS_VECTOR
    simd_dispatch::add_scaled_row(u, row, a, n);
#else
    std::size_t j = 0;
#if MICROPROP_KERNELS_VFP
    j = n - n % 8;
    if (j > 0) axpy8(u, row, a, j);
#endif
    for (; j < n; ++j) u[j] += a * row[j];
#endif
}

/// row . v over n values.
inline float row_dot(const float* MICROPROP_RESTRICT row, const float* MICROPROP_RESTRICT v, std::size_t n)
{
#if MICROPROP_KERNELS_VECTOR
    return simd_dispatch::row_dot(row, v, n);
#elif MICROPROP_KERNELS_VFP
    const std::size_t full = n - n % 8;
    float acc = full > 0 ? dot8(row, v, full, 0.0f) : 0.0f;
    for (std::size_t j = full; j < n; ++j) acc += row[j] * v[j];
    return acc;
#else
    return dot_portable(row, v, n, 0.0f);
#endif
}

/// Tied layer, u = W x + b with W(j, i) at w[i * out + j]: one scaled row of the stored
/// matrix per input; an input of exactly 0 (an inactive ReLU unit below) adds nothing.
inline void forward_transposed_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                                     const float* MICROPROP_RESTRICT x, float* MICROPROP_RESTRICT u, std::size_t in,
                                     std::size_t out)
{
    for (std::size_t j = 0; j < out; ++j) u[j] = b[j];
    for (std::size_t i = 0; i < in; ++i) {
        if (x[i] != 0.0f) add_scaled_row(u, w + i * out, x[i], out);
    }
}

/// Tied layer's fused SGD step without weight decay: g_in_i = row_i . delta with the
/// weights on entry, then row_i -= lr x_i delta (skipped for x_i == 0), b -= lr delta.
inline void backward_sgd_transposed_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                                          const float* MICROPROP_RESTRICT x, const float* MICROPROP_RESTRICT delta,
                                          float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, float lr)
{
    for (std::size_t i = 0; i < in; ++i) {
        float* MICROPROP_RESTRICT row = w + i * out;
        if (g_in != nullptr) g_in[i] = row_dot(row, delta, out);
        const float step = lr * x[i];
        if (step != 0.0f) add_scaled_row(row, delta, -step, out);
    }
    for (std::size_t j = 0; j < out; ++j) b[j] -= lr * delta[j];
}

}  // namespace detail

// ---- The kernel set (same signatures as reference.hpp) ------------------------------------

template <class T>
void dense_forward(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b, const T* MICROPROP_RESTRICT x,
                   T* MICROPROP_RESTRICT u, std::size_t in, std::size_t out)
{
    if constexpr (std::is_same<T, float>::value) {
        detail::forward_float(w, b, x, u, in, out, false);
    } else {
        reference::dense_forward(w, b, x, u, in, out);
    }
}

template <class T>
void dense_backward_sgd(T* MICROPROP_RESTRICT w, T* MICROPROP_RESTRICT b, const T* MICROPROP_RESTRICT x,
                        const T* MICROPROP_RESTRICT delta, T* MICROPROP_RESTRICT g_in, std::size_t in,
                        std::size_t out, T lr, T decay)
{
    if constexpr (std::is_same<T, float>::value) {
        if (decay == 0.0f) {
            if (g_in == nullptr) {
                detail::update_float(w, b, x, delta, in, out, lr);
            } else {
                detail::backward_update_float(w, b, x, delta, g_in, in, out, lr);
            }
            return;
        }
    }
    reference::dense_backward_sgd(w, b, x, delta, g_in, in, out, lr, decay);
}

/// The first layer's fused SGD update when a ReLU follows it: g = W^T delta of the layer
/// above (overwritten), z = the ReLU's output. Same result as activation::backward on g
/// followed by dense_backward_sgd without g_in, without the separate pass over g.
template <class T>
MICROPROP_ALWAYS_INLINE void dense_update_below_relu(T* MICROPROP_RESTRICT w, T* MICROPROP_RESTRICT b, const T* MICROPROP_RESTRICT x,
                             T* MICROPROP_RESTRICT g, const T* MICROPROP_RESTRICT z, std::size_t in,
                             std::size_t out, T lr, T decay)
{
    if constexpr (std::is_same<T, float>::value) {
        if (decay == 0.0f) {
#if MICROPROP_KERNELS_VFP && MICROPROP_SKIP_DEAD_UNITS
            // Rows of 1-14 and 17-30 weights: no live rows gathered.
            if (in - 1 < 30 && in % 16 - 1 < 14) {
                vfp::update_rows_relu(w, b, x, g, z, out, in, lr);
                return;
            }
#endif
            detail::update_float(w, b, x, g, in, out, lr, z);
            return;
        }
    }
    activation::backward(activation_kind::relu, T(0), z, g, out);
    dense_backward_sgd(w, b, x, g, static_cast<T*>(nullptr), in, out, lr, decay);
}

/// A tied layer's forward pass (reference::dense_forward_transposed).
template <class T>
void dense_forward_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                              const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT u, std::size_t in, std::size_t out)
{
    if constexpr (std::is_same<T, float>::value) {
        detail::forward_transposed_float(w, b, x, u, in, out);
    } else {
        reference::dense_forward_transposed(w, b, x, u, in, out);
    }
}

/// A tied layer's fused SGD step (reference::dense_backward_sgd_transposed).
template <class T>
void dense_backward_sgd_transposed(T* MICROPROP_RESTRICT w, T* MICROPROP_RESTRICT b, const T* MICROPROP_RESTRICT x,
                                   const T* MICROPROP_RESTRICT delta, T* MICROPROP_RESTRICT g_in, std::size_t in,
                                   std::size_t out, T lr, T decay)
{
    if constexpr (std::is_same<T, float>::value) {
        if (decay == 0.0f) {
            detail::backward_sgd_transposed_float(w, b, x, delta, g_in, in, out, lr);
            return;
        }
    }
    reference::dense_backward_sgd_transposed(w, b, x, delta, g_in, in, out, lr, decay);
}

/// gW += scale delta x^T, gb += scale delta (reference::dense_accumulate_gradient), one
/// scaled copy of x per row; a row whose delta is exactly 0 (an inactive ReLU unit) adds
/// nothing to its weights and is skipped.
template <class T>
void dense_accumulate_gradient(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x,
                               T* MICROPROP_RESTRICT gw, T* MICROPROP_RESTRICT gb, std::size_t in,
                               std::size_t out, T scale)
{
    if constexpr (std::is_same<T, float>::value) {
        for (std::size_t j = 0; j < out; ++j) {
            const float dj = scale * delta[j];
            gb[j] += dj;
            if (dj != 0.0f) detail::add_scaled_row(gw + j * in, x, dj, in);
        }
    } else {
        reference::dense_accumulate_gradient(delta, x, gw, gb, in, out, scale);
    }
}

/// g_in = W^T delta (reference::dense_backward_input), as a sum of scaled rows of W;
/// rows whose delta is exactly 0 are skipped.
template <class T>
void dense_backward_input(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT delta,
                          T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out)
{
    if constexpr (std::is_same<T, float>::value) {
        for (std::size_t i = 0; i < in; ++i) g_in[i] = 0.0f;
        for (std::size_t j = 0; j < out; ++j) {
            if (delta[j] != 0.0f) detail::add_scaled_row(g_in, w + j * in, delta[j], in);
        }
    } else {
        reference::dense_backward_input(w, delta, g_in, in, out);
    }
}

/// A tied layer's g_in = W^T delta, W(j, i) at w[i * out + j]: one dot product per stored row
/// (reference::dense_backward_input_transposed).
template <class T>
void dense_backward_input_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT delta,
                                     T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out)
{
    if constexpr (std::is_same<T, float>::value) {
        for (std::size_t i = 0; i < in; ++i) g_in[i] = detail::row_dot(w + i * out, delta, out);
    } else {
        reference::dense_backward_input_transposed(w, delta, g_in, in, out);
    }
}

/// A tied layer's gradient, added into the shared matrix's (reference::
/// dense_accumulate_gradient_transposed): one scaled copy of delta per stored row; inputs of
/// exactly 0 (inactive ReLU units below) add nothing and are skipped.
template <class T>
void dense_accumulate_gradient_transposed(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x,
                                          T* MICROPROP_RESTRICT gw, T* MICROPROP_RESTRICT gb, std::size_t in,
                                          std::size_t out, T scale)
{
    if constexpr (std::is_same<T, float>::value) {
        for (std::size_t i = 0; i < in; ++i) {
            const float xi = scale * x[i];
            if (xi != 0.0f) detail::add_scaled_row(gw + i * out, delta, xi, out);
        }
        for (std::size_t j = 0; j < out; ++j) gb[j] += scale * delta[j];
    } else {
        reference::dense_accumulate_gradient_transposed(delta, x, gw, gb, in, out, scale);
    }
}

// ---- Minibatch kernels: the same matrix products, as VLDM/VSTM row operations --------------
// On the VFP cores every product below is a dot product of two contiguous rows or a row
// update `row += a * other_row`; with vectors (simd.hpp) the first layer runs the per-sample
// forward kernel on each sample and accumulates its gradient a chunk of columns at a time,
// the other layers combine rows of their `[width][N]` inputs a few vectors at a time; other
// targets (and odd strides) use the reference kernels.


template <class T>
void dense_forward_batch(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                         const T* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                         T* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
#if MICROPROP_KERNELS_VFP
    if constexpr (std::is_same<T, float>::value) {
        if (x_row == 1 && in >= 16) {
            // Samples are contiguous rows: the per-sample forward kernel (four rows per weight
            // stream) on each, its outputs written as column s of U.
            constexpr std::size_t group = 32;  // outputs per call: the column stays on the stack
            float column[group];
            for (std::size_t j0 = 0; j0 < out; j0 += group) {
                const std::size_t rows = out - j0 < group ? out - j0 : group;
                for (std::size_t s = 0; s < n; ++s) {
                    detail::forward_float(w + j0 * in, b + j0, x + s * x_col, column, in, rows, false);
                    for (std::size_t r = 0; r < rows; ++r) u[(j0 + r) * n + s] = column[r];
                }
            }
            return;
        }
        if (x_row == 1 && in % 8 == 0) {
            // Samples are contiguous rows: U(j, s) = b_j + W_j . x_s.
            for (std::size_t j = 0; j < out; ++j) {
                for (std::size_t s = 0; s < n; ++s) u[j * n + s] = detail::dot8(w + j * in, x + s * x_col, in, b[j]);
            }
            return;
        }
        if (x_col == 1 && n % 8 == 0) {
            // X is [in][n]: U_j = b_j 1^T + sum_i W(j, i) X_i.
            detail::combine_rows8(w, in, 1, b, x, x_row, u, out, in, n);
            return;
        }
    }
#elif MICROPROP_KERNELS_VECTOR
    if constexpr (std::is_same<T, float>::value) {
        if (x_row == 1) {
            simd_dispatch::forward_batch_samples(w, b, x, x_col, u, in, out, n);
            return;
        }
        if (x_col == 1) {
            // U_j = b_j 1^T + sum_i W(j, i) X_i.
            simd_dispatch::combine_rows(w, in, 1, b, x, x_row, u, out, in, n);
            return;
        }
    }
#endif
    reference::dense_forward_batch(w, b, x, x_row, x_col, u, in, out, n);
}

template <class T>
void dense_backward_input_batch(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT delta,
                                T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, std::size_t n)
{
#if MICROPROP_KERNELS_VFP
    if constexpr (std::is_same<T, float>::value) {
        if (n % 8 == 0) {
            // G_i = sum_j W(j, i) Delta_j.
            detail::combine_rows8(w, 1, in, static_cast<const float*>(nullptr), delta, n, g_in, in, out, n);
            return;
        }
    }
#elif MICROPROP_KERNELS_VECTOR
    if constexpr (std::is_same<T, float>::value) {
        // G_i = sum_j W(j, i) Delta_j.
        simd_dispatch::combine_rows(w, 1, in, static_cast<const float*>(nullptr), delta, n, g_in, in, out, n);
        return;
    }
#endif
    reference::dense_backward_input_batch(w, delta, g_in, in, out, n);
}

namespace detail {
/// dW (dW(j, i) at gw[j * w_row + i * w_col]) = scale Delta X^T, db = scale Delta 1, or added to
/// gw and gb with `add`, on the target's row kernels; false (nothing done) where they do not
/// cover the shapes.
MICROPROP_ALWAYS_INLINE bool gradient_batch_float(const float* MICROPROP_RESTRICT delta, const float* MICROPROP_RESTRICT x,
                                 std::size_t x_row, std::size_t x_col, float* MICROPROP_RESTRICT gw, std::size_t w_row,
                                 std::size_t w_col, float* MICROPROP_RESTRICT gb, std::size_t in, std::size_t out,
                                 std::size_t n, float scale, bool add)
{
#if MICROPROP_KERNELS_VFP
    return gradient_batch8(delta, x, x_row, x_col, gw, w_row, w_col, gb, in, out, n, scale, add);
#elif MICROPROP_KERNELS_VECTOR
    if (x_row == 1 && w_col == 1) {
        simd_dispatch::gradient_batch_samples(delta, x, x_col, gw, gb, in, out, n, scale, add);
        return true;
    }
    if (x_col == 1 && x_row == n) {
        simd_dispatch::gradient_batch_rows(delta, x, gw, w_row, w_col, gb, in, out, n, scale, add);
        return true;
    }
    return false;
#else
    (void)delta, (void)x, (void)x_row, (void)x_col, (void)gw, (void)w_row, (void)w_col, (void)gb;
    (void)in, (void)out, (void)n, (void)scale, (void)add;
    return false;
#endif
}
}  // namespace detail

template <class T>
void dense_gradient_batch(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x, std::size_t x_row,
                          std::size_t x_col, T* MICROPROP_RESTRICT gw, T* MICROPROP_RESTRICT gb, std::size_t in,
                          std::size_t out, std::size_t n, T scale)
{
    if constexpr (std::is_same<T, float>::value) {
        if (detail::gradient_batch_float(delta, x, x_row, x_col, gw, in, 1, gb, in, out, n, scale, false)) return;
    }
    reference::dense_gradient_batch(delta, x, x_row, x_col, gw, gb, in, out, n, scale);
}

/// The minibatch gradient of a layer whose matrix is shared (a tied layer, transposed, or
/// its source), added into the gradient (reference::dense_add_gradient_batch).
template <class T>
void dense_add_gradient_batch(const T* MICROPROP_RESTRICT delta, const T* MICROPROP_RESTRICT x, std::size_t x_row,
                              std::size_t x_col, T* MICROPROP_RESTRICT gw, T* MICROPROP_RESTRICT gb, std::size_t in,
                              std::size_t out, std::size_t n, T scale, bool transposed)
{
    if constexpr (std::is_same<T, float>::value) {
        if (detail::gradient_batch_float(delta, x, x_row, x_col, gw, transposed ? 1 : in, transposed ? out : 1, gb, in,
                                         out, n, scale, true)) {
            return;
        }
    }
    reference::dense_add_gradient_batch(delta, x, x_row, x_col, gw, gb, in, out, n, scale, transposed);
}

/// A tied layer's U = W X + b 1^T, W(j, i) at w[i * out + j] (reference::dense_forward_batch_transposed).
template <class T>
void dense_forward_batch_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                                    const T* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                                    T* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
#if MICROPROP_KERNELS_VFP
    if constexpr (std::is_same<T, float>::value) {
        if (x_col == 1 && n % 8 == 0) {
            detail::combine_rows8(w, 1, out, b, x, x_row, u, out, in, n);
            return;
        }
    }
#elif MICROPROP_KERNELS_VECTOR
    if constexpr (std::is_same<T, float>::value) {
        if (x_col == 1) {
            simd_dispatch::combine_rows(w, 1, out, b, x, x_row, u, out, in, n);
            return;
        }
    }
#endif
    reference::dense_forward_batch_transposed(w, b, x, x_row, x_col, u, in, out, n);
}

/// A tied layer's G = W^T Delta (reference::dense_backward_input_batch_transposed).
template <class T>
void dense_backward_input_batch_transposed(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT delta,
                                           T* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, std::size_t n)
{
#if MICROPROP_KERNELS_VFP
    if constexpr (std::is_same<T, float>::value) {
        if (n % 8 == 0) {
            detail::combine_rows8(w, out, 1, static_cast<const float*>(nullptr), delta, n, g_in, in, out, n);
            return;
        }
    }
#elif MICROPROP_KERNELS_VECTOR
    if constexpr (std::is_same<T, float>::value) {
        simd_dispatch::combine_rows(w, out, 1, static_cast<const float*>(nullptr), delta, n, g_in, in, out, n);
        return;
    }
#endif
    reference::dense_backward_input_batch_transposed(w, delta, g_in, in, out, n);
}

// ---- Activations with the inline e^x -----------------------------------------------------

template <class T>
void softmax_strided(T* z, std::size_t n, std::size_t stride)
{
    if constexpr (std::is_same<T, float>::value) {
#if MICROPROP_KERNELS_VFP
        if (stride == 1 && n > 0) {
            vfp::softmax(z, n);
            return;
        }
#elif MICROPROP_KERNELS_VECTOR
        if (stride == 1) {
            simd_dispatch::softmax(z, n);
            return;
        }
#endif
        float largest = z[0];
        for (std::size_t i = 1; i < n; ++i) largest = z[i * stride] > largest ? z[i * stride] : largest;
        float sum = 0.0f;
        for (std::size_t i = 0; i < n; ++i) {
            z[i * stride] = exp_nonpositive_float(z[i * stride] - largest);
            sum += z[i * stride];
        }
        const float inverse = 1.0f / sum;
        for (std::size_t i = 0; i < n; ++i) z[i * stride] *= inverse;
    } else {
        activation::softmax_strided(z, n, stride);
    }
}

/// Softmax of every column of z (`[rows][n]`, column s = sample s): the minibatch output layer.
template <class T>
void softmax_columns(T* z, std::size_t rows, std::size_t n)
{
#if MICROPROP_KERNELS_VECTOR
    if constexpr (std::is_same<T, float>::value) {
        simd_dispatch::softmax_columns(z, rows, n);
        return;
    }
#endif
    for (std::size_t s = 0; s < n; ++s) softmax_strided(z + s, rows, n);
}

/// z <- f(z), as activation::apply.
template <class T>
void activate(activation_kind kind, T parameter, T* z, std::size_t n)
{
    if constexpr (std::is_same<T, float>::value) {
        // Every kind handled here, so activation::apply (and the expf it calls) is not linked.
        switch (kind) {
            case activation_kind::identity:
                return;
            case activation_kind::sigmoid:
#if MICROPROP_KERNELS_VECTOR
                simd_dispatch::sigmoid(z, n);
#else
                for (std::size_t i = 0; i < n; ++i) z[i] = 1.0f / (1.0f + exp_float(-z[i]));
#endif
                return;
            case activation_kind::tanh:
                for (std::size_t i = 0; i < n; ++i) z[i] = scalar_ops<float>::tanh(z[i]);
                return;
            case activation_kind::relu:
                detail::relu(z, n);
                return;
            case activation_kind::leaky_relu:
                for (std::size_t i = 0; i < n; ++i) z[i] = z[i] > 0.0f ? z[i] : parameter * z[i];
                return;
            case activation_kind::softmax:
#if MICROPROP_KERNELS_VFP
                if (n > 0) vfp::softmax(z, n);
#else
                softmax_strided(z, n, 1);
#endif
                return;
        }
    } else {
        activation::apply(kind, parameter, z, n);
    }
}

/// z = f(W x + b): dense_forward then activate, with ReLU fused into the kernel where it can be.
template <class T>
void dense_forward_activate(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                            const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT z, std::size_t in,
                            std::size_t out, activation_kind kind, T parameter)
{
    if constexpr (std::is_same<T, float>::value) {
#if MICROPROP_KERNELS_VECTOR
        if (kind == activation_kind::softmax && simd_dispatch::forward_softmax(w, b, x, z, in, out)) return;
#endif
        if (detail::forward_float(w, b, x, z, in, out, kind == activation_kind::relu)) return;
#if MICROPROP_KERNELS_VFP
        if (kind == activation_kind::softmax && out > 0) {
            vfp::softmax(z, out);
            return;
        }
#endif
    } else {
        reference::dense_forward(w, b, x, z, in, out);
    }
    activate(kind, parameter, z, out);
}

/// g <- f'(u) g from z = f(u), as activation::backward.
template <class T>
void activation_backward(activation_kind kind, T parameter, const T* z, T* g, std::size_t n)
{
    if constexpr (std::is_same<T, float>::value) {
        // One loop per kind (activation::backward decides the kind per element), every kind
        // here so that activation::backward is not linked.
        switch (kind) {
            case activation_kind::relu:
                detail::relu_backward(z, g, n);
                return;
            case activation_kind::sigmoid:
            case activation_kind::tanh:
#if MICROPROP_KERNELS_VECTOR
                simd_dispatch::sigmoid_or_tanh_backward(z, g, n, kind == activation_kind::tanh);
#else
                if (kind == activation_kind::tanh) {
                    for (std::size_t i = 0; i < n; ++i) g[i] *= 1.0f - z[i] * z[i];
                } else {
                    for (std::size_t i = 0; i < n; ++i) g[i] *= z[i] * (1.0f - z[i]);
                }
#endif
                return;
            case activation_kind::leaky_relu:
                for (std::size_t i = 0; i < n; ++i) g[i] *= z[i] > 0.0f ? 1.0f : parameter;
                return;
            case activation_kind::identity:
                return;
            case activation_kind::softmax: {
                float dot = 0.0f;
                for (std::size_t i = 0; i < n; ++i) dot += g[i] * z[i];
                for (std::size_t i = 0; i < n; ++i) g[i] = z[i] * (g[i] - dot);
                return;
            }
        }
    } else {
        activation::backward(kind, parameter, z, g, n);
    }
}

}  // namespace microprop::kernels::fast

#endif
