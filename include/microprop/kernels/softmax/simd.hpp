// Softmax on vectors: fused with the output layer's product for up to 16 outputs, over a
// contiguous layer, and over the columns of a minibatch, with the vector e^x.
// Compiled by select_simd.hpp (through common/simd_kernel_list.hpp) once per instruction set, so
// it has no include guard; included on its own it includes select_simd.hpp.
#ifndef MICROPROP_SIMD_NAMESPACE
#include "../select_simd.hpp"
#else

namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE {

/// z = softmax(W x + b) for out <= 16 with the logits kept in registers (no store and
/// reload between the product and the softmax). Returns false, doing nothing, for wider
/// layers.
inline bool forward_softmax(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                            const float* MICROPROP_RESTRICT x, float* MICROPROP_RESTRICT z, std::size_t in,
                            std::size_t out)
{
    if (out == 0 || out > 16) return false;
    vec4 t[4];
    const std::size_t blocks = (out + 3) / 4;
    std::size_t j = 0;
    if (out >= 8) {
#if MICROPROP_SIMD_LANES == 8
        const vec8 first = forward_block8(w, b, x, in);
        t[0] = __builtin_shufflevector(first, first, 0, 1, 2, 3);
        t[1] = __builtin_shufflevector(first, first, 4, 5, 6, 7);
#else
        forward_block<8>(w, b, x, in, 8, t);
#endif
        j = 8;
    }
    for (; j < out; j += 4) forward_block<4>(w + j * in, b + j, x, in, out - j < 4 ? out - j : 4, t + j / 4);
    // Lanes past `out` hold copies of the last logit: they must not count in the maximum's
    // sum, so they become values whose e^x is 0.
    const vec4 lane = {0.0f, 1.0f, 2.0f, 3.0f};
    const float valid_in_last = static_cast<float>(out - 4 * (blocks - 1));
    t[blocks - 1] = lane < valid_in_last ? t[blocks - 1] : vec4{} - 1.0e30f;
    vec4 top = t[0];
    for (std::size_t k = 1; k < blocks; ++k) top = t[k] > top ? t[k] : top;
    top = top > __builtin_shufflevector(top, top, 2, 3, 0, 1) ? top : __builtin_shufflevector(top, top, 2, 3, 0, 1);
    top = top > __builtin_shufflevector(top, top, 1, 0, 3, 2) ? top : __builtin_shufflevector(top, top, 1, 0, 3, 2);
    vec4 total{};
    for (std::size_t k = 0; k < blocks; ++k) {
        t[k] = exp_nonpositive(t[k] - top);
        total += t[k];
    }
    total += __builtin_shufflevector(total, total, 2, 3, 0, 1);
    total += __builtin_shufflevector(total, total, 1, 0, 3, 2);
    const vec4 inverse = 1.0f / total;
    for (std::size_t k = 0; k < blocks; ++k) store4_partial(z + 4 * k, t[k] * inverse, out - 4 * k);
    return true;
}

/// z <- softmax(z) over n contiguous values (layers too wide for forward_softmax), four
/// at a time with the same vector e^x.
inline void softmax(float* z, std::size_t n)
{
    if (n == 0) return;
    float top = z[0];
    for (std::size_t i = 1; i < n; ++i) top = z[i] > top ? z[i] : top;
    vec4 total{};
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const vec4 e = exp_nonpositive(load4(z + i) - top);
        total += e;
        std::memcpy(z + i, &e, sizeof e);
    }
    float rest = 0.0f;
    for (std::size_t k = i; k < n; ++k) rest += (z[k] = exp_nonpositive(vec4{} + (z[k] - top))[0]);
    const float inverse = 1.0f / (((total[0] + total[2]) + (total[1] + total[3])) + rest);
    for (std::size_t k = 0; k < n; ++k) z[k] *= inverse;
}

/// Softmax of every column of z (`[rows][n]`, column s = sample s), `lanes` columns at a time
/// with the vector e^x of softmax(); the columns past the last full vector one at a time.
inline void softmax_columns(float* z, std::size_t rows, std::size_t n)
{
    if (rows == 0) return;
    std::size_t s = 0;
    for (; s + lanes <= n; s += lanes) {
        vec top = load(z + s);
        for (std::size_t k = 1; k < rows; ++k) {
            const vec v = load(z + k * n + s);
            top = v > top ? v : top;
        }
        vec total{};
        for (std::size_t k = 0; k < rows; ++k) {
            const vec e = exp_nonpositive(load(z + k * n + s) - top);
            total += e;
            store(z + k * n + s, e);
        }
        const vec inverse = splat(1.0f) / total;
        for (std::size_t k = 0; k < rows; ++k) store(z + k * n + s, load(z + k * n + s) * inverse);
    }
    for (; s < n; ++s) {
        float top = z[s];
        for (std::size_t k = 1; k < rows; ++k) top = z[k * n + s] > top ? z[k * n + s] : top;
        float total = 0.0f;
        for (std::size_t k = 0; k < rows; ++k) total += (z[k * n + s] = exp_nonpositive(vec4{} + (z[k * n + s] - top))[0]);
        const float inverse = 1.0f / total;
        for (std::size_t k = 0; k < rows; ++k) z[k * n + s] *= inverse;
    }
}

}  // namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE

#endif
