// The float back-end: which kernel `kernels::active::X` (what engine, trainer and layer objects
// call) resolves to. This file is the one place that chooses; the operations' folders hold the
// variants (README.md in this folder has the table).
//
//   reference      MICROPROP_FORCE_REFERENCE_KERNELS=1: the reference kernels (<op>/reference.hpp)
//                  everywhere, the specification every other back-end must match.
//   cortex-m-vfp   MICROPROP_KERNELS_VFP (config.hpp: Cortex-M with a 32-register single-precision
//                  FPU, hard float, M4F/M7/M33): the VLDM/VSTM kernels (<op>/vfp.hpp).
//   fast-portable  otherwise, with the vector kernels where MICROPROP_KERNELS_SIMD (select_simd.hpp:
//                  SSE2/AVX/AVX-512, NEON, Helium) holds (<op>/simd.hpp, adapted below), else plain
//                  loops (<op>/portable.hpp).
//
// The non-reference back-ends share one front, namespace kernels::fast (<op>/fast.hpp): the
// reference signatures templated on the scalar type, which send float to the hooks of the
// namespace chosen here as fast::backend (fast_vfp, fast_simd or fast_portable; a back-end
// borrows fast_portable's hook where it has none of its own) and every other type to the
// reference kernels. On Arm every back-end takes ReLU on the sign bit (activation/arm.hpp).
#ifndef MICROPROP_KERNELS_SELECT_FLOAT_HPP
#define MICROPROP_KERNELS_SELECT_FLOAT_HPP

#include <cstddef>

#include "../config.hpp"
#include "../layers/activations.hpp"
#include "dense_backward/reference.hpp"
#include "dense_batch/reference.hpp"
#include "dense_forward/reference.hpp"
#include "dense_gradient/reference.hpp"
#include "dense_sgd/reference.hpp"
#include "sparse_forward/reference.hpp"

#include "select_simd.hpp"
#include "dense_forward/portable.hpp"
#include "dense_sgd/portable.hpp"
#include "rows/portable.hpp"
#include "dense_batch/portable.hpp"
#include "softmax/portable.hpp"
#include "activation/portable.hpp"
#include "activation/arm.hpp"

#if defined(__arm__)
/// The plain-loop back-end takes the sign-bit ReLU on Arm.
namespace microprop::kernels::fast_portable {
using arm_bits::relu;
using arm_bits::relu_backward;
}  // namespace microprop::kernels::fast_portable
#endif

#if defined(MICROPROP_FORCE_REFERENCE_KERNELS) && MICROPROP_FORCE_REFERENCE_KERNELS
#define MICROPROP_KERNELS_NAME "reference"
#define MICROPROP_KERNELS_VECTOR 0
// kernels::active names the reference kernels (below); the fast front still compiles, on the
// plain loops, so that each of its headers compiles on its own.
namespace microprop::kernels::fast {
namespace backend = fast_portable;
}
#elif MICROPROP_KERNELS_VFP
#define MICROPROP_KERNELS_NAME "cortex-m-vfp"
#define MICROPROP_KERNELS_VECTOR 0
#include "dense_batch/vfp.hpp"
#include "dense_forward/vfp.hpp"
#include "dense_sgd/vfp.hpp"
#include "rows/vfp.hpp"
#include "softmax/vfp.hpp"
#include "sparse_forward/vfp.hpp"
/// The VLDM/VSTM back-end's hooks: its own, and fast_portable's where it has none.
namespace microprop::kernels::fast_vfp {
using arm_bits::relu;
using arm_bits::relu_backward;
using fast_portable::forward_softmax_float;
using fast_portable::sigmoid_float;
using fast_portable::sigmoid_or_tanh_backward_float;
using fast_portable::softmax_columns_float;
}  // namespace microprop::kernels::fast_vfp
namespace microprop::kernels::fast {
namespace backend = fast_vfp;
}
#elif MICROPROP_KERNELS_SIMD
#define MICROPROP_KERNELS_NAME "fast-portable"
#define MICROPROP_KERNELS_VECTOR 1
/// The fast front's hooks on the vector kernels (simd_dispatch): the per-op simd.hpp files hold
/// the kernels, these lines only adapt them to the hooks' signatures.
namespace microprop::kernels::fast_simd {
using simd_dispatch::add_scaled_row;
using simd_dispatch::row_dot;
#if defined(__arm__)
using arm_bits::relu;  // Helium (M55): the sign-bit ReLU of every Arm back-end
using arm_bits::relu_backward;
#else
using simd_dispatch::relu;
using simd_dispatch::relu_backward;
#endif
using fast_portable::has_contiguous_softmax;

/// u = W x + b, then ReLU when `relu` is set (always fused here).
inline bool forward_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                          const float* MICROPROP_RESTRICT x, float* MICROPROP_RESTRICT u, std::size_t in,
                          std::size_t out, bool relu)
{
    simd_dispatch::forward(w, b, x, u, in, out, relu);
    return relu;
}
/// The first layer's update (no g_in), as fast_portable::update_float.
inline void update_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                         const float* MICROPROP_RESTRICT x, const float* MICROPROP_RESTRICT delta,
                         std::size_t in, std::size_t out, float lr, const float* relu_z = nullptr)
{
    simd_dispatch::update(w, b, x, delta, in, out, lr, relu_z);
}
/// The first layer's update below a ReLU: update_float with relu_z = z.
MICROPROP_ALWAYS_INLINE void update_below_relu_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                                                     const float* MICROPROP_RESTRICT x,
                                                     const float* MICROPROP_RESTRICT delta,
                                                     const float* MICROPROP_RESTRICT z, std::size_t in,
                                                     std::size_t out, float lr)
{
    simd_dispatch::update(w, b, x, delta, in, out, lr, z);
}
/// g_in = W^T delta with the weights on entry, W -= lr delta x^T, b -= lr delta.
inline void backward_update_float(float* MICROPROP_RESTRICT w, float* MICROPROP_RESTRICT b,
                                  const float* MICROPROP_RESTRICT x, const float* MICROPROP_RESTRICT delta,
                                  float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out, float lr)
{
    simd_dispatch::backward_update(w, b, x, delta, g_in, in, out, lr);
}
/// z <- 1 / (1 + e^-z).
MICROPROP_ALWAYS_INLINE void sigmoid_float(float* z, std::size_t n) { simd_dispatch::sigmoid(z, n); }
/// g <- g z (1 - z) (sigmoid) or g (1 - z^2) (tanh).
MICROPROP_ALWAYS_INLINE void sigmoid_or_tanh_backward_float(const float* MICROPROP_RESTRICT z, float* MICROPROP_RESTRICT g,
                                                            std::size_t n, bool tanh_kind)
{
    simd_dispatch::sigmoid_or_tanh_backward(z, g, n, tanh_kind);
}
/// softmax over n values `stride` apart: the vector kernel for contiguous values.
MICROPROP_ALWAYS_INLINE void softmax_strided_float(float* z, std::size_t n, std::size_t stride)
{
    if (stride == 1) {
        simd_dispatch::softmax(z, n);
        return;
    }
    fast_portable::softmax_strided_float(z, n, stride);
}
/// softmax over n contiguous values.
MICROPROP_ALWAYS_INLINE void softmax_float(float* z, std::size_t n) { softmax_strided_float(z, n, 1); }
/// Softmax of every column of a minibatch: true, done.
MICROPROP_ALWAYS_INLINE bool softmax_columns_float(float* z, std::size_t rows, std::size_t n)
{
    simd_dispatch::softmax_columns(z, rows, n);
    return true;
}
/// softmax(W x + b) with the logits in registers, for out <= 16; false otherwise.
MICROPROP_ALWAYS_INLINE bool forward_softmax_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                                                   const float* MICROPROP_RESTRICT x, float* MICROPROP_RESTRICT z,
                                                   std::size_t in, std::size_t out)
{
    return simd_dispatch::forward_softmax(w, b, x, z, in, out);
}
/// U = W X + b 1^T: samples as rows (the first layer) or X as `[in][n]`; the reference for other strides.
MICROPROP_ALWAYS_INLINE void forward_batch_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                                                const float* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                                                float* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
    if (x_row == 1) {
        simd_dispatch::forward_batch_samples(w, b, x, x_col, u, in, out, n);
        return;
    }
    if (x_col == 1) {
        // U_j = b_j 1^T + sum_i W(j, i) X_i.
        simd_dispatch::combine_rows(w, in, 1, b, x, x_row, u, out, in, n);
        return;
    }
    reference::dense_forward_batch(w, b, x, x_row, x_col, u, in, out, n);
}
/// G_in = W^T Delta.
MICROPROP_ALWAYS_INLINE void backward_input_batch_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT delta,
                                                       float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out,
                                                       std::size_t n)
{
    // G_i = sum_j W(j, i) Delta_j.
    simd_dispatch::combine_rows(w, 1, in, static_cast<const float*>(nullptr), delta, n, g_in, in, out, n);
}
/// dW (dW(j, i) at gw[j * w_row + i * w_col]) = scale Delta X^T, db = scale Delta 1, or added to
/// gw and gb with `add`, on the target's row kernels; false (nothing done) where they do not
/// cover the shapes.
MICROPROP_ALWAYS_INLINE bool gradient_batch_float(const float* MICROPROP_RESTRICT delta, const float* MICROPROP_RESTRICT x,
                                 std::size_t x_row, std::size_t x_col, float* MICROPROP_RESTRICT gw, std::size_t w_row,
                                 std::size_t w_col, float* MICROPROP_RESTRICT gb, std::size_t in, std::size_t out,
                                 std::size_t n, float scale, bool add)
{
    if (x_row == 1 && w_col == 1) {
        simd_dispatch::gradient_batch_samples(delta, x, x_col, gw, gb, in, out, n, scale, add);
        return true;
    }
    if (x_col == 1 && x_row == n) {
        simd_dispatch::gradient_batch_rows(delta, x, gw, w_row, w_col, gb, in, out, n, scale, add);
        return true;
    }
    return false;
}
/// A tied layer's U = W X + b 1^T for X as `[in][n]`; the reference otherwise.
MICROPROP_ALWAYS_INLINE void forward_batch_transposed_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT b,
                                                const float* MICROPROP_RESTRICT x, std::size_t x_row, std::size_t x_col,
                                                float* MICROPROP_RESTRICT u, std::size_t in, std::size_t out, std::size_t n)
{
    if (x_col == 1) {
        simd_dispatch::combine_rows(w, 1, out, b, x, x_row, u, out, in, n);
        return;
    }
    reference::dense_forward_batch_transposed(w, b, x, x_row, x_col, u, in, out, n);
}
/// A tied layer's G_in = W^T Delta.
MICROPROP_ALWAYS_INLINE void backward_input_batch_transposed_float(const float* MICROPROP_RESTRICT w, const float* MICROPROP_RESTRICT delta,
                                                       float* MICROPROP_RESTRICT g_in, std::size_t in, std::size_t out,
                                                       std::size_t n)
{
    simd_dispatch::combine_rows(w, out, 1, static_cast<const float*>(nullptr), delta, n, g_in, in, out, n);
}
}  // namespace microprop::kernels::fast_simd
namespace microprop::kernels::fast {
namespace backend = fast_simd;
}
#else
#define MICROPROP_KERNELS_NAME "fast-portable"
#define MICROPROP_KERNELS_VECTOR 0
namespace microprop::kernels::fast {
namespace backend = fast_portable;
}
#endif

#include "activation/fast.hpp"
#include "dense_backward/fast.hpp"
#include "dense_batch/fast.hpp"
#include "dense_forward/fast.hpp"
#include "dense_gradient/fast.hpp"
#include "dense_sgd/fast.hpp"
#include "softmax/fast.hpp"

#if defined(MICROPROP_FORCE_REFERENCE_KERNELS) && MICROPROP_FORCE_REFERENCE_KERNELS
namespace microprop::kernels::active {
using reference::dense_accumulate_gradient;
using reference::dense_accumulate_gradient_transposed;
using reference::dense_add_gradient_batch;
using reference::dense_backward_input;
using reference::dense_backward_input_transposed;
using reference::dense_backward_input_batch;
using reference::dense_backward_input_batch_transposed;
using reference::dense_backward_sgd;
using reference::dense_backward_sgd_transposed;
using reference::dense_forward;
using reference::dense_forward_transposed;
using reference::dense_forward_batch;
using reference::dense_forward_batch_transposed;
using reference::dense_gradient_batch;
using reference::sparse_forward;

template <class T>
void activate(activation_kind kind, T parameter, T* z, std::size_t n)
{
    activation::apply(kind, parameter, z, n);
}
template <class T>
void activation_backward(activation_kind kind, T parameter, const T* z, T* g, std::size_t n)
{
    activation::backward(kind, parameter, z, g, n);
}
template <class T>
void softmax_strided(T* z, std::size_t n, std::size_t stride)
{
    activation::softmax_strided(z, n, stride);
}
template <class T>
void softmax_columns(T* z, std::size_t rows, std::size_t n)
{
    for (std::size_t s = 0; s < n; ++s) activation::softmax_strided(z + s, rows, n);
}
template <class T>
void dense_update_below_relu(T* MICROPROP_RESTRICT w, T* MICROPROP_RESTRICT b, const T* MICROPROP_RESTRICT x,
                             T* MICROPROP_RESTRICT g, const T* MICROPROP_RESTRICT z, std::size_t in,
                             std::size_t out, T lr, T decay)
{
    activation::backward(activation_kind::relu, T(0), z, g, out);
    reference::dense_backward_sgd(w, b, x, g, static_cast<T*>(nullptr), in, out, lr, decay);
}
template <class T>
void dense_forward_activate(const T* MICROPROP_RESTRICT w, const T* MICROPROP_RESTRICT b,
                            const T* MICROPROP_RESTRICT x, T* MICROPROP_RESTRICT z, std::size_t in,
                            std::size_t out, activation_kind kind, T parameter)
{
    reference::dense_forward(w, b, x, z, in, out);
    activation::apply(kind, parameter, z, out);
}
}  // namespace microprop::kernels::active
#else

namespace microprop::kernels::active {
using fast::activate;
using fast::activation_backward;
using fast::dense_accumulate_gradient;
using fast::dense_accumulate_gradient_transposed;
using fast::dense_add_gradient_batch;
using fast::dense_backward_input;
using fast::dense_backward_input_transposed;
using fast::dense_backward_input_batch;
using fast::dense_backward_input_batch_transposed;
using fast::dense_backward_sgd;
using fast::dense_backward_sgd_transposed;
using fast::dense_forward;
using fast::dense_forward_transposed;
using fast::dense_forward_activate;
using fast::dense_update_below_relu;
using fast::dense_forward_batch;
using fast::dense_forward_batch_transposed;
using fast::dense_gradient_batch;
using fast::softmax_columns;
using fast::softmax_strided;
#if MICROPROP_KERNELS_VFP
using fast_vfp::sparse_forward;
#else
using reference::sparse_forward;
#endif
}  // namespace microprop::kernels::active
#endif

#endif
