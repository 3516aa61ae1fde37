// The per-sample SGD step of a float layer on vectors: the rows that change gathered first (dead
// ReLU units skipped), then streamed a chunk of columns at a time with that chunk of x in
// registers; the output layer's fused step keeps its chunk of g_in in registers.
// Compiled by select_simd.hpp (through common/simd_kernel_list.hpp) once per instruction set, so
// it has no include guard; included on its own it includes select_simd.hpp.
#ifndef MICROPROP_SIMD_NAMESPACE
#include "../select_simd.hpp"
#else

namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE {

/// Bit r set where lane r of v is not zero (a NaN counts as not zero).
MICROPROP_ALWAYS_INLINE std::uint32_t nonzero_lanes(vec v)
{
#if MICROPROP_SIMD_LANES == 16
    return _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_NEQ_UQ);
#elif MICROPROP_SIMD_AVX
    return static_cast<std::uint32_t>(_mm256_movemask_ps(_mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_NEQ_UQ)));
#elif MICROPROP_SIMD_X86
    return static_cast<std::uint32_t>(_mm_movemask_ps(_mm_cmpneq_ps(v, _mm_setzero_ps())));
#else
    std::uint32_t mask = 0;
    for (std::size_t k = 0; k < lanes; ++k) mask |= static_cast<std::uint32_t>(v[k] != 0.0f) << k;
    return mask;
#endif
}

/// The rows set in `live` (bit r: row r, of `in` values) -= steps[r] * x, Vectors vectors of
/// columns from column c on, that chunk of x held in registers.
template <std::size_t Vectors>
MICROPROP_ALWAYS_INLINE void update_chunk(float* MICROPROP_RESTRICT w, std::uint64_t live, const float* steps,
                                          const float* MICROPROP_RESTRICT x, std::size_t in, std::size_t c)
{
    vec xv[Vectors];
#pragma GCC unroll 8
    for (std::size_t k = 0; k < Vectors; ++k) xv[k] = load(x + c + k * lanes);
    for (; live != 0; live &= live - 1) {
        const auto r = static_cast<std::size_t>(__builtin_ctzll(live));
        float* MICROPROP_RESTRICT p = w + r * in + c;
        in_register(p);
        const vec step = splat(steps[r]);
#pragma GCC unroll 8
        for (std::size_t k = 0; k < Vectors; ++k) {
            vec wv = load(p + k * lanes);
            in_register(wv);
            store(p + k * lanes, nmadd(step, xv[k], wv));
        }
    }
}

/// W -= lr delta x^T, b -= lr delta, for a layer that passes nothing down. With `relu_z`
/// set, delta holds W^T delta of the layer above and row j's delta is delta_j where
/// relu_z[j] > 0 and 0 elsewhere (the ReLU derivative applied on the fly). Steps and the
/// set of rows that change are found 64 rows at a time, then the rows are streamed a
/// chunk of columns at a time.
inline void update(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b, const float* MICROPROP_RESTRICT x,
                   const float* MICROPROP_RESTRICT delta, std::size_t in, std::size_t out, float lr,
                   const float* relu_z)
{
    if (in < lanes) {
        // Too narrow for a vector row: one or two inputs are done across `lanes` rows at a
        // time (a dead row is updated by 0), the rest in plain loops.
        std::size_t j = 0;
        const vec lr_v = splat(lr);
        if (in <= 2) {
            const vec x0 = splat(x[0]);
            const vec xx = shuffled<lane_pattern::alternate>(splat(x[0]), splat(x[in - 1]));
            for (; j + lanes <= out; j += lanes) {
                vec step = load(delta + j) * lr_v;
                if (relu_z != nullptr) step = load(relu_z + j) > 0.0f ? step : vec{};
                store(b + j, load(b + j) - step);
                if (in == 1) {
                    store(w + j, nmadd(step, x0, load(w + j)));
                } else {
                    float* MICROPROP_RESTRICT p = w + 2 * j;
                    store(p, nmadd(shuffled<lane_pattern::doubled_low>(step), xx, load(p)));
                    store(p + lanes, nmadd(shuffled<lane_pattern::doubled_high>(step), xx, load(p + lanes)));
                }
            }
            for (; j + 4 <= out; j += 4) {  // layers narrower than one wide vector
                vec4 step = load4(delta + j) * lr;
                if (relu_z != nullptr) step = load4(relu_z + j) > 0.0f ? step : vec4{};
                const vec4 bias = load4(b + j) - step;
                std::memcpy(b + j, &bias, sizeof bias);
                float* MICROPROP_RESTRICT p = w + in * j;
                const vec4 xx4 = {x[0], x[in - 1], x[0], x[in - 1]};
                const vec4 low = in == 1 ? load4(p) - step * x[0]
                                         : load4(p) - __builtin_shufflevector(step, step, 0, 0, 1, 1) * xx4;
                std::memcpy(p, &low, sizeof low);
                if (in == 2) {
                    const vec4 high = load4(p + 4) - __builtin_shufflevector(step, step, 2, 2, 3, 3) * xx4;
                    std::memcpy(p + 4, &high, sizeof high);
                }
            }
        }
        for (; j < out; ++j) {
            float dj = delta[j];
            if (relu_z != nullptr && !(relu_z[j] > 0.0f)) dj = 0.0f;
            const float step = lr * dj;
            b[j] -= step;
            for (std::size_t i = 0; i < in; ++i) w[j * in + i] -= step * x[i];
        }
        return;
    }
    constexpr std::size_t group = 64;
    float steps[group];
    const vec lr_v = splat(lr);
    for (std::size_t j0 = 0; j0 < out; j0 += group) {
        const std::size_t rows = out - j0 < group ? out - j0 : group;
        std::uint64_t live = 0;
        std::size_t r = 0;
        for (; r + lanes <= rows; r += lanes) {
            vec step = load(delta + j0 + r) * lr_v;
            if (relu_z != nullptr) step = load(relu_z + j0 + r) > 0.0f ? step : vec{};
            store(steps + r, step);
            store(b + j0 + r, load(b + j0 + r) - step);
            live |= static_cast<std::uint64_t>(nonzero_lanes(step)) << r;
        }
        for (; r < rows; ++r) {
            float step = lr * delta[j0 + r];
            if (relu_z != nullptr && !(relu_z[j0 + r] > 0.0f)) step = 0.0f;
            steps[r] = step;
            b[j0 + r] -= step;
            live |= static_cast<std::uint64_t>(step != 0.0f) << r;
        }
#if !MICROPROP_SKIP_DEAD_UNITS
        live = rows == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << rows) - 1;
#endif
        float* MICROPROP_RESTRICT w0 = w + j0 * in;
        std::size_t c = 0;
#if !MICROPROP_SIMD_FMA && !defined(__ARM_FEATURE_FMA) && !defined(__ARM_FEATURE_MVE)
        // Without a fused multiply-add, holding x in registers saves no instruction (the
        // product still needs a copy of the step), so each live row streams x from L1 and is
        // done in one pass, without a per-chunk restart.
        if (in >= lanes) {
            const std::size_t full = in - in % lanes;
            for (std::uint64_t m = live; m != 0; m &= m - 1) {
                const auto row = static_cast<std::size_t>(__builtin_ctzll(m));
                float* MICROPROP_RESTRICT p = w0 + row * in;
                const vec step = splat(steps[row]);
#pragma GCC unroll 4
                for (std::size_t i = 0; i < full; i += lanes) store(p + i, load(p + i) - step * load(x + i));
            }
            c = full;
        }
#endif
        for (; c + chunk_vectors * lanes <= in; c += chunk_vectors * lanes) update_chunk<chunk_vectors>(w0, live, steps, x, in, c);
        if (c + 4 * lanes <= in) {
            update_chunk<4>(w0, live, steps, x, in, c);
            c += 4 * lanes;
        }
        for (; c + lanes <= in; c += lanes) update_chunk<1>(w0, live, steps, x, in, c);
        if (c < in) {
            for (std::uint64_t m = live; m != 0; m &= m - 1) {
                const auto row = static_cast<std::size_t>(__builtin_ctzll(m));
                for (std::size_t i = c; i < in; ++i) w0[row * in + i] -= steps[row] * x[i];
            }
        }
    }
}

/// One chunk of Vectors vectors of columns of the fused output-layer step: g_in and x for
/// those columns stay in registers while every row streams past.
template <std::size_t Vectors>
MICROPROP_ALWAYS_INLINE void backward_update_chunk(float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT x,
                                                   const float* MICROPROP_RESTRICT delta,
                                                   float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out,
                                                   vec lr, std::size_t c)
{
    vec g[Vectors];
    vec xv[Vectors];
#pragma GCC unroll 8
    for (std::size_t k = 0; k < Vectors; ++k) {
        g[k] = vec{};
        xv[k] = load(x + c + k * lanes);
    }
    for (std::size_t j = 0; j < out; ++j) {
        const float dj = delta[j];
#if MICROPROP_SKIP_DEAD_UNITS
        if (dj == 0.0f) continue;
#endif
        const vec d = splat(dj);
        const vec step = d * lr;
        float* MICROPROP_RESTRICT p = w + j * in + c;
#pragma GCC unroll 8
        for (std::size_t k = 0; k < Vectors; ++k) {
            const vec wv = load(p + k * lanes);
            g[k] = madd(wv, d, g[k]);
            store(p + k * lanes, nmadd(step, xv[k], wv));
        }
    }
#pragma GCC unroll 8
    for (std::size_t k = 0; k < Vectors; ++k) store(g_in + c + k * lanes, g[k]);
}

/// g_in = W^T delta with the weights on entry, W -= lr delta x^T, b -= lr delta; each weight
/// is loaded and stored once.
inline void backward_update(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                            const float* MICROPROP_RESTRICT x, const float* MICROPROP_RESTRICT delta,
                            float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, float lr)
{
    const vec lr_v = splat(lr);
    std::size_t c = 0;
    for (; c + chunk_vectors * lanes <= in; c += chunk_vectors * lanes) {
        backward_update_chunk<chunk_vectors>(w, x, delta, g_in, in, out, lr_v, c);
    }
    if (c + 4 * lanes <= in) {
        backward_update_chunk<4>(w, x, delta, g_in, in, out, lr_v, c);
        c += 4 * lanes;
    }
    for (; c + lanes <= in; c += lanes) backward_update_chunk<1>(w, x, delta, g_in, in, out, lr_v, c);
    for (; c < in; ++c) {
        float g = 0.0f;
        for (std::size_t j = 0; j < out; ++j) {
            float& wji = w[j * in + c];
            g += wji * delta[j];
            wji -= lr * delta[j] * x[c];
        }
        g_in[c] = g;
    }
    std::size_t j = 0;
    for (; j + lanes <= out; j += lanes) store(b + j, nmadd(lr_v, load(delta + j), load(b + j)));
    for (; j < out; ++j) b[j] -= lr * delta[j];
}

}  // namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE

#endif
