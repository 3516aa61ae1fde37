// Activations and their derivatives on vectors: sigmoid (vector e^x), ReLU, and the
// sigmoid/tanh and ReLU derivatives from the activation's output.
// Compiled by select_simd.hpp (through common/simd_kernel_list.hpp) once per instruction set, so
// it has no include guard; included on its own it includes select_simd.hpp.
#ifndef MICROPROP_SIMD_NAMESPACE
#include "../select_simd.hpp"
#else

namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE {

/// 1 / (1 + e^-v) lane by lane (V = vec or vec4), with e = e^-|v| (never overflows):
/// 1 / (1 + e) for v >= 0 and e / (1 + e) below; a NaN stays NaN.
template <class V>
MICROPROP_ALWAYS_INLINE V sigmoid_lanes(V v)
{
    const V e = exp_nonpositive(v < 0.0f ? v : -v);
    const V s = (v >= 0.0f ? V{} + 1.0f : e) / (1.0f + e);
    return v != v ? v : s;
}

/// z <- 1 / (1 + e^-z), a vector at a time, then four values, then one.
inline void sigmoid(float* z, std::size_t n)
{
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) store(z + i, sigmoid_lanes(load(z + i)));
    for (; i + 4 <= n; i += 4) {
        const vec4 out = sigmoid_lanes(load4(z + i));
        std::memcpy(z + i, &out, sizeof out);
    }
    for (; i < n; ++i) z[i] = sigmoid_lanes(vec4{} + z[i])[0];
}

/// g <- g z (1 - z) (sigmoid) or g (1 - z^2) (tanh, `tanh_kind` set), z the activation's output.
inline void sigmoid_or_tanh_backward(const float* MICROPROP_RESTRICT z, float* MICROPROP_RESTRICT g, std::size_t n,
                                     bool tanh_kind)
{
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        const vec zv = load(z + i);
        const vec slope = tanh_kind ? nmadd(zv, zv, splat(1.0f)) : zv * (1.0f - zv);
        store(g + i, load(g + i) * slope);
    }
    for (; i + 4 <= n; i += 4) {
        const vec4 zv = load4(z + i);
        const vec4 product = load4(g + i) * (tanh_kind ? 1.0f - zv * zv : zv * (1.0f - zv));
        std::memcpy(g + i, &product, sizeof product);
    }
    for (; i < n; ++i) g[i] *= tanh_kind ? 1.0f - z[i] * z[i] : z[i] * (1.0f - z[i]);
}

/// z <- z > 0 ? z : 0, as the reference (relu(-0) = +0, NaN becomes 0).
inline void relu(float* z, std::size_t n)
{
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) {
        const vec v = load(z + i);
        store(z + i, v <= 0.0f ? vec{} : v);
    }
    for (; i < n; ++i) z[i] = z[i] <= 0.0f ? 0.0f : z[i];
}

/// g <- z > 0 ? g : 0 (the ReLU derivative from the ReLU's output z).
inline void relu_backward(const float* MICROPROP_RESTRICT z, float* MICROPROP_RESTRICT g, std::size_t n)
{
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) store(g + i, load(z + i) > 0.0f ? load(g + i) : vec{});
    for (; i < n; ++i) g[i] = z[i] > 0.0f ? g[i] : 0.0f;
}

}  // namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE

#endif
