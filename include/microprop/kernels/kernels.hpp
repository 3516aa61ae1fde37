// Chooses the kernels the engine calls: the reference ones, or faster kernels
// with the same signatures where the target has them. Defining
// MICROPROP_FORCE_REFERENCE_KERNELS forces the reference path everywhere.
#ifndef MICROPROP_KERNELS_KERNELS_HPP
#define MICROPROP_KERNELS_KERNELS_HPP

#include "reference.hpp"

namespace microprop::kernels::active {
using reference::dense_accumulate_gradient;
using reference::dense_backward_input;
using reference::dense_backward_input_batch;
using reference::dense_backward_sgd;
using reference::dense_forward;
using reference::dense_forward_batch;
using reference::dense_gradient_batch;
}  // namespace microprop::kernels::active

#endif
