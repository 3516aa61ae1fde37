// The minibatch products of a float layer on vectors: the first layer's product loads each
// weight vector once for two samples, its gradient keeps a chunk of columns of every sample in
// L1; the later layers' gradient is the forward kernel's product with delta.
// Compiled by select_simd.hpp (through common/simd_kernel_list.hpp) once per instruction set, so
// it has no include guard; included on its own it includes select_simd.hpp.
#ifndef MICROPROP_SIMD_NAMESPACE
#include "../select_simd.hpp"
#else

namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE {

/// U = W X + b 1^T for the first layer, X = the samples one after another (x_s at x + s * x_col):
/// blocks of four rows times two samples share their loads (each weight vector is loaded
/// once for two samples, so a wide layer streams its weights from cache half as often as
/// the per-sample forward kernel would), each of the eight sums reduced by a transpose-and-add;
/// the rows and the sample left over go through the per-sample kernel.
inline void forward_batch_samples(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                                  const float* MICROPROP_RESTRICT x, std::size_t x_col, float* MICROPROP_RESTRICT u,
                                  std::size_t in, std::size_t out, std::size_t n)
{
    constexpr std::size_t group = 64;  // outputs per call of the per-sample kernel
    float column[group];
    // Rows [j_from, out) of sample s through the per-sample kernel.
    const auto rest_of_sample = [&](std::size_t s, std::size_t j_from) {
        for (std::size_t j0 = j_from; j0 < out; j0 += group) {
            const std::size_t rows = out - j0 < group ? out - j0 : group;
            forward(w + j0 * in, b + j0, x + s * x_col, column, in, rows, false);
            for (std::size_t r = 0; r < rows; ++r) u[(j0 + r) * n + s] = column[r];
        }
    };
    std::size_t s = 0;
    if (in >= lanes) {
        const std::size_t full = in - in % lanes;
        for (; s + 2 <= n; s += 2) {
            const float* x0 = x + s * x_col;
            const float* x1 = x0 + x_col;
            std::size_t j = 0;
            for (; j + 4 <= out; j += 4) {
                const float* row = w + j * in;
                vec a0[4], a1[4];
#pragma GCC unroll 4
                for (std::size_t r = 0; r < 4; ++r) a0[r] = a1[r] = vec{};
                for (std::size_t i = 0; i < full; i += lanes) {
                    const vec v0 = load(x0 + i);
                    const vec v1 = load(x1 + i);
#pragma GCC unroll 4
                    for (std::size_t r = 0; r < 4; ++r) {
                        const vec wv = load(row + r * in + i);
                        a0[r] = madd(wv, v0, a0[r]);
                        a1[r] = madd(wv, v1, a1[r]);
                    }
                }
                const vec4 bias = load4(b + j);
                vec4 t0 = sums4(fold4(a0[0]), fold4(a0[1]), fold4(a0[2]), fold4(a0[3])) + bias;
                vec4 t1 = sums4(fold4(a1[0]), fold4(a1[1]), fold4(a1[2]), fold4(a1[3])) + bias;
                for (std::size_t i = full; i < in; ++i) {
                    const vec4 column_i = {row[i], row[in + i], row[2 * in + i], row[3 * in + i]};
                    t0 += column_i * x0[i];
                    t1 += column_i * x1[i];
                }
#pragma GCC unroll 4
                for (std::size_t r = 0; r < 4; ++r) {
                    u[(j + r) * n + s] = t0[r];
                    u[(j + r) * n + s + 1] = t1[r];
                }
            }
            if (j < out) {
                rest_of_sample(s, j);
                rest_of_sample(s + 1, j);
            }
        }
    }
    for (; s < n; ++s) rest_of_sample(s, 0);
}

/// dW_j = scale sum_s delta(j, s) x_s for the first layer (x_s at x + s * x_col), db_j =
/// scale sum_s delta(j, s): a chunk of columns at a time (that chunk of every sample stays in
/// L1 while every row j accumulates it in registers); samples whose delta(j, s) is 0 (an
/// inactive ReLU unit) add nothing and are skipped.
inline void gradient_batch_samples(const float* MICROPROP_RESTRICT delta, const float* MICROPROP_RESTRICT x,
                                   std::size_t x_col, float* MICROPROP_RESTRICT gw, float* MICROPROP_RESTRICT gb,
                                   std::size_t in, std::size_t out, std::size_t n, float scale, bool add = false)
{
    const vec scale_v = splat(scale);
    // With `add` the gradient is added to what gw and gb hold (a shared matrix's other use).
    for (std::size_t j = 0; j < out; ++j) {
        float bias_sum = 0.0f;
        for (std::size_t s = 0; s < n; ++s) bias_sum += delta[j * n + s];
        gb[j] = (add ? gb[j] : 0.0f) + scale * bias_sum;
    }
    std::size_t c = 0;
    for (; c + chunk_vectors * lanes <= in; c += chunk_vectors * lanes) {
        for (std::size_t j = 0; j < out; ++j) {
            const float* d_row = delta + j * n;
            vec acc[chunk_vectors];
#pragma GCC unroll 8
            for (std::size_t v = 0; v < chunk_vectors; ++v) acc[v] = vec{};
            for (std::size_t s = 0; s < n; ++s) {
                if (d_row[s] == 0.0f) continue;
                const vec d = splat(d_row[s]);
                const float* xs = x + s * x_col + c;
#pragma GCC unroll 8
                for (std::size_t v = 0; v < chunk_vectors; ++v) acc[v] = madd(d, load(xs + v * lanes), acc[v]);
            }
            float* g_row = gw + j * in + c;
#pragma GCC unroll 8
            for (std::size_t v = 0; v < chunk_vectors; ++v) {
                store(g_row + v * lanes, add ? madd(acc[v], scale_v, load(g_row + v * lanes)) : acc[v] * scale_v);
            }
        }
    }
    for (std::size_t j = 0; j < out; ++j) {
        const float* d_row = delta + j * n;
        float* g_row = gw + j * in;
        std::size_t i = c;
        for (; i + lanes <= in; i += lanes) {
            vec acc{};
            for (std::size_t s = 0; s < n; ++s) acc = madd(splat(d_row[s]), load(x + s * x_col + i), acc);
            store(g_row + i, add ? madd(acc, scale_v, load(g_row + i)) : acc * scale_v);
        }
        for (; i < in; ++i) {
            float acc = 0.0f;
            for (std::size_t s = 0; s < n; ++s) acc += d_row[s] * x[s * x_col + i];
            g_row[i] = (add ? g_row[i] : 0.0f) + scale * acc;
        }
    }
}

/// dW(j, i) = scale delta_j . X_i for a layer whose input X is `[in][N]` (rows n apart): row
/// j of dW is the forward kernel's product of X (as an in x n matrix) with delta_j. dW(j, i)
/// is at gw[j * w_row + i * w_col] (a tied layer: w_row = 1, w_col = out); with `add` the
/// gradient is added to what gw and gb hold.
inline void gradient_batch_rows(const float* MICROPROP_RESTRICT delta, const float* MICROPROP_RESTRICT x,
                                float* MICROPROP_RESTRICT gw, std::size_t w_row, std::size_t w_col,
                                float* MICROPROP_RESTRICT gb, std::size_t in, std::size_t out, std::size_t n,
                                float scale, bool add = false)
{
    static constexpr float zeros[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    for (std::size_t j = 0; j < out; ++j) {
        const float* d_row = delta + j * n;
        float* g_row = gw + j * w_row;
        float bias_sum = 0.0f;
        for (std::size_t s = 0; s < n; ++s) bias_sum += d_row[s];
        gb[j] = (add ? gb[j] : 0.0f) + scale * bias_sum;
        vec4 t[2];
        for (std::size_t i = 0; i < in; i += 8) {
            const std::size_t count = in - i < 8 ? in - i : 8;
            forward_block<8>(x + i * n, zeros, d_row, n, count, t);
            if (!add && w_col == 1) {
                store4_partial(g_row + i, t[0] * scale, count);
                if (count > 4) store4_partial(g_row + i + 4, t[1] * scale, count - 4);
            } else {
                for (std::size_t k = 0; k < count; ++k) {
                    float& g = g_row[(i + k) * w_col];
                    g = (add ? g : 0.0f) + scale * t[k / 4][k % 4];
                }
            }
        }
    }
}

}  // namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE

#endif
