// The per-sample SGD step of a float layer on Cortex-M cores with a 32-register single-precision
// FPU: the live rows (dead ReLU units skipped) gathered and streamed four together through
// VLDM/VSTM; the output layer's fused step keeps eight g_in sums in registers while it
// updates the same weights.
#ifndef MICROPROP_KERNELS_DENSE_SGD_VFP_HPP
#define MICROPROP_KERNELS_DENSE_SGD_VFP_HPP

#include <cstddef>
#include <cstdint>
#include "../../config.hpp"
#include "../common/vfp_asm.hpp"
#include "../common/vfp_narrow_rows.hpp"

// Only where MICROPROP_KERNELS_VFP (config.hpp) holds: Clang checks the register names of
// asm clobber lists ("s0".."s31") even in functions never called, so the kernels must not be
// seen at all when the header is compiled on its own for another architecture.
#if MICROPROP_KERNELS_VFP

namespace microprop::kernels::vfp {

/// For `groups` groups of four rows (pointers in rows[], steps in st[]): row -= step * x over
/// `chunks` blocks of 16 inputs (groups, chunks >= 1).
inline void update_groups16(float* const* rows, const float* st, const float* x, std::size_t groups, std::size_t chunks)
{
    float *w0, *w1, *w2, *w3;
    const float* xp;
    std::size_t n;
    __asm volatile(
        "1:\n\t"
        "ldr %[w0], [%[rows]], #4\n\t"
        "ldr %[w1], [%[rows]], #4\n\t"
        "ldr %[w2], [%[rows]], #4\n\t"
        "ldr %[w3], [%[rows]], #4\n\t"
        "vldmia %[st]!, {s24-s27}\n\t"
        "mov %[xp], %[x]\n\t"
        "mov %[n], %[chunks]\n\t"
        "2:\n\t"
        "vldmia %[xp]!, {s0-s15}\n\t"
        "vldmia %[w0], {s16-s23}\n\t"
        "vfms.f32 s16, s24, s0\n\t"
        "vfms.f32 s17, s24, s1\n\t"
        "vfms.f32 s18, s24, s2\n\t"
        "vfms.f32 s19, s24, s3\n\t"
        "vfms.f32 s20, s24, s4\n\t"
        "vfms.f32 s21, s24, s5\n\t"
        "vfms.f32 s22, s24, s6\n\t"
        "vfms.f32 s23, s24, s7\n\t"
        "vstmia %[w0]!, {s16-s23}\n\t"
        "vldmia %[w0], {s16-s23}\n\t"
        "vfms.f32 s16, s24, s8\n\t"
        "vfms.f32 s17, s24, s9\n\t"
        "vfms.f32 s18, s24, s10\n\t"
        "vfms.f32 s19, s24, s11\n\t"
        "vfms.f32 s20, s24, s12\n\t"
        "vfms.f32 s21, s24, s13\n\t"
        "vfms.f32 s22, s24, s14\n\t"
        "vfms.f32 s23, s24, s15\n\t"
        "vstmia %[w0]!, {s16-s23}\n\t"
        "vldmia %[w1], {s16-s23}\n\t"
        "vfms.f32 s16, s25, s0\n\t"
        "vfms.f32 s17, s25, s1\n\t"
        "vfms.f32 s18, s25, s2\n\t"
        "vfms.f32 s19, s25, s3\n\t"
        "vfms.f32 s20, s25, s4\n\t"
        "vfms.f32 s21, s25, s5\n\t"
        "vfms.f32 s22, s25, s6\n\t"
        "vfms.f32 s23, s25, s7\n\t"
        "vstmia %[w1]!, {s16-s23}\n\t"
        "vldmia %[w1], {s16-s23}\n\t"
        "vfms.f32 s16, s25, s8\n\t"
        "vfms.f32 s17, s25, s9\n\t"
        "vfms.f32 s18, s25, s10\n\t"
        "vfms.f32 s19, s25, s11\n\t"
        "vfms.f32 s20, s25, s12\n\t"
        "vfms.f32 s21, s25, s13\n\t"
        "vfms.f32 s22, s25, s14\n\t"
        "vfms.f32 s23, s25, s15\n\t"
        "vstmia %[w1]!, {s16-s23}\n\t"
        "vldmia %[w2], {s16-s23}\n\t"
        "vfms.f32 s16, s26, s0\n\t"
        "vfms.f32 s17, s26, s1\n\t"
        "vfms.f32 s18, s26, s2\n\t"
        "vfms.f32 s19, s26, s3\n\t"
        "vfms.f32 s20, s26, s4\n\t"
        "vfms.f32 s21, s26, s5\n\t"
        "vfms.f32 s22, s26, s6\n\t"
        "vfms.f32 s23, s26, s7\n\t"
        "vstmia %[w2]!, {s16-s23}\n\t"
        "vldmia %[w2], {s16-s23}\n\t"
        "vfms.f32 s16, s26, s8\n\t"
        "vfms.f32 s17, s26, s9\n\t"
        "vfms.f32 s18, s26, s10\n\t"
        "vfms.f32 s19, s26, s11\n\t"
        "vfms.f32 s20, s26, s12\n\t"
        "vfms.f32 s21, s26, s13\n\t"
        "vfms.f32 s22, s26, s14\n\t"
        "vfms.f32 s23, s26, s15\n\t"
        "vstmia %[w2]!, {s16-s23}\n\t"
        "vldmia %[w3], {s16-s23}\n\t"
        "vfms.f32 s16, s27, s0\n\t"
        "vfms.f32 s17, s27, s1\n\t"
        "vfms.f32 s18, s27, s2\n\t"
        "vfms.f32 s19, s27, s3\n\t"
        "vfms.f32 s20, s27, s4\n\t"
        "vfms.f32 s21, s27, s5\n\t"
        "vfms.f32 s22, s27, s6\n\t"
        "vfms.f32 s23, s27, s7\n\t"
        "vstmia %[w3]!, {s16-s23}\n\t"
        "vldmia %[w3], {s16-s23}\n\t"
        "vfms.f32 s16, s27, s8\n\t"
        "vfms.f32 s17, s27, s9\n\t"
        "vfms.f32 s18, s27, s10\n\t"
        "vfms.f32 s19, s27, s11\n\t"
        "vfms.f32 s20, s27, s12\n\t"
        "vfms.f32 s21, s27, s13\n\t"
        "vfms.f32 s22, s27, s14\n\t"
        "vfms.f32 s23, s27, s15\n\t"
        "vstmia %[w3]!, {s16-s23}\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 2b\n\t"
        "subs %[groups], %[groups], #1\n\t"
        "bne 1b\n\t"
        : [rows] "+r"(rows), [st] "+r"(st), [groups] "+r"(groups), [w0] "=&r"(w0), [w1] "=&r"(w1),
          [w2] "=&r"(w2), [w3] "=&r"(w3), [xp] "=&r"(xp), [n] "=&r"(n)
        : [x] "r"(x), [chunks] "r"(chunks)
        : MICROPROP_VFP_CLOBBERS);
}

/// row -= st[0] * x over `chunks` blocks of 8 (chunks >= 1).
inline void update_row1(float* w0, const float* x, const float* st, std::size_t chunks)
{
    __asm volatile(
            "vldr s24, [%[st]]\n\t"
            "1:\n\t"
            "vldmia %[x]!, {s0-s7}\n\t"
            "vldmia %[w0], {s8-s15}\n\t"
            "vfms.f32 s8, s24, s0\n\t"
            "vfms.f32 s9, s24, s1\n\t"
            "vfms.f32 s10, s24, s2\n\t"
            "vfms.f32 s11, s24, s3\n\t"
            "vfms.f32 s12, s24, s4\n\t"
            "vfms.f32 s13, s24, s5\n\t"
            "vfms.f32 s14, s24, s6\n\t"
            "vfms.f32 s15, s24, s7\n\t"
            "vstmia %[w0]!, {s8-s15}\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
        : [w0] "+r"(w0), [x] "+r"(x), [n] "+r"(chunks)
        : [st] "r"(st)
        : MICROPROP_VFP_CLOBBERS);
}

/// For the 8 columns at w (row stride `stride_bytes`) and `rows` rows (rows >= 1):
/// g[0..7] = sum_j w_j * delta_j with the weights on entry, and w_j -= (lr delta_j) x[0..7].
/// `zeros_lr` holds eight zeros and then the learning rate. Rows go two at a time.
inline void fused_columns8(float* w, std::size_t stride_bytes, const float* x, const float* delta,
                           const float* zeros_lr, float* g, std::size_t rows)
{
    __asm volatile(
        "vldmia %[x], {s0-s7}\n\t"
        "vldmia %[z], {s8-s15}\n\t"
        "vldr s26, [%[z], #32]\n\t"
        "tst %[n], #1\n\t"
        "beq 3f\n\t"
        "vldmia %[d]!, {s24}\n\t"
        "vmul.f32 s28, s24, s26\n\t"
        "vldmia %[w], {s16-s23}\n\t"
        "vfma.f32 s8, s16, s24\n\t"
        "vfma.f32 s9, s17, s24\n\t"
        "vfma.f32 s10, s18, s24\n\t"
        "vfma.f32 s11, s19, s24\n\t"
        "vfma.f32 s12, s20, s24\n\t"
        "vfma.f32 s13, s21, s24\n\t"
        "vfma.f32 s14, s22, s24\n\t"
        "vfma.f32 s15, s23, s24\n\t"
        "vfms.f32 s16, s28, s0\n\t"
        "vfms.f32 s17, s28, s1\n\t"
        "vfms.f32 s18, s28, s2\n\t"
        "vfms.f32 s19, s28, s3\n\t"
        "vfms.f32 s20, s28, s4\n\t"
        "vfms.f32 s21, s28, s5\n\t"
        "vfms.f32 s22, s28, s6\n\t"
        "vfms.f32 s23, s28, s7\n\t"
        "vstmia %[w], {s16-s23}\n\t"
        "add %[w], %[w], %[stride]\n\t"
        "3:\n\t"
        "lsrs %[n], %[n], #1\n\t"
        "beq 4f\n\t"
        "1:\n\t"
        "vldmia %[d]!, {s24-s25}\n\t"
        "vmul.f32 s28, s24, s26\n\t"
        "vmul.f32 s29, s25, s26\n\t"
        "vldmia %[w], {s16-s23}\n\t"
        "vfma.f32 s8, s16, s24\n\t"
        "vfma.f32 s9, s17, s24\n\t"
        "vfma.f32 s10, s18, s24\n\t"
        "vfma.f32 s11, s19, s24\n\t"
        "vfma.f32 s12, s20, s24\n\t"
        "vfma.f32 s13, s21, s24\n\t"
        "vfma.f32 s14, s22, s24\n\t"
        "vfma.f32 s15, s23, s24\n\t"
        "vfms.f32 s16, s28, s0\n\t"
        "vfms.f32 s17, s28, s1\n\t"
        "vfms.f32 s18, s28, s2\n\t"
        "vfms.f32 s19, s28, s3\n\t"
        "vfms.f32 s20, s28, s4\n\t"
        "vfms.f32 s21, s28, s5\n\t"
        "vfms.f32 s22, s28, s6\n\t"
        "vfms.f32 s23, s28, s7\n\t"
        "vstmia %[w], {s16-s23}\n\t"
        "add %[w], %[w], %[stride]\n\t"
        "vldmia %[w], {s16-s23}\n\t"
        "vfma.f32 s8, s16, s25\n\t"
        "vfma.f32 s9, s17, s25\n\t"
        "vfma.f32 s10, s18, s25\n\t"
        "vfma.f32 s11, s19, s25\n\t"
        "vfma.f32 s12, s20, s25\n\t"
        "vfma.f32 s13, s21, s25\n\t"
        "vfma.f32 s14, s22, s25\n\t"
        "vfma.f32 s15, s23, s25\n\t"
        "vfms.f32 s16, s29, s0\n\t"
        "vfms.f32 s17, s29, s1\n\t"
        "vfms.f32 s18, s29, s2\n\t"
        "vfms.f32 s19, s29, s3\n\t"
        "vfms.f32 s20, s29, s4\n\t"
        "vfms.f32 s21, s29, s5\n\t"
        "vfms.f32 s22, s29, s6\n\t"
        "vfms.f32 s23, s29, s7\n\t"
        "vstmia %[w], {s16-s23}\n\t"
        "add %[w], %[w], %[stride]\n\t"
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        "4:\n\t"
        "vstmia %[g], {s8-s15}\n\t"
        : [w] "+r"(w), [d] "+r"(delta), [n] "+r"(rows)
        : [x] "r"(x), [z] "r"(zeros_lr), [g] "r"(g), [stride] "r"(stride_bytes)
        : MICROPROP_VFP_CLOBBERS);
}

}  // namespace microprop::kernels::vfp

namespace microprop::kernels::fast_vfp {

/// Columns [from, from + width) of `count` gathered rows: row -= step * x (width <= 15).
/// Out of line: inlined, its asm's registers crowd the 16-wide path of update_float.
#if defined(__GNUC__)
__attribute__((noinline))
#endif
inline void update_columns_narrow(float** rows, const float* steps, const float* x, std::size_t count,
                                  std::size_t from, std::size_t width)
{
    for (std::size_t k = 0; k < count; ++k) rows[k] += from;
    vfp::update_narrow(rows, steps, x + from, count, width);
}

/// The first layer's update (no g_in): W -= lr delta x^T, b -= lr delta.
/// With `relu_z` set, delta holds W^T delta of the layer above and row j's delta is delta_j
/// where relu_z[j] > 0 and 0 elsewhere (the ReLU derivative applied on the fly).
/// SkipZeroDelta also skips the rows whose delta is exactly 0 on the VFP cores (a minibatch
/// gradient, where most of them are inactive units; the per-sample step does not test for it).
template <bool SkipZeroDelta = false>
inline void update_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                         const float* MICROPROP_RESTRICT x, const float* MICROPROP_RESTRICT delta,
                         std::size_t in, std::size_t out, float lr, const float* relu_z = nullptr)
{
    // The live rows (dead ones skipped) are gathered, up to 8 at a time (the stack stays small),
    // then streamed four together, sixteen columns per block, in one call; the columns past the
    // last block (all of them in rows shorter than 16) go through update_narrow.
    constexpr std::size_t gather = 8;
    const std::size_t chunks = in / 16;
    const std::size_t tail_from = chunks * 16;
    float* rows[gather];
    float steps[gather];
    std::size_t pending = 0;
    constexpr bool skip_dead = MICROPROP_SKIP_DEAD_UNITS != 0;
    const auto flush = [&](std::size_t count) {
        const std::size_t grouped = chunks > 0 ? count - count % 4 : 0;
        if (grouped > 0) vfp::update_groups16(rows, steps, x, grouped / 4, chunks);
        if (chunks > 0) {
            for (std::size_t k = grouped; k < count; ++k) vfp::update_row1(rows[k], x, steps + k, tail_from / 8);
        }
        if (tail_from != in) update_columns_narrow(rows, steps, x, count, tail_from, in - tail_from);
    };
    for (std::size_t j = 0; j < out; ++j) {
        float dj = delta[j];
        if (relu_z != nullptr) {
            // z > 0 tested on the bits (no FPSCR transfer); an inactive unit changes nothing.
            std::int32_t z_bits;
            std::memcpy(&z_bits, relu_z + j, sizeof z_bits);
            if (z_bits <= 0) {
                if (skip_dead) continue;
                dj = 0.0f;
            }
        }
        // A live unit whose delta happens to be exactly 0 is updated anyway (by 0): testing
        // for it would cost more than it saves, except in a minibatch gradient.
        if (SkipZeroDelta && dj == 0.0f) continue;
        const float step = lr * dj;
        b[j] -= step;
        rows[pending] = w + j * in;
        steps[pending] = step;
        if (++pending == gather) {
            flush(gather);
            pending = 0;
        }
    }
    if (pending > 0) flush(pending);
}

/// g_in = W^T delta with the weights on entry, W -= lr delta x^T, b -= lr delta.
inline void backward_update_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                                  const float* MICROPROP_RESTRICT x, const float* MICROPROP_RESTRICT delta,
                                  float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, float lr)
{
    const std::size_t blocks = out > 0 ? in / 8 : 0;
    const std::size_t i0 = blocks * 8;
    const float zeros_lr[9] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, lr};
    for (std::size_t c = 0; c < blocks; ++c) {
        vfp::fused_columns8(w + 8 * c, in * sizeof(float), x + 8 * c, delta, zeros_lr, g_in + 8 * c, out);
    }
    if (i0 < in) {
        for (std::size_t i = i0; i < in; ++i) g_in[i] = 0.0f;
        for (std::size_t j = 0; j < out; ++j) {
            float* row = w + j * in;
            const float dj = delta[j];
            const float step = lr * dj;
            for (std::size_t i = i0; i < in; ++i) {
                g_in[i] += row[i] * dj;
                row[i] -= step * x[i];
            }
        }
    }
    for (std::size_t j = 0; j < out; ++j) b[j] -= lr * delta[j];
}

/// The first layer's update below a ReLU (update_float with relu_z = z): rows of 1-14 and 17-30
/// weights by vfp::update_rows_relu, which tests each unit's ReLU output itself instead of
/// gathering the live rows first; other widths by update_float.
MICROPROP_ALWAYS_INLINE void update_below_relu_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                                                     const float* MICROPROP_RESTRICT x,
                                                     const float* MICROPROP_RESTRICT delta,
                                                     const float* MICROPROP_RESTRICT z, std::size_t in,
                                                     std::size_t out, float lr)
{
#if MICROPROP_SKIP_DEAD_UNITS
    if (in - 1 < 30 && in % 16 - 1 < 14) {
        vfp::update_rows_relu(w, b, x, delta, z, out, in, lr);
        return;
    }
#endif
    update_float(w, b, x, delta, in, out, lr, z);
}

}  // namespace microprop::kernels::fast_vfp

#endif  // MICROPROP_KERNELS_VFP

#endif
