// u = W x + b for one float sample on vectors: eight rows at a time share every load of x and
// their partial sums are reduced together by a transpose-and-add.
// Compiled by select_simd.hpp (through common/simd_kernel_list.hpp) once per instruction set, so
// it has no include guard; included on its own it includes select_simd.hpp.
#ifndef MICROPROP_SIMD_NAMESPACE
#include "../select_simd.hpp"
#else

namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE {

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

}  // namespace microprop::kernels::MICROPROP_SIMD_NAMESPACE

#endif
