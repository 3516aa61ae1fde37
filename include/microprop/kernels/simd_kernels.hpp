// The vector kernels themselves, included by simd.hpp (and only there) once per instruction
// set it compiles them for: the target's own, in namespace `simd`, and on x86-64 builds
// without AVX2 a second time under `#pragma GCC target("avx2,fma")`, in namespace
// `simd_avx2`, for the run-time dispatch of simd.hpp. So this file has no include guard, and
// it tests the instruction set through MICROPROP_SIMD_X86/AVX/FMA/AVX512, which simd.hpp sets
// before each inclusion (a target pragma does not change __AVX2__ and friends in C++).

#ifndef MICROPROP_SIMD_NAMESPACE
// Included on its own: simd.hpp includes this file again with the instruction set chosen.
#include "simd.hpp"
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

/// t[0..Rows/4) = b + `count` consecutive rows of W . x (count <= Rows), four results a
/// vector. A block with fewer than Rows rows repeats its last row in the spare accumulators,
/// so that every block ends in the same transpose-and-add (a short dependency chain)
/// instead of one horizontal sum per row; the spare lanes hold copies of the last result.
template <std::size_t Rows>
MICROPROP_ALWAYS_INLINE void forward_block(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                                           const float* MICROPROP_RESTRICT x, std::size_t in, std::size_t count,
                                           vec4* t)
{
    static_assert(Rows % 4 == 0, "forward_block works on blocks of 4 rows.");
    const float* row[Rows];
#pragma GCC unroll 8
    for (std::size_t r = 0; r < Rows; ++r) row[r] = w + (r < count ? r : count - 1) * in;
    vec acc[Rows];
#pragma GCC unroll 8
    for (std::size_t r = 0; r < Rows; ++r) acc[r] = vec{};
    std::size_t i = 0;
    for (; i + lanes <= in; i += lanes) {
        const vec xv = load(x + i);
#pragma GCC unroll 8
        for (std::size_t r = 0; r < Rows; ++r) acc[r] = madd(load(row[r] + i), xv, acc[r]);
    }
#pragma GCC unroll 2
    for (std::size_t r = 0; r < Rows; r += 4) {
        vec4 sums = sums4(fold4(acc[r]), fold4(acc[r + 1]), fold4(acc[r + 2]), fold4(acc[r + 3]));
        for (std::size_t k = i; k < in; ++k) {
            sums += vec4{row[r][k], row[r + 1][k], row[r + 2][k], row[r + 3][k]} * x[k];
        }
        if (count >= r + 4) {
            sums += load4(b + r);
        } else {
            const std::size_t last = count - 1;
            sums += vec4{b[r < last ? r : last], b[r + 1 < last ? r + 1 : last], b[r + 2 < last ? r + 2 : last],
                         b[r + 3 < last ? r + 3 : last]};
        }
        t[r / 4] = sums;
    }
}

#if MICROPROP_SIMD_LANES == 8
/// b + W . x for eight consecutive rows of W as one 8-lane vector (forward_block<8> reduced
/// by sums8, for targets whose vectors have 8 lanes).
MICROPROP_ALWAYS_INLINE vec8 forward_block8(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                                            const float* MICROPROP_RESTRICT x, std::size_t in)
{
    vec acc[8];
#pragma GCC unroll 8
    for (std::size_t r = 0; r < 8; ++r) acc[r] = vec{};
    std::size_t i = 0;
#pragma GCC unroll 2
    for (; i + lanes <= in; i += lanes) {
        const vec xv = load(x + i);
#pragma GCC unroll 8
        for (std::size_t r = 0; r < 8; ++r) acc[r] = madd(load(w + r * in + i), xv, acc[r]);
    }
    vec8 sums = sums8(acc) + load(b);
    for (; i < in; ++i) {
        sums += vec8{w[i], w[in + i], w[2 * in + i], w[3 * in + i], w[4 * in + i], w[5 * in + i], w[6 * in + i],
                     w[7 * in + i]} *
                x[i];
    }
    return sums;
}
#endif

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

/// u = W x + b (W is [out][in]), then ReLU when `relu` is set.
inline void forward(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                    const float* MICROPROP_RESTRICT x, float* MICROPROP_RESTRICT u, std::size_t in,
                    std::size_t out, bool relu)
{
    if (in < 4) {
        // Rows too short for a vector: one or two inputs are done across `lanes` outputs at a
        // time (two-input rows de-interleaved), the rest as plain dot products.
        std::size_t j = 0;
        if (in == 1) {
            const vec x0 = splat(x[0]);
            for (; j + lanes <= out; j += lanes) {
                vec v = madd(load(w + j), x0, load(b + j));
                if (relu) v = v <= 0.0f ? vec{} : v;
                store(u + j, v);
            }
            for (; j + 4 <= out; j += 4) {  // layers narrower than one wide vector
                vec4 v = load4(w + j) * x[0] + load4(b + j);
                if (relu) v = v <= 0.0f ? vec4{} : v;
                std::memcpy(u + j, &v, sizeof v);
            }
        } else if (in == 2) {
            const vec x0 = splat(x[0]);
            const vec x1 = splat(x[1]);
            for (; j + lanes <= out; j += lanes) {
                const vec first = load(w + 2 * j);
                const vec second = load(w + 2 * j + lanes);
                vec v = madd(shuffled<lane_pattern::odd>(first, second), x1, madd(shuffled<lane_pattern::even>(first, second), x0, load(b + j)));
                if (relu) v = v <= 0.0f ? vec{} : v;
                store(u + j, v);
            }
            for (; j + 4 <= out; j += 4) {
                const vec4 first = load4(w + 2 * j);
                const vec4 second = load4(w + 2 * j + 4);
                vec4 v = __builtin_shufflevector(first, second, 1, 3, 5, 7) * x[1] +
                         (__builtin_shufflevector(first, second, 0, 2, 4, 6) * x[0] + load4(b + j));
                if (relu) v = v <= 0.0f ? vec4{} : v;
                std::memcpy(u + j, &v, sizeof v);
            }
        }
        for (; j < out; ++j) {
            float s = b[j];
            for (std::size_t i = 0; i < in; ++i) s += w[j * in + i] * x[i];
            u[j] = relu && s <= 0.0f ? 0.0f : s;
        }
        return;
    }
    std::size_t j = 0;
    vec4 t[2];
#if MICROPROP_SIMD_LANES == 8
    for (; j + 8 <= out; j += 8) {
        vec8 u8 = forward_block8(w + j * in, b + j, x, in);
        if (relu) u8 = u8 <= 0.0f ? vec8{} : u8;
        store(u + j, u8);
    }
#endif
    for (; j + 8 <= out; j += 8) {
        forward_block<8>(w + j * in, b + j, x, in, 8, t);
        if (relu) {
            t[0] = t[0] <= 0.0f ? vec4{} : t[0];
            t[1] = t[1] <= 0.0f ? vec4{} : t[1];
        }
        // One 8-value store where vectors have 8 lanes: the next layer loads them as one
        // vector, and a load spanning two smaller stores misses store-to-load forwarding.
        typedef float vec8 __attribute__((vector_size(8 * sizeof(float))));
        const vec8 both = __builtin_shufflevector(t[0], t[1], 0, 1, 2, 3, 4, 5, 6, 7);
        std::memcpy(u + j, &both, sizeof both);
    }
    if (out - j == 1) {
        // A single row (a one-output layer): one dot product, no block of copies.
        const float* MICROPROP_RESTRICT row = w + j * in;
        vec acc{};
        std::size_t i = 0;
        for (; i + lanes <= in; i += lanes) acc = madd(load(row + i), load(x + i), acc);
        float v = sum(acc) + b[j];
        for (; i < in; ++i) v += row[i] * x[i];
        u[j] = relu && v <= 0.0f ? 0.0f : v;
        return;
    }
    for (; j < out; j += 4) {
        const std::size_t count = out - j < 4 ? out - j : 4;
        forward_block<4>(w + j * in, b + j, x, in, count, t);
        if (relu) t[0] = t[0] <= 0.0f ? vec4{} : t[0];
        store4_partial(u + j, t[0], count);
    }
}

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

/// a * b + c for vec (madd) and for the 4-lane vec4 (contracted where the target has FMA).
template <class V>
MICROPROP_ALWAYS_INLINE V multiply_add(V a, V b, V c)
{
    if constexpr (sizeof(V) == sizeof(vec)) {
        return madd(a, b, c);
    } else {
        return a * b + c;
    }
}

/// e^x lane by lane for x <= 0 (V = vec or vec4), as exp_nonpositive in expf.hpp (same
/// reduction and polynomial, evaluated by Estrin's scheme for a shorter dependency chain):
/// results below FLT_MIN round once as subnormals, x < -103.97 gives 0, NaN propagates.
template <class V>
MICROPROP_ALWAYS_INLINE V exp_nonpositive(V x)
{
    typedef std::uint32_t bits __attribute__((vector_size(sizeof(V))));
    namespace c = kernels::detail::exp_constants;
    const V shifter = V{} + c::shifter;
    const V t = multiply_add(x, V{} + c::log2e, shifter);
    const V n = t - shifter;
    V r = multiply_add(n, V{} - c::ln2_hi, x);
    r = multiply_add(n, V{} - c::ln2_lo, r);
    // q(r) = (e^r - 1 - r) / r^2 = 1/2 + r/6 + r^2/24 + r^3/120 + r^4/720 + r^5/5040.
    const V r2 = r * r;
    const V q01 = multiply_add(r, V{} + 1.0f / 6.0f, V{} + 0.5f);
    const V q23 = multiply_add(r, V{} + 1.0f / 120.0f, V{} + 1.0f / 24.0f);
    const V q45 = multiply_add(r, V{} + 1.0f / 5040.0f, V{} + 1.0f / 720.0f);
    const V q = multiply_add(r2, multiply_add(r2, q45, q23), q01);
    const V one = V{} + 1.0f;
    const V sum = one + r;
    const V sum_error = (one - sum) + r;
    const V p = sum + multiply_add(r2, q, sum_error);
    // 2^(n + 24) added to the exponent, then a multiply by 2^-24: one rounding for subnormals.
    bits p_bits, t_bits;
    std::memcpy(&p_bits, &p, sizeof p_bits);
    std::memcpy(&t_bits, &t, sizeof t_bits);
    p_bits += (t_bits - (0x4B400000u - 24u)) << 23;
    V e;
    std::memcpy(&e, &p_bits, sizeof e);
    e *= 5.9604644775390625e-08f;
    const V in_range = x >= -103.972084f ? e : V{};
    return x != x ? x : in_range;
}

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

// ---- Minibatch kernels (matrices `[width][N]`, column s = sample s; reference.hpp) ---------

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

/// g <- z > 0 ? g : 0 (the ReLU derivative from the ReLU's output z).
inline void relu_backward(const float* MICROPROP_RESTRICT z, float* MICROPROP_RESTRICT g, std::size_t n)
{
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes) store(g + i, load(z + i) > 0.0f ? load(g + i) : vec{});
    for (; i < n; ++i) g[i] = z[i] > 0.0f ? g[i] : 0.0f;
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

/// True when none of the n floats is NaN or infinite and none has a magnitude whose bits
/// exceed `bound_bits` (the bits of a finite, non-negative bound): for magnitudes the
/// integer order of the bits is the order of the values, NaN and infinity above them all.
inline bool all_within(const float* values, std::size_t n, std::int32_t bound_bits)
{
    constexpr std::int32_t magnitude = 0x7fffffff;
    const std::size_t rest = n % lanes;
    const float* const tail = values + (n - rest);
    ivec over{};
    for (const float* p = values; p != tail; p += lanes) {
        ivec bits;
        std::memcpy(&bits, p, sizeof bits);
        over |= (bits & magnitude) > bound_bits;
    }
    std::int32_t any = 0;
    for (std::size_t k = 0; k < lanes; ++k) any |= over[k];
    for (std::size_t k = 0; k < rest; ++k) {
        std::int32_t bits;
        std::memcpy(&bits, tail + k, sizeof bits);
        any |= (bits & magnitude) > bound_bits;
    }
    return any == 0;
}

}  // namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE

#undef MICROPROP_SIMD_LANES

#endif
