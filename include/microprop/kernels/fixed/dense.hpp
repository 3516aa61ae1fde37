// Integer dense-layer kernels for q3_12 networks: forward, W^T delta, the fused
// per-sample SGD update and the gradient accumulation, beside the float reference
// kernels (kernels/reference.hpp) and with the same meaning.
//
// Sums of products are exact (an exact_sum of 32-bit products, rounded once).
// Values that feed a parameter change are rounded stochastically: a step
// v / 2^s becomes floor((v + r) / 2^s) with r uniform in [0, 2^s) drawn from the
// trainer's random_generator, whose expectation is exactly v / 2^s. One draw
// serves a whole row of a weight matrix (each weight of the row is still rounded
// without bias; only the rounding errors within a row are correlated), so the
// PRNG costs about 20 instructions per row instead of per weight.
#ifndef MICROPROP_KERNELS_FIXED_DENSE_HPP
#define MICROPROP_KERNELS_FIXED_DENSE_HPP

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "../../fixed_scalar.hpp"
#include "../../random.hpp"

namespace microprop::kernels::fixed {

using microprop::fixed::narrow_product_sum;
using microprop::fixed::saturate16;

/// A non-negative hyper-parameter as mantissa * 2^-shift, mantissa < 2^15: 15
/// significant bits whatever its size (a learning rate of 1e-4 keeps them too).
struct factor {
    std::int32_t mantissa = 0;  ///< in [2^14, 2^15), or 0 for the value 0
    std::int32_t shift = 0;     ///< the value is mantissa / 2^shift
    /// True for the value 0.
    bool is_zero() const { return mantissa == 0; }
};

/// v >= 0 as a factor, from the float's bits (no soft-float call on a core without an FPU).
/// Values below 2^-40 become zero.
inline factor factor_from_float(float v)
{
    std::uint32_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    const std::int32_t exponent = static_cast<std::int32_t>((bits >> 23) & 0xffu);
    if (exponent == 0 || (bits >> 31) != 0) return factor{};
    // v = m 2^(exponent - 150), m in [2^23, 2^24): keep the top 15 bits of m.
    std::uint32_t m = ((bits & 0x7fffffu) | 0x800000u);
    m = (m + (1u << 8)) >> 9;  // [2^14, 2^15]
    std::int32_t shift = 141 - exponent;
    if (m == 32768u) {
        m = 16384u;
        --shift;
    }
    if (shift > 55) return factor{};
    return factor{static_cast<std::int32_t>(m), shift};
}

/// The product of two factors.
inline factor factor_product(factor a, factor b)
{
    if (a.is_zero() || b.is_zero()) return factor{};
    std::int32_t m = (a.mantissa * b.mantissa + (1 << 14)) >> 15;
    std::int32_t shift = a.shift + b.shift - 15;
    while (m >= 32768) {
        m >>= 1;
        --shift;
    }
    return factor{m, shift};
}

/// Number of significant bits of |v| (0 for v == 0).
inline std::int32_t significant_bits(std::int32_t v)
{
    std::uint32_t a = static_cast<std::uint32_t>(v < 0 ? -v : v);
    std::int32_t n = 0;
    if (a >= 65536u) {
        a >>= 16;
        n += 16;
    }
    if (a >= 256u) {
        a >>= 8;
        n += 8;
    }
    if (a >= 16u) {
        a >>= 4;
        n += 4;
    }
    while (a != 0) {
        a >>= 1;
        ++n;
    }
    return n;
}

/// A step c * x / 2^shift prepared for many x: `scale` has at most 15 significant bits and
/// `shift` lies in [0, 30], so (scale * x + r) >> shift never overflows for 16-bit x and
/// r < 2^shift.
struct step_scale {
    std::int32_t scale;  ///< at most 15 significant bits
    std::int32_t shift;  ///< in [0, 30]
};

/// The step value * 2^-value_shift (value: any 32-bit integer) prepared as a step_scale.
inline step_scale normalise_step(std::int32_t value, std::int32_t value_shift)
{
    const std::int32_t excess = significant_bits(value) - 15;
    if (excess > 0) {
        value = (value + (1 << (excess - 1))) >> excess;
        value_shift -= excess;
    }
    if (value_shift > 30) {
        const std::int32_t drop = value_shift - 30;
        value = drop >= 31 ? 0 : (value >> drop);
        value_shift = 30;
    }
    if (value_shift < 0) {  // only for steps of 2^15 and more: saturates below
        value = value >= 0 ? 32767 : -32768;
        value_shift = 0;
    }
    return step_scale{value, value_shift};
}

/// r in [0, 2^shift) from a 32-bit random word (shift in [0, 30]). Defining
/// MICROPROP_FIXED_NEAREST_UPDATES=1 rounds updates to nearest instead (r = 2^(shift-1)):
/// a switch for measuring what stochastic rounding is worth (README "Fixed point").
MICROPROP_ALWAYS_INLINE std::int32_t dither(std::uint32_t random_word, std::int32_t shift)
{
#if defined(MICROPROP_FIXED_NEAREST_UPDATES) && MICROPROP_FIXED_NEAREST_UPDATES
    static_cast<void>(random_word);
    return shift == 0 ? 0 : std::int32_t(1) << (shift - 1);
#else
    return shift == 0 ? 0 : static_cast<std::int32_t>(random_word >> (32 - shift));
#endif
}

// The inline-assembly loops below are used on Arm with GCC-compatible compilers unless
// MICROPROP_FORCE_REFERENCE_KERNELS or MICROPROP_KERNELS_NO_ASM asks for plain C++ (same results).
#if defined(__arm__) && defined(__GNUC__) &&                                                         \
    !(defined(MICROPROP_FORCE_REFERENCE_KERNELS) && MICROPROP_FORCE_REFERENCE_KERNELS) &&             \
    !(defined(MICROPROP_KERNELS_NO_ASM) && MICROPROP_KERNELS_NO_ASM)
#define MICROPROP_FIXED_ASM 1
#else
#define MICROPROP_FIXED_ASM 0
#endif

#if MICROPROP_FIXED_ASM && !defined(__thumb2__)
#define MICROPROP_FIXED_THUMB1 1
// GCC hands Thumb-1 inline assembly to the assembler in divided syntax unless told
// -masm-syntax-unified; the loops below are written in unified syntax and switch back after.
#if defined(__ARM_ASM_SYNTAX_UNIFIED__)
#define MICROPROP_FIXED_ASM_SYNTAX_RESTORE ""
#else
#define MICROPROP_FIXED_ASM_SYNTAX_RESTORE ".syntax divided\n"
#endif
/// An exact sum as hi 2^32 + lo (lo signed: the sum fits 32 bits when hi == 0); on Thumb-1
/// GCC would spill a 64-bit integer to the stack.
struct exact_sum {
    std::int32_t lo;
    std::int32_t hi;
};
/// lo + hi 2^32 rounded to nearest into Q3.12 and saturated, on 32 bits.
MICROPROP_ALWAYS_INLINE std::int16_t narrow_exact(exact_sum sum)
{
    if (sum.hi != 0) return saturate16(sum.hi < 0 ? std::int32_t(-32769) : std::int32_t(32768));
    return saturate16((sum.lo >> microprop::fixed::fraction_bits) + ((sum.lo >> (microprop::fixed::fraction_bits - 1)) & 1));
}
/// The exact sum v.
MICROPROP_ALWAYS_INLINE exact_sum exact_sum_from(std::int32_t v) { return exact_sum{v, 0}; }
/// sum += product, the overflow of the low word carried into the high word.
MICROPROP_ALWAYS_INLINE void add_product(exact_sum& sum, std::int32_t product)
{
    if (__builtin_add_overflow(sum.lo, product, &sum.lo)) sum.hi += product < 0 ? -1 : 1;
}
#else
#define MICROPROP_FIXED_THUMB1 0
/// An exact sum of products: 64 bits (SMLAL's accumulator on Thumb-2).
using exact_sum = std::int64_t;
MICROPROP_ALWAYS_INLINE std::int16_t narrow_exact(exact_sum sum) { return narrow_product_sum(sum); }
MICROPROP_ALWAYS_INLINE exact_sum exact_sum_from(std::int32_t v) { return v; }
MICROPROP_ALWAYS_INLINE void add_product(exact_sum& sum, std::int32_t product) { sum += product; }
#endif

/// acc + sum_i w_i x_i, exact (products are at most 2^30 in magnitude).
///
/// On Thumb-1 cores (Cortex-M0/M0+/M23 baseline) GCC keeps a 64-bit sum in spilled
/// registers (17 instructions a product, measured); the loop below keeps a 32-bit sum and
/// counts its signed overflows (the V flag after ADDS) into a high word: 6.25 instructions a
/// product with the same exact result. Elsewhere GCC's code is used (SMLAL on the M3).
MICROPROP_ALWAYS_INLINE exact_sum dot_exact(const q3_12* w, const q3_12* x, std::size_t n, exact_sum acc)
{
#if MICROPROP_FIXED_THUMB1
    const std::size_t quads = n / 4;
    if (quads > 0) {
        std::int32_t lo = acc.lo;
        std::int32_t hi = acc.hi;
        std::int32_t offset = -static_cast<std::int32_t>(8 * quads);
        const q3_12* w_end = w + 4 * quads;
        const q3_12* x_end = x + 4 * quads;
        std::int32_t product, other;
// One product added at offset `i` (then i += 2); a wrapped sum branches to wrap label L.
#define MICROPROP_FIXED_V_STEP(L)                      \
    "ldrsh %[p], [%[we], %[i]]\n\t"                    \
    "ldrsh %[q], [%[xe], %[i]]\n\t"                    \
    "muls %[p], %[q], %[p]\n\t"                        \
    "adds %[lo], %[lo], %[p]\n\t"                      \
    "bvs " #L "f\n"                                     \
    #L "0:\n\t"                                        \
    "adds %[i], %[i], #2\n\t"
// The sum wrapped: +1 (product > 0) or -1 (product < 0) into the high word, then back.
#define MICROPROP_FIXED_V_WRAP(L)                      \
    #L ":\n\t"                                         \
    "asrs %[p], %[p], #31\n\t"                         \
    "lsls %[p], %[p], #1\n\t"                          \
    "adds %[p], %[p], #1\n\t"                          \
    "adds %[hi], %[hi], %[p]\n\t"                      \
    "b " #L "0b\n"
        __asm volatile(
            ".syntax unified\n"
            "1:\n\t"
            MICROPROP_FIXED_V_STEP(2) MICROPROP_FIXED_V_STEP(3) MICROPROP_FIXED_V_STEP(4) MICROPROP_FIXED_V_STEP(5)
            "bne 1b\n\t"
            "b 6f\n"
            MICROPROP_FIXED_V_WRAP(2) MICROPROP_FIXED_V_WRAP(3) MICROPROP_FIXED_V_WRAP(4) MICROPROP_FIXED_V_WRAP(5)
            "6:\n\t"
            MICROPROP_FIXED_ASM_SYNTAX_RESTORE
            : [lo] "+l"(lo), [hi] "+l"(hi), [i] "+l"(offset), [p] "=&l"(product), [q] "=&l"(other)
            : [we] "l"(w_end), [xe] "l"(x_end)
            : "cc", "memory");
#undef MICROPROP_FIXED_V_STEP
#undef MICROPROP_FIXED_V_WRAP
        acc = exact_sum{lo, hi};
    }
    for (std::size_t i = 4 * quads; i < n; ++i) add_product(acc, std::int32_t(w[i].raw) * x[i].raw);
    return acc;
#elif MICROPROP_FIXED_ASM
    // SMLAL with post-incremented loads, four products a turn: 3.5 instructions a product
    // (GCC's unrolled loop: 3.75).
    std::size_t i = n & ~std::size_t(3);
    if (i > 0) {
        std::uint32_t lo = static_cast<std::uint32_t>(static_cast<std::uint64_t>(acc));
        std::int32_t hi = static_cast<std::int32_t>(acc >> 32);
        const q3_12* wp = w;
        const q3_12* xp = x;
        const q3_12* w_end = w + i;
        std::int32_t a, b;
#define MICROPROP_FIXED_SMLAL_STEP "ldrsh %[a], [%[w]], #2\n\tldrsh %[b], [%[x]], #2\n\tsmlal %[lo], %[hi], %[a], %[b]\n\t"
        __asm volatile(
            "1:\n\t"
            MICROPROP_FIXED_SMLAL_STEP MICROPROP_FIXED_SMLAL_STEP MICROPROP_FIXED_SMLAL_STEP MICROPROP_FIXED_SMLAL_STEP
            "cmp %[w], %[end]\n\t"
            "bne 1b\n\t"
            : [lo] "+r"(lo), [hi] "+r"(hi), [w] "+r"(wp), [x] "+r"(xp), [a] "=&r"(a), [b] "=&r"(b)
            : [end] "r"(w_end)
            : "cc", "memory");
#undef MICROPROP_FIXED_SMLAL_STEP
        acc = static_cast<std::int64_t>(hi) * 4294967296LL + static_cast<std::int64_t>(lo);
    }
    for (std::size_t left = n % 4; left > 0; --left, ++i) acc += std::int32_t(w[i].raw) * x[i].raw;
    return acc;
#else
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        acc += std::int32_t(w[i].raw) * x[i].raw;
        acc += std::int32_t(w[i + 1].raw) * x[i + 1].raw;
        acc += std::int32_t(w[i + 2].raw) * x[i + 2].raw;
        acc += std::int32_t(w[i + 3].raw) * x[i + 3].raw;
    }
    // The tail counts n % 4 steps, which keeps GCC 12's -Waggressive-loop-optimizations quiet.
    for (std::size_t left = n % 4; left > 0; --left, ++i) acc += std::int32_t(w[i].raw) * x[i].raw;
    return acc;
#endif
}

/// u = W x + b: each output an exact 64-bit sum, rounded once to nearest and saturated.
inline void dense_forward(const q3_12* MICROPROP_RESTRICT w, const q3_12* MICROPROP_RESTRICT b,
                          const q3_12* MICROPROP_RESTRICT x, q3_12* MICROPROP_RESTRICT u, std::size_t in,
                          std::size_t out)
{
    for (std::size_t j = 0; j < out; ++j) {
        const exact_sum bias = exact_sum_from(std::int32_t(b[j].raw) * microprop::fixed::one);
        u[j].raw = narrow_exact(dot_exact(w + j * in, x, in, bias));
    }
}

/// acc + sum_j w[j * stride] delta_j for j < n, exact: one column of W^T delta.
/// On Thumb-1 the same V-flag loop as dot_exact (9 instructions a product instead of 17).
MICROPROP_ALWAYS_INLINE exact_sum column_dot_exact(const q3_12* w, std::size_t stride, const q3_12* delta,
                                                   std::size_t n, exact_sum acc)
{
#if MICROPROP_FIXED_THUMB1
    if (n > 0) {
        std::int32_t lo = acc.lo;
        std::int32_t hi = acc.hi;
        std::int32_t offset = -static_cast<std::int32_t>(2 * n);
        const q3_12* delta_end = delta + n;
        const q3_12* column = w;
        const std::uint32_t stride_bytes = static_cast<std::uint32_t>(2 * stride);
        std::int32_t product, other;
        __asm volatile(
            ".syntax unified\n"
            "1:\n\t"
            "ldrh %[p], [%[w]]\n\t"
            "sxth %[p], %[p]\n\t"
            "add %[w], %[stride]\n\t"
            "ldrsh %[q], [%[de], %[i]]\n\t"
            "muls %[p], %[q], %[p]\n\t"
            "adds %[lo], %[lo], %[p]\n\t"
            "bvs 3f\n"
            "2:\n\t"
            "adds %[i], %[i], #2\n\t"
            "bne 1b\n\t"
            "b 4f\n"
            "3:\n\t"  // the sum wrapped: +1 (product > 0) or -1 (product < 0) into the high word
            "asrs %[p], %[p], #31\n\t"
            "lsls %[p], %[p], #1\n\t"
            "adds %[p], %[p], #1\n\t"
            "adds %[hi], %[hi], %[p]\n\t"
            "b 2b\n"
            "4:\n\t"
            MICROPROP_FIXED_ASM_SYNTAX_RESTORE
            : [lo] "+l"(lo), [hi] "+l"(hi), [i] "+l"(offset), [w] "+l"(column), [p] "=&l"(product),
              [q] "=&l"(other)
            : [de] "l"(delta_end), [stride] "h"(stride_bytes)
            : "cc", "memory");
        acc = exact_sum{lo, hi};
    }
    return acc;
#else
    for (std::size_t j = 0; j < n; ++j) acc += std::int32_t(w[j * stride].raw) * delta[j].raw;
    return acc;
#endif
}

/// g_in = W^T delta (with the weights as they are), rounded to nearest and saturated.
/// With `relu_output` (the ReLU output of the layer below, or null) the inputs whose unit
/// is inactive get 0 without their sum: the ReLU derivative would zero them anyway.
inline void dense_backward_input(const q3_12* MICROPROP_RESTRICT w, const q3_12* MICROPROP_RESTRICT delta,
                                 q3_12* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out,
                                 const q3_12* MICROPROP_RESTRICT relu_output = nullptr)
{
    for (std::size_t i = 0; i < in; ++i) {
        if (relu_output != nullptr && relu_output[i].raw <= 0) {
            g_in[i].raw = 0;
            continue;
        }
        g_in[i].raw = narrow_exact(column_dot_exact(w + i, in, delta, out, exact_sum_from(0)));
    }
}

/// w_i <- saturate(w_i - floor((s x_i + r) / 2^16)) for i < n, with |s| <= 2^15 and
/// 0 <= r < 2^16 (so s x_i + r never overflows 32 bits). Every clamped weight is counted.
///
/// The inner loop of per-sample SGD. On the M3 (SSAT, which sets the sticky Q flag) the loop
/// clamps without testing each weight, 6.5 instructions a weight; a row whose Q flag came up
/// is then counted as the number of its weights at a range end (the clamped ones, and any
/// that landed there exactly). On Thumb-1 an exit from the loop on the rare clamped weight,
/// 10.5 instructions a weight. Elsewhere plain C++.
MICROPROP_ALWAYS_INLINE void subtract_scaled_row(q3_12* MICROPROP_RESTRICT w, const q3_12* MICROPROP_RESTRICT x,
                                                 std::size_t n, std::int32_t s, std::int32_t r)
{
#if MICROPROP_FIXED_ASM && defined(__thumb2__) && defined(__ARM_FEATURE_SAT)
// One weight: w <- ssat16(w - ((s x + r) >> 16)), x and w post-incremented.
#define MICROPROP_FIXED_SSAT_STEP                  \
    "ldrsh %[a], [%[x]], #2\n\t"                  \
    "ldrsh %[b], [%[w]]\n\t"                      \
    "mla %[a], %[s], %[a], %[r]\n\t"              \
    "sub %[b], %[b], %[a], asr #16\n\t"           \
    "ssat %[b], #16, %[b]\n\t"                    \
    "strh %[b], [%[w]], #2\n\t"
    const std::size_t blocks = n & ~std::size_t(3);
    std::size_t i = blocks;
    if (blocks > 0) {
        q3_12* w_blocks_end = w + blocks;
        q3_12* wp = w;
        const q3_12* xp = x;
        std::int32_t a, b;
        std::uint32_t flags;
        __asm volatile(
            "mrs %[a], APSR\n\t"
            "bic %[a], %[a], #0x08000000\n\t"  // clear Q
            "msr APSR_nzcvq, %[a]\n"
            "1:\n\t"
            MICROPROP_FIXED_SSAT_STEP MICROPROP_FIXED_SSAT_STEP MICROPROP_FIXED_SSAT_STEP MICROPROP_FIXED_SSAT_STEP
            "cmp %[w], %[end]\n\t"
            "bne 1b\n\t"
            "mrs %[f], APSR\n\t"
            : [w] "+r"(wp), [x] "+r"(xp), [a] "=&r"(a), [b] "=&r"(b), [f] "=r"(flags)
            : [s] "r"(s), [r] "r"(r), [end] "r"(w_blocks_end)
            : "cc", "memory");
        if ((flags & 0x08000000u) != 0) {
            for (std::size_t k = 0; k < blocks; ++k) {
                if (w[k].raw == 32767 || w[k].raw == -32768) ++microprop::detail::fixed_saturations;
            }
        }
    }
#undef MICROPROP_FIXED_SSAT_STEP
    for (; i < n; ++i) w[i].raw = saturate16(w[i].raw - ((s * x[i].raw + r) >> 16));
#elif MICROPROP_FIXED_THUMB1
    // w - floor((s x + r) / 2^16) = floor((w 2^16 + c - s x) / 2^16) with c = 2^16 - 1 - r: the
    // subtraction's V flag says whether the new weight leaves the 16-bit range, and the loop
    // stops there (offset at that weight, which is then clamped and counted in C++).
    const std::int32_t c = 65535 - r;
    std::int32_t offset = -static_cast<std::int32_t>(2 * n);
    q3_12* w_end = w + n;
    const q3_12* x_end = x + n;
#define MICROPROP_FIXED_V_UPDATE           \
    "ldrsh %[n], [%[xe], %[i]]\n\t"       \
    "muls %[n], %[s], %[n]\n\t"           \
    "ldrsh %[v], [%[we], %[i]]\n\t"       \
    "lsls %[v], %[v], #16\n\t"            \
    "adds %[v], %[v], %[c]\n\t"           \
    "subs %[v], %[v], %[n]\n\t"           \
    "bvs 2f\n\t"                          \
    "asrs %[v], %[v], #16\n\t"            \
    "strh %[v], [%[we], %[i]]\n\t"        \
    "adds %[i], %[i], #2\n\t"
    while (offset != 0) {
        if ((offset & 2) != 0) {  // an odd count left: one weight here, pairs below
            q3_12& last = w_end[offset / 2];
            last.raw = saturate16(last.raw - ((s * x_end[offset / 2].raw + r) >> 16));
            offset += 2;
            continue;
        }
        std::int32_t product, value;
        __asm volatile(
            ".syntax unified\n"
            "1:\n\t"
            MICROPROP_FIXED_V_UPDATE MICROPROP_FIXED_V_UPDATE
            "bne 1b\n"
            "2:\n\t"
            MICROPROP_FIXED_ASM_SYNTAX_RESTORE
            : [i] "+l"(offset), [n] "=&l"(product), [v] "=&l"(value)
            : [we] "l"(w_end), [xe] "l"(x_end), [s] "l"(s), [c] "l"(c)
            : "cc", "memory");
        if (offset == 0) break;
        q3_12& clamped = w_end[offset / 2];  // unchanged by the loop: clamp and count it here
        clamped.raw = saturate16(clamped.raw - ((s * x_end[offset / 2].raw + r) >> 16));
        offset += 2;
    }
#undef MICROPROP_FIXED_V_UPDATE
#else
    for (std::size_t i = 0; i < n; ++i) w[i].raw = saturate16(w[i].raw - ((s * x[i].raw + r) >> 16));
#endif
}

/// Per-sample SGD of one layer: W <- W - lr (delta x^T + decay W), b <- b - lr (delta + decay b),
/// every step rounded stochastically. Rows whose delta is 0 (inactive ReLU units) do not
/// change and are skipped. Call dense_backward_input first if the layer passes a delta down:
/// this changes W.
///
/// Row j's step lr delta_j x_i, in steps of 1/4096, is s x_i / 2^16 with s = lr delta_j 2^16
/// (|s| <= 2^15: a step of at most 4 per weight; larger ones are clamped and counted). s is
/// rounded stochastically from the high half of one random word, each weight's step from
/// the low half, so both roundings are unbiased and the update is lr delta x in expectation.
inline void dense_sgd_update(q3_12* MICROPROP_RESTRICT w, q3_12* MICROPROP_RESTRICT b,
                             const q3_12* MICROPROP_RESTRICT x, const q3_12* MICROPROP_RESTRICT delta,
                             std::size_t in, std::size_t out, factor lr, factor decay, random_generator& rng)
{
    const factor keep = factor_product(lr, decay);
    for (std::size_t j = 0; j < out; ++j) {
        q3_12* row = w + j * in;
        if (!keep.is_zero()) {
            // Weight decay first, with the weights as they were: w <- w - lr decay w.
            const step_scale c = normalise_step(keep.mantissa, keep.shift);
            const std::int32_t r = dither(rng.next(), c.shift);
            for (std::size_t i = 0; i < in; ++i) {
                row[i].raw = saturate16(row[i].raw - ((c.scale * row[i].raw + r) >> c.shift));
            }
            b[j].raw = saturate16(b[j].raw - ((c.scale * b[j].raw + r) >> c.shift));
        }
        const std::int32_t dj = delta[j].raw;
        if (dj == 0) continue;
        // s = lr.mantissa dj 2^(4 - lr.shift): lr delta_j in units of 2^-16 of a step per unit of x.
        std::int32_t v = lr.mantissa * dj;
        std::int32_t k = lr.shift - 4;
        if (k > 30) {
            v = k - 30 >= 31 ? (v < 0 ? -1 : 0) : (v >> (k - 30));
            k = 30;
        }
        const std::uint32_t random_word = rng.next();
        const std::int32_t r = dither(random_word << 16, 16);
        std::int32_t s = v;
        if (k > 0) {
            const std::int32_t r_s = k <= 16 ? dither(random_word, k) : dither(random_word, 16) * (1 << (k - 16));
            s = (v + r_s) >> k;  // |v| < 2^30 and r_s < 2^k <= 2^30: no overflow
        } else if (k < 0) {
            s = v > (32768 >> -k) ? 32769 : (v < -(32768 >> -k) ? -32769 : v * (1 << -k));
        }
        if (s > 32768 || s < -32768) {
            ++microprop::detail::fixed_saturations;
            s = s > 0 ? 32768 : -32768;
        }
        subtract_scaled_row(row, x, in, s, r);
        b[j].raw = saturate16(b[j].raw - ((s * microprop::fixed::one + r) >> 16));
    }
}

/// gW += delta x^T, gb += delta, each product rounded stochastically to Q3.12 (one random
/// word per row) and saturated.
inline void dense_accumulate_gradient(const q3_12* MICROPROP_RESTRICT delta, const q3_12* MICROPROP_RESTRICT x,
                                      q3_12* MICROPROP_RESTRICT gw, q3_12* MICROPROP_RESTRICT gb, std::size_t in,
                                      std::size_t out, random_generator& rng)
{
    for (std::size_t j = 0; j < out; ++j) {
        const std::int32_t dj = delta[j].raw;
        gb[j].raw = saturate16(std::int32_t(gb[j].raw) + dj);
        if (dj == 0) continue;
        q3_12* row = gw + j * in;
        const std::int32_t r = dither(rng.next(), microprop::fixed::fraction_bits);
        for (std::size_t i = 0; i < in; ++i) {
            row[i].raw = saturate16(row[i].raw + ((dj * x[i].raw + r) >> microprop::fixed::fraction_bits));
        }
    }
}

/// acc + v clamped to the 32-bit range; a clamp is counted as a saturation.
MICROPROP_ALWAYS_INLINE std::int32_t add_saturating32(std::int32_t acc, std::int32_t v)
{
    std::int32_t sum;
    if (!__builtin_add_overflow(acc, v, &sum)) return sum;
    ++microprop::detail::fixed_saturations;
    return v < 0 ? std::int32_t(-2147483647 - 1) : std::int32_t(2147483647);
}

/// Minibatch gradient sums: sw += delta x^T and sb += delta, every product exact in Q6.24
/// (a 32-bit integer: delta_j x_i 2^24) and added with saturation (counted). The sums hold
/// |sum| < 128 exactly, e.g. 16 samples whose |delta_j x_i| stay below 8. Rows whose delta
/// is 0 (inactive ReLU units) add nothing and are skipped.
inline void dense_accumulate_exact(const q3_12* MICROPROP_RESTRICT delta, const q3_12* MICROPROP_RESTRICT x,
                                   std::int32_t* MICROPROP_RESTRICT sw, std::int32_t* MICROPROP_RESTRICT sb,
                                   std::size_t in, std::size_t out)
{
    for (std::size_t j = 0; j < out; ++j) {
        const std::int32_t dj = delta[j].raw;
        if (dj == 0) continue;
        sb[j] = add_saturating32(sb[j], dj * microprop::fixed::one);
        std::int32_t* row = sw + j * in;
        for (std::size_t i = 0; i < in; ++i) row[i] = add_saturating32(row[i], dj * x[i].raw);
    }
}

/// 1 / count (count >= 1) as a factor: mantissa round(2^shift / count) in [2^14, 2^15].
inline factor factor_reciprocal(std::uint32_t count)
{
    std::int32_t shift = 14;
    while ((std::uint32_t{1} << (shift - 14)) < count) ++shift;  // 2^shift / count >= 2^14
    const std::uint32_t m = ((std::uint32_t{1} << shift) + count / 2) / count;
    return factor{static_cast<std::int32_t>(m), shift};
}

/// floor((v + r) / 2^shift) for shift in [1, 62] with r uniform in [0, 2^shift) built
/// from two random words (the bits below 2^(shift - 64) are zero: a bias below 2^-32 of a
/// step). The stochastic rounding of a 64-bit minibatch step.
MICROPROP_ALWAYS_INLINE std::int64_t shift_stochastic64(std::int64_t v, std::int32_t shift, std::uint64_t random_bits)
{
#if defined(MICROPROP_FIXED_NEAREST_UPDATES) && MICROPROP_FIXED_NEAREST_UPDATES
    static_cast<void>(random_bits);
    const std::int64_t r = std::int64_t{1} << (shift - 1);
#else
    const std::int64_t r = static_cast<std::int64_t>(random_bits >> (64 - shift));
#endif
    return (v + r) >> shift;  // |v| < 2^47, r < 2^62: no overflow
}

}  // namespace microprop::kernels::fixed

#endif
