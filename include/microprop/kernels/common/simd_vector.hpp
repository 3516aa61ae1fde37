// The vector type of the SIMD kernels and the operations on it every kernel shares: loads and
// stores through memcpy (no alignment assumed), splat, lane shuffles, (fused) multiply-adds
// and the transpose-and-add reductions. Sets MICROPROP_SIMD_LANES (undefined again by
// common/simd_kernel_list.hpp after the last kernel).
// Compiled by select_simd.hpp (through common/simd_kernel_list.hpp) once per instruction set, so
// it has no include guard; included on its own it includes select_simd.hpp.
#ifndef MICROPROP_SIMD_NAMESPACE
#include "../select_simd.hpp"
#else

namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE {

// With AVX-512 the kernels still use 8 lanes unless MICROPROP_SIMD_WIDE_512 is set: on the
// machines measured (tests/bench/run_host_bench.sh) the 16-lane kernels were slower (512-bit
// operations issue as two halves on some cores, and the W1/W2 layers are too narrow to fill
// them), and the 8-lane ones get AVX-512's 32 registers anyway. GCC makes the same choice
// for its own vectorizer (-mprefer-vector-width=256).
#ifndef MICROPROP_SIMD_WIDE_512
#define MICROPROP_SIMD_WIDE_512 0
#endif
#if MICROPROP_SIMD_AVX512 && MICROPROP_SIMD_WIDE_512
#define MICROPROP_SIMD_LANES 16
#elif MICROPROP_SIMD_AVX
#define MICROPROP_SIMD_LANES 8
#else
#define MICROPROP_SIMD_LANES 4
#endif
constexpr std::size_t lanes = MICROPROP_SIMD_LANES;
/// Vector registers kept for a chunk of x (or of g_in) while rows stream past it.
constexpr std::size_t chunk_vectors = lanes == 4 ? 4 : 8;

typedef float vec __attribute__((vector_size(lanes * sizeof(float))));
typedef float vec4 __attribute__((vector_size(4 * sizeof(float))));
typedef std::int32_t ivec __attribute__((vector_size(lanes * sizeof(float))));

MICROPROP_ALWAYS_INLINE vec load(const float* p)
{
    vec v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
MICROPROP_ALWAYS_INLINE void store(float* p, vec v) { std::memcpy(p, &v, sizeof v); }
/// Keeps v in a register: an update then costs load, multiply-add, store, where GCC would
/// fold the load into the multiply-add and copy the step vector (one more instruction).
MICROPROP_ALWAYS_INLINE void in_register([[maybe_unused]] vec& v)
{
#if MICROPROP_SIMD_X86
    __asm__("" : "+x"(v));
#endif
}
MICROPROP_ALWAYS_INLINE void in_register([[maybe_unused]] float* MICROPROP_RESTRICT& p)
{
#if defined(__GNUC__)
    __asm__("" : "+r"(p));
#endif
}
MICROPROP_ALWAYS_INLINE vec splat(float a)
{
#if MICROPROP_SIMD_LANES == 16
    return vec{a, a, a, a, a, a, a, a, a, a, a, a, a, a, a, a};
#elif MICROPROP_SIMD_LANES == 8
    return vec{a, a, a, a, a, a, a, a};
#else
    return vec{a, a, a, a};
#endif
}

/// The lane patterns of the one- and two-input layers (indices into the pair (a, b), b's
/// lanes numbered from `lanes` on): even/odd pick lanes 0, 2, 4, ... / 1, 3, 5, ... (rows of
/// a two-input layer, de-interleaved); doubled_low/high give {v0, v0, v1, v1, ...} from the
/// first/second half of a; alternate gives {a0, b0, a0, b0, ...}.
enum class lane_pattern { even, odd, doubled_low, doubled_high, alternate };
constexpr int lane_index(lane_pattern pattern, std::size_t k)
{
    switch (pattern) {
        case lane_pattern::even: return static_cast<int>(2 * k);
        case lane_pattern::odd: return static_cast<int>(2 * k + 1);
        case lane_pattern::doubled_low: return static_cast<int>(k / 2);
        case lane_pattern::doubled_high: return static_cast<int>(lanes / 2 + k / 2);
        case lane_pattern::alternate: return k % 2 == 0 ? 0 : static_cast<int>(lanes);
    }
    return 0;
}
template <lane_pattern Pattern, std::size_t... K>
MICROPROP_ALWAYS_INLINE vec shuffled(vec a, vec b, std::index_sequence<K...>)
{
    return __builtin_shufflevector(a, b, lane_index(Pattern, K)...);
}
template <lane_pattern Pattern>
MICROPROP_ALWAYS_INLINE vec shuffled(vec a, vec b = vec{})
{
    return shuffled<Pattern>(a, b, std::make_index_sequence<lanes>{});
}

/// a * b + c, fused where the target has FMA.
MICROPROP_ALWAYS_INLINE vec madd(vec a, vec b, vec c)
{
#if MICROPROP_SIMD_LANES == 16
    return _mm512_fmadd_ps(a, b, c);
#elif MICROPROP_SIMD_FMA && MICROPROP_SIMD_AVX
    return _mm256_fmadd_ps(a, b, c);
#elif MICROPROP_SIMD_FMA
    return _mm_fmadd_ps(a, b, c);
#elif (defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA)) || defined(__ARM_FEATURE_MVE)
    return vfmaq_f32(c, a, b);
#else
    return a * b + c;
#endif
}
/// c - a * b, fused where the target has FMA.
MICROPROP_ALWAYS_INLINE vec nmadd(vec a, vec b, vec c)
{
#if MICROPROP_SIMD_LANES == 16
    return _mm512_fnmadd_ps(a, b, c);
#elif MICROPROP_SIMD_FMA && MICROPROP_SIMD_AVX
    return _mm256_fnmadd_ps(a, b, c);
#elif MICROPROP_SIMD_FMA
    return _mm_fnmadd_ps(a, b, c);
#elif (defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA)) || defined(__ARM_FEATURE_MVE)
    return vfmsq_f32(c, a, b);
#else
    return c - a * b;
#endif
}

/// The lanes of v summed pairwise down to four.
MICROPROP_ALWAYS_INLINE vec4 fold4(vec v)
{
#if MICROPROP_SIMD_LANES == 16
    typedef float vec8 __attribute__((vector_size(8 * sizeof(float))));
    const vec8 h = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
                   __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
    return __builtin_shufflevector(h, h, 0, 1, 2, 3) + __builtin_shufflevector(h, h, 4, 5, 6, 7);
#elif MICROPROP_SIMD_LANES == 8
    return __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
#else
    return v;
#endif
}
#if MICROPROP_SIMD_LANES == 8
typedef float vec8 __attribute__((vector_size(8 * sizeof(float))));
/// {sum a[0], ..., sum a[7]} for eight 8-lane vectors: halves swapped across pairs (a[r],
/// a[r+4]), then a transpose-and-add inside each 128-bit half; 21 instructions, against 37
/// for two fold4 + sums4 rounds, and the result is already one 8-value vector.
MICROPROP_ALWAYS_INLINE vec8 sums8(const vec* a)
{
    vec b[4];
#pragma GCC unroll 4
    for (std::size_t r = 0; r < 4; ++r) {
        b[r] = __builtin_shufflevector(a[r], a[r + 4], 0, 1, 2, 3, 8, 9, 10, 11) +
               __builtin_shufflevector(a[r], a[r + 4], 4, 5, 6, 7, 12, 13, 14, 15);
    }
    const vec c0 = __builtin_shufflevector(b[0], b[1], 0, 8, 1, 9, 4, 12, 5, 13) +
                   __builtin_shufflevector(b[0], b[1], 2, 10, 3, 11, 6, 14, 7, 15);
    const vec c1 = __builtin_shufflevector(b[2], b[3], 0, 8, 1, 9, 4, 12, 5, 13) +
                   __builtin_shufflevector(b[2], b[3], 2, 10, 3, 11, 6, 14, 7, 15);
    return __builtin_shufflevector(c0, c1, 0, 1, 8, 9, 4, 5, 12, 13) +
           __builtin_shufflevector(c0, c1, 2, 3, 10, 11, 6, 7, 14, 15);
}
#endif
/// {sum a, sum b, sum c, sum d} by a 4x4 transpose-and-add.
MICROPROP_ALWAYS_INLINE vec4 sums4(vec4 a, vec4 b, vec4 c, vec4 d)
{
    const vec4 ab = __builtin_shufflevector(a, b, 0, 4, 1, 5) + __builtin_shufflevector(a, b, 2, 6, 3, 7);
    const vec4 cd = __builtin_shufflevector(c, d, 0, 4, 1, 5) + __builtin_shufflevector(c, d, 2, 6, 3, 7);
    return __builtin_shufflevector(ab, cd, 0, 1, 4, 5) + __builtin_shufflevector(ab, cd, 2, 3, 6, 7);
}
MICROPROP_ALWAYS_INLINE float sum(vec v)
{
    const vec4 f = fold4(v);
    return (f[0] + f[2]) + (f[1] + f[3]);
}

MICROPROP_ALWAYS_INLINE vec4 load4(const float* p)
{
    vec4 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

/// Stores the first `count` of the four values in t at u.
MICROPROP_ALWAYS_INLINE void store4_partial(float* u, vec4 t, std::size_t count)
{
    if (count >= 4) {
        std::memcpy(u, &t, sizeof t);
        return;
    }
#pragma GCC unroll 4
    for (std::size_t k = 0; k < 3; ++k) {
        if (k < count) u[k] = t[k];
    }
}

}  // namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE

#endif
