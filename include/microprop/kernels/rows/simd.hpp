// Row operations on vectors, shared by the tied-layer and minibatch kernels: linear
// combinations of rows, row += a x and a . b.
// Compiled by select_simd.hpp (through common/simd_kernel_list.hpp) once per instruction set, so
// it has no include guard; included on its own it includes select_simd.hpp.
#ifndef MICROPROP_SIMD_NAMESPACE
#include "../select_simd.hpp"
#else

namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE {

/// out_r = bias_r 1^T + sum_k c(r, k) M_k for r < rows, where c(r, k) = coef[r * coef_r +
/// k * coef_k], M_k is row k of M (n values at m + k * m_row) and out_r is n values at
/// out + r * n; no bias when bias is null. Four vectors of a row of out stay in registers
/// while the k rows of M stream past (M is small and stays in L1).
inline void combine_rows(const float* MICROPROP_RESTRICT coef, std::size_t coef_r, std::size_t coef_k,
                         const float* MICROPROP_RESTRICT bias, const float* MICROPROP_RESTRICT m, std::size_t m_row,
                         float* MICROPROP_RESTRICT out, std::size_t rows, std::size_t ks, std::size_t n)
{
    for (std::size_t r = 0; r < rows; ++r) {
        const float* c = coef + r * coef_r;
        float* o = out + r * n;
        const float b = bias != nullptr ? bias[r] : 0.0f;
        std::size_t s = 0;
        for (; s + 4 * lanes <= n; s += 4 * lanes) {
            vec acc[4];
#pragma GCC unroll 4
            for (std::size_t v = 0; v < 4; ++v) acc[v] = splat(b);
            for (std::size_t k = 0; k < ks; ++k) {
                const vec ck = splat(c[k * coef_k]);
                const float* mk = m + k * m_row + s;
#pragma GCC unroll 4
                for (std::size_t v = 0; v < 4; ++v) acc[v] = madd(ck, load(mk + v * lanes), acc[v]);
            }
#pragma GCC unroll 4
            for (std::size_t v = 0; v < 4; ++v) store(o + s + v * lanes, acc[v]);
        }
        for (; s + lanes <= n; s += lanes) {
            vec acc = splat(b);
            for (std::size_t k = 0; k < ks; ++k) acc = madd(splat(c[k * coef_k]), load(m + k * m_row + s), acc);
            store(o + s, acc);
        }
        for (; s < n; ++s) {
            float acc = b;
            for (std::size_t k = 0; k < ks; ++k) acc += c[k * coef_k] * m[k * m_row + s];
            o[s] = acc;
        }
    }
}

/// u += a * row over n values. (The tails count their own n % lanes steps: with n known after
/// inlining, GCC 12 warns that a tail continuing from the vector loop's index "invokes
/// undefined behavior".)
inline void add_scaled_row(float* MICROPROP_RESTRICT u, const float* MICROPROP_RESTRICT row, float a, std::size_t n)
{
    const vec av = splat(a);
    std::size_t j = 0;
    for (; j + lanes <= n; j += lanes) store(u + j, madd(load(row + j), av, load(u + j)));
    for (std::size_t k = 0; k < n % lanes; ++k) u[j + k] += a * row[j + k];
}

/// row . v over n values.
inline float row_dot(const float* MICROPROP_RESTRICT row, const float* MICROPROP_RESTRICT v, std::size_t n)
{
    vec sums{};
    std::size_t j = 0;
    for (; j + lanes <= n; j += lanes) sums = madd(load(row + j), load(v + j), sums);
    float acc = sum(sums);
    for (std::size_t k = 0; k < n % lanes; ++k) acc += row[j + k] * v[j + k];
    return acc;
}

}  // namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE

#endif
