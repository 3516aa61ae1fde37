// Chooses the kernels the engine calls: the reference ones, or faster kernels
// with the same signatures where the target has them (fast.hpp: float kernels,
// with VLDM/VSTM inline assembly on Cortex-M cores with a single-precision FPU,
// selected by __ARM_FP / __thumb2__). Defining MICROPROP_FORCE_REFERENCE_KERNELS
// (CMake option of the same name) forces the reference path everywhere.
#ifndef MICROPROP_KERNELS_KERNELS_HPP
#define MICROPROP_KERNELS_KERNELS_HPP

#include <cstddef>

#include "../layers/activations.hpp"
#include "reference.hpp"

#if defined(MICROPROP_FORCE_REFERENCE_KERNELS) && MICROPROP_FORCE_REFERENCE_KERNELS
#define MICROPROP_KERNELS_NAME "reference"
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
#include "fast.hpp"
#if MICROPROP_KERNELS_VFP
#define MICROPROP_KERNELS_NAME "cortex-m-vfp"
#else
#define MICROPROP_KERNELS_NAME "fast-portable"
#endif
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
}  // namespace microprop::kernels::active
#endif

#endif
