// The optimizer steps of optimizers.hpp (which holds the plain loops, the specification) over
// the parameter vector, on vectors.
// Compiled by select_simd.hpp (through common/simd_kernel_list.hpp) once per instruction set, so
// it has no include guard; included on its own it includes select_simd.hpp.
#ifndef MICROPROP_SIMD_NAMESPACE
#include "../select_simd.hpp"
#else

namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE {

// ---- Optimizer steps over the parameter vector (optimizers.hpp holds the plain loops) -----

/// sqrt lane by lane, correctly rounded like the scalar square root.
MICROPROP_ALWAYS_INLINE vec square_root(vec v)
{
#if MICROPROP_SIMD_LANES == 16
    // The masked form: GCC 12 warns that _mm512_sqrt_ps's undefined pass-through may be used.
    return _mm512_mask_sqrt_ps(v, static_cast<__mmask16>(0xFFFF), v);
#elif MICROPROP_SIMD_AVX
    return _mm256_sqrt_ps(v);
#elif MICROPROP_SIMD_X86
    return _mm_sqrt_ps(v);
#elif defined(__ARM_NEON) && defined(__aarch64__)
    return vsqrtq_f32(v);
#else
    for (std::size_t k = 0; k < lanes; ++k) v[k] = __builtin_sqrtf(v[k]);
    return v;
#endif
}

/// optimizers.hpp's sgd::step: w <- w - lr (g + decay w); returns the count done (a multiple of lanes).
inline std::size_t sgd_step(float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT g, std::size_t n, float lr,
                            float decay)
{
    const vec lr_v = splat(lr), decay_v = splat(decay);
    std::size_t k = 0;
    for (; k + lanes <= n; k += lanes) {
        const vec wk = load(w + k);
        store(w + k, wk - lr_v * (load(g + k) + decay_v * wk));
    }
    return k;
}

/// optimizers.hpp's momentum::step; returns the count done.
inline std::size_t momentum_step(float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT g,
                                 float* MICROPROP_RESTRICT velocity, std::size_t n, float lr, float mu, float decay,
                                 bool nesterov)
{
    const vec lr_v = splat(lr), mu_v = splat(mu), decay_v = splat(decay);
    std::size_t k = 0;
    for (; k + lanes <= n; k += lanes) {
        const vec wk = load(w + k);
        const vec gk = load(g + k) + decay_v * wk;
        const vec v = mu_v * load(velocity + k) + gk;
        store(velocity + k, v);
        store(w + k, wk - lr_v * (nesterov ? gk + mu_v * v : v));
    }
    return k;
}

/// optimizers.hpp's adam::step (m and v: the two state vectors); returns the count done.
inline std::size_t adam_step(float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT g, float* MICROPROP_RESTRICT m,
                             float* MICROPROP_RESTRICT v, std::size_t n, float b1, float b2, float decay, float eps,
                             float lr, float m_scale, float v_scale)
{
    const vec b1_v = splat(b1), b2_v = splat(b2), one_b1 = splat(1.0f - b1), one_b2 = splat(1.0f - b2);
    const vec decay_v = splat(decay), eps_v = splat(eps), lr_v = splat(lr);
    const vec m_scale_v = splat(m_scale), v_scale_v = splat(v_scale);
    std::size_t k = 0;
    for (; k + lanes <= n; k += lanes) {
        const vec wk = load(w + k);
        const vec gk = load(g + k) + decay_v * wk;
        const vec mk = b1_v * load(m + k) + one_b1 * gk;
        const vec vk = b2_v * load(v + k) + one_b2 * gk * gk;
        store(m + k, mk);
        store(v + k, vk);
        store(w + k, wk - lr_v * (mk * m_scale_v) / (square_root(vk * v_scale_v) + eps_v));
    }
    return k;
}

}  // namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE

#endif
