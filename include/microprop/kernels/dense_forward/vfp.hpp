// u = W x + b for one float sample on Cortex-M cores with a 32-register single-precision FPU:
// weights stream through VLDM eight at a time, four rows share every load of x, sixteen
// inputs per block, ReLU fused for an even number of blocks; the columns past the last
// block through the narrow-row table (common/vfp_asm.hpp).
#ifndef MICROPROP_KERNELS_DENSE_FORWARD_VFP_HPP
#define MICROPROP_KERNELS_DENSE_FORWARD_VFP_HPP

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

/// For `blocks` blocks of four rows from w (row stride `stride_bytes`): u[r] = b[r] + row_r . x
/// over `chunks` blocks of 16 inputs (blocks, chunks >= 1). Returns w past the last row.
inline const float* forward_blocks16(const float* w, std::size_t stride_bytes, const float* x, const float* b, float* u,
                                     std::size_t blocks, std::size_t chunks)
{
    const float *w1, *w2, *w3, *xp;
    const float* const x_end = x + 16 * chunks;
    const std::size_t tail_bytes = stride_bytes - 64 * chunks;
    __asm volatile(
        "1:\n\t"
        "add %[w1], %[w0], %[stride]\n\t"
        "add %[w2], %[w1], %[stride]\n\t"
        "add %[w3], %[w2], %[stride]\n\t"
        "vldmia %[b]!, {s24-s27}\n\t"
        "mov %[xp], %[x]\n\t"
        "2:\n\t"
        "vldmia %[xp]!, {s0-s15}\n\t"
        MICROPROP_VFP_ROW16("%[w0]", "s24")
        MICROPROP_VFP_ROW16("%[w1]", "s25")
        MICROPROP_VFP_ROW16("%[w2]", "s26")
        MICROPROP_VFP_ROW16("%[w3]", "s27")
        "cmp %[xp], %[x_end]\n\t"
        "bne 2b\n\t"
        "vstmia %[u]!, {s24-s27}\n\t"
        // Next block: past row 3's inputs read, plus the columns past the last 16-input
        // block (a tail the caller adds), if any.
        "add %[w0], %[w3], %[tail]\n\t"
        "subs %[blocks], %[blocks], #1\n\t"
        "bne 1b\n\t"
        : [w0] "+r"(w), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3), [xp] "=&r"(xp), [b] "+r"(b),
          [u] "+r"(u), [blocks] "+r"(blocks)
        : [x] "r"(x), [stride] "r"(stride_bytes), [x_end] "r"(x_end), [tail] "r"(tail_bytes)
        : MICROPROP_VFP_CLOBBERS);
    return w;
}

/// forward_blocks16 followed by ReLU (on the sign bit: relu(-0) = +0), for an even number of
/// 16-input blocks (chunks >= 2, even): the inner loop does two blocks per iteration.
inline const float* forward_blocks32_relu(const float* w, std::size_t stride_bytes, const float* x, const float* b,
                                          float* u, std::size_t blocks, std::size_t chunks)
{
    std::uintptr_t w1, w2, xp, n;
    const float* w3;
    const float* const x_end = x + 16 * chunks;
    __asm volatile(
        "1:\n\t"
        "add %[w1], %[w0], %[stride]\n\t"
        "add %[w2], %[w1], %[stride]\n\t"
        "add %[w3], %[w2], %[stride]\n\t"
        "vldmia %[b]!, {s24-s27}\n\t"
        "mov %[xp], %[x]\n\t"
        "2:\n\t"
        "vldmia %[xp]!, {s0-s15}\n\t"
        MICROPROP_VFP_ROW16("%[w0]", "s24")
        MICROPROP_VFP_ROW16("%[w1]", "s25")
        MICROPROP_VFP_ROW16("%[w2]", "s26")
        MICROPROP_VFP_ROW16("%[w3]", "s27")
        "vldmia %[xp]!, {s0-s15}\n\t"
        MICROPROP_VFP_ROW16("%[w0]", "s24")
        MICROPROP_VFP_ROW16("%[w1]", "s25")
        MICROPROP_VFP_ROW16("%[w2]", "s26")
        MICROPROP_VFP_ROW16("%[w3]", "s27")
        "cmp %[xp], %[x_end]\n\t"
        "bne 2b\n\t"
        "vmov %[w1], %[w2], s24, s25\n\t"
        "vmov %[xp], %[n], s26, s27\n\t"
        "bic %[w1], %[w1], %[w1], asr #31\n\t"
        "bic %[w2], %[w2], %[w2], asr #31\n\t"
        "bic %[xp], %[xp], %[xp], asr #31\n\t"
        "bic %[n], %[n], %[n], asr #31\n\t"
        "strd %[w1], %[w2], [%[u]], #8\n\t"
        "strd %[xp], %[n], [%[u]], #8\n\t"
        "mov %[w0], %[w3]\n\t"
        "subs %[blocks], %[blocks], #1\n\t"
        "bne 1b\n\t"
        : [w0] "+r"(w), [w1] "=&r"(w1), [w2] "=&r"(w2), [w3] "=&r"(w3), [xp] "=&r"(xp), [n] "=&r"(n),
          [b] "+r"(b), [u] "+r"(u), [blocks] "+r"(blocks)
        : [x] "r"(x), [stride] "r"(stride_bytes), [x_end] "r"(x_end)
        : MICROPROP_VFP_CLOBBERS);
    return w;
}

/// u[0..1] = b[0..1] + two rows of W (row stride `stride_bytes`) times x, over `chunks` blocks
/// of 16 inputs (chunks >= 1); the rows share every load of x.
inline void forward_rows2_16(const float* w0, std::size_t stride_bytes, const float* x, const float* b, float* u,
                             std::size_t chunks)
{
    const float* w1 = reinterpret_cast<const float*>(reinterpret_cast<const char*>(w0) + stride_bytes);
    __asm volatile(
        "vldmia %[b], {s24-s25}\n\t"
        "1:\n\t"
        "vldmia %[x]!, {s0-s15}\n\t"
        MICROPROP_VFP_ROW16("%[w0]", "s24")
        MICROPROP_VFP_ROW16("%[w1]", "s25")
        "subs %[n], %[n], #1\n\t"
        "bne 1b\n\t"
        "vstmia %[u], {s24-s25}\n\t"
        : [w0] "+r"(w0), [w1] "+r"(w1), [x] "+r"(x), [n] "+r"(chunks)
        : [b] "r"(b), [u] "r"(u)
        : MICROPROP_VFP_CLOBBERS);
}

/// u[0] = b[0] + one row of W times x, over `chunks` blocks of 8 inputs (chunks >= 1).
inline void forward_row1(const float* w0, const float* x, const float* b, float* u, std::size_t chunks)
{
    __asm volatile(
            "vldr s24, [%[b]]\n\t"
            "1:\n\t"
            "vldmia %[x]!, {s0-s7}\n\t"
            "vldmia %[w0]!, {s8-s15}\n\t"
            "vfma.f32 s24, s8, s0\n\t"
            "vfma.f32 s24, s9, s1\n\t"
            "vfma.f32 s24, s10, s2\n\t"
            "vfma.f32 s24, s11, s3\n\t"
            "vfma.f32 s24, s12, s4\n\t"
            "vfma.f32 s24, s13, s5\n\t"
            "vfma.f32 s24, s14, s6\n\t"
            "vfma.f32 s24, s15, s7\n\t"
            "subs %[n], %[n], #1\n\t"
            "bne 1b\n\t"
            "vstr s24, [%[u]]\n\t"
        : [w0] "+r"(w0), [x] "+r"(x), [n] "+r"(chunks)
        : [b] "r"(b), [u] "r"(u)
        : MICROPROP_VFP_CLOBBERS);
}

}  // namespace microprop::kernels::vfp

namespace microprop::kernels::fast_vfp {

/// vfp::forward_narrow_relu when `relu` is set (returns true), else vfp::forward_narrow (false).
/// Out of line: two calls in forward_float cost the 16-wide path registers (M7: 5 instructions
/// more a W2 inference).
#if defined(__GNUC__)
__attribute__((noinline))
#endif
inline bool forward_narrow_rows(const float* w, std::size_t stride_bytes, const float* x, const float* b, float* u,
                                std::size_t rows, std::size_t width, bool relu)
{
    if (relu) {
        vfp::forward_narrow_relu(w, stride_bytes, x, b, u, rows, width);
        return true;
    }
    vfp::forward_narrow(w, stride_bytes, x, b, u, rows, width);
    return false;
}

/// u = W x + b, then ReLU when `relu` is set. Returns false (and leaves the
/// activation to the caller) when it could not fuse the ReLU.
inline bool forward_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                          const float* MICROPROP_RESTRICT x, float* MICROPROP_RESTRICT u, std::size_t in,
                          std::size_t out, bool relu)
{
    if (in >= 16) {
        // Sixteen inputs per block; the columns past the last full block go through forward_narrow.
        const std::size_t chunks = in / 16;
        const std::size_t tail_from = chunks * 16;
        const bool fuse = relu && tail_from == in && chunks % 2 == 0;
        const std::size_t blocks = out / 4;
        const std::size_t stride = in * sizeof(float);
        const float* row = w;
        if (blocks > 0) {
            // ReLU is fused for an even number of 16-input blocks (two per loop iteration);
            // otherwise the rows are computed plainly and the caller applies the ReLU.
            row = fuse ? vfp::forward_blocks32_relu(w, stride, x, b, u, blocks, chunks)
                       : vfp::forward_blocks16(w, stride, x, b, u, blocks, chunks);
        }
        std::size_t j = blocks * 4;
        if (out - j >= 2) {
            // Two remaining rows share the loads of x.
            vfp::forward_rows2_16(row, stride, x, b + j, u + j, chunks);
            if (fuse) {
                u[j] = u[j] <= 0.0f ? 0.0f : u[j];
                u[j + 1] = u[j + 1] <= 0.0f ? 0.0f : u[j + 1];
            }
            row += 2 * in;
            j += 2;
        }
        for (; j < out; ++j, row += in) {
            vfp::forward_row1(row, x, b + j, u + j, tail_from / 8);
            if (fuse) u[j] = u[j] <= 0.0f ? 0.0f : u[j];
        }
        if (tail_from != in && out > 0) {
            // The ReLU, when asked, as the tail's sums are stored (fuse is false here).
            return forward_narrow_rows(w + tail_from, stride, x + tail_from, u, u, out, in - tail_from, relu);
        }
        return fuse;
    }
    return out > 0 && forward_narrow_rows(w, in * sizeof(float), x, b, u, out, in, relu);
}

}  // namespace microprop::kernels::fast_vfp

#endif  // MICROPROP_KERNELS_VFP

#endif
