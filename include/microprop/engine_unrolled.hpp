// The forward pass and the fused per-sample SGD step at compile-time sizes, for tiny float
// networks (issue 14: a 2-8-1 network is all per-call overhead in the size-erased engine).
//
// engine.hpp takes every size from the layer table at run time, so one copy of it serves every
// topology, and each layer costs a few calls (kernel, activation) whose set-up outweighs the
// work of a layer of 16 or 8 weights. Here the layer loop is a template recursion over the
// network's constexpr layer table: sizes and offsets are constants, the compiler unrolls the
// loops, and only the activations the network uses are linked. The code grows with the network,
// so it is used only up to MICROPROP_UNROLLED_MAX_PARAMETERS parameters. Same arithmetic as
// the reference kernels (sums in input order, the same activations as the fast kernels), except that
// weight decay scales the layer first and then subtracts the step (two roundings, not one).
#ifndef MICROPROP_ENGINE_UNROLLED_HPP
#define MICROPROP_ENGINE_UNROLLED_HPP

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "config.hpp"
#include "engine.hpp"
#include "kernels/common/exp_float.hpp"
#include "kernels/select_float.hpp"
#include "scalar.hpp"
#include "topology.hpp"

/// Float networks without tied layers and with at most this many parameters run their forward
/// pass (network::forward, every training step) and their fused per-sample SGD step through
/// engine::unrolled. 0 turns the unrolled path off. Each such network adds its own code (about
/// 0.5 KB for a 2-8-1 network on the M4F) but none of the size-erased kernels.
#ifndef MICROPROP_UNROLLED_MAX_PARAMETERS
#define MICROPROP_UNROLLED_MAX_PARAMETERS 64
#endif

namespace microprop::engine::unrolled {

/// True when network type Net uses the unrolled path (see MICROPROP_UNROLLED_MAX_PARAMETERS).
template <class Net>
constexpr bool applies = std::is_same<typename Net::scalar, float>::value && !Net::has_tied_layers &&
                         Net::parameter_count <= MICROPROP_UNROLLED_MAX_PARAMETERS;

#if defined(__GNUC__) && defined(__arm__)
/// On the entry points (Arm): everything they call is inlined, so the activations' kind switches
/// fold to the one kind each layer has (the others are not linked).
#define MICROPROP_UNROLLED_FLATTEN __attribute__((flatten))
#define MICROPROP_UNROLLED_OUT_OF_LINE
#elif defined(__GNUC__)
#define MICROPROP_UNROLLED_FLATTEN
/// Elsewhere the activations stay calls: the vector kernels inlined at constant sizes set off
/// GCC's loop warnings for their dead tails.
#define MICROPROP_UNROLLED_OUT_OF_LINE __attribute__((noinline))
#else
#define MICROPROP_UNROLLED_FLATTEN
#define MICROPROP_UNROLLED_OUT_OF_LINE
#endif

/// 1 / (1 + e^-x) with the e^x of kernels::exp_inline, without its out-of-line edge cases
/// (kernels::detail::exp_edge, 252 B on the M4F); the unrolled layers use it on Arm: for -x <= -86, e^-x < 2^-124 and the result
/// rounds to 1; for -x >= 88 (x <= -88) it is e^x < 6.1e-39, flushed to 0 (the reference,
/// 1 / (1 + expf(-x)), gives 0 from x < -88.73 on); a NaN stays NaN.
MICROPROP_ALWAYS_INLINE float sigmoid(float x)
{
    float t = -x;
    if (!(t < 88.0f)) return x != x ? x : 0.0f;
    t = t > -86.0f ? t : -86.0f;
    std::int32_t n;
    const float p = kernels::detail::exp_mantissa(t, n);
    return 1.0f / (1.0f + kernels::detail::scale_by_power_of_two(p, n));
}

/// kernels::active::activate on a layer's outputs.
MICROPROP_UNROLLED_OUT_OF_LINE inline void activate(activation_kind kind, float parameter, float* z, std::size_t n)
{
#if defined(__arm__)
    if (kind == activation_kind::sigmoid) {
        for (std::size_t i = 0; i < n; ++i) z[i] = sigmoid(z[i]);
        return;
    }
#endif
    kernels::active::activate(kind, parameter, z, n);
}
/// kernels::active::activation_backward on g, from the layer's outputs z.
MICROPROP_UNROLLED_OUT_OF_LINE inline void activation_backward(activation_kind kind, float parameter, const float* z,
                                                               float* g, std::size_t n)
{
    kernels::active::activation_backward(kind, parameter, z, g, n);
}

/// z^(l) = f(W^(l) z^(l-1) + b^(l)) for layers L.. of Net, z^(L-1) = in (DL 4.14a).
template <class Net, std::size_t L>
MICROPROP_ALWAYS_INLINE void forward_from(const model_ref<float>& m, const float* in)
{
    constexpr layer_info layer = Net::layers[L];
    const float* w = m.parameters + layer.weight_offset;
    const float* b = m.parameters + layer.bias_offset;
    float* z = m.activations + layer.output_offset;
    for (std::size_t j = 0; j < layer.outputs; ++j) {
        float acc = b[j];
#pragma GCC unroll 64
        for (std::size_t i = 0; i < layer.inputs; ++i) acc += w[j * layer.inputs + i] * in[i];
        z[j] = acc;
    }
    activate(layer.activation, layer.activation_parameter, z, layer.outputs);
    if constexpr (L + 1 < Net::layer_count) forward_from<Net, L + 1>(m, z);
}

/// The forward pass of Net on x (engine::forward).
template <class Net>
MICROPROP_UNROLLED_FLATTEN void forward(const model_ref<float>& m, const float* x)
{
    forward_from<Net, 0>(m, x);
}

/// With gradient clipping: rate *= min(1, clip / (||delta|| sqrt(||z||^2 + 1))), the layer's
/// gradient delta z^T (and delta for the bias) being rank one. False when a norm is not finite.
/// Out of line and shared by every layer and network: it runs only when clipping is on.
#if defined(__GNUC__)
__attribute__((noinline))
#endif
inline bool clipped_rate(const float* delta, std::size_t out, const float* z, std::size_t in, float clip, float& rate)
{
    const float delta_norm = robust_norm(delta, out, false);
    const float in_norm = robust_norm(z, in, true);
    if (!scalar_ops<float>::is_finite(delta_norm) || !scalar_ops<float>::is_finite(in_norm)) return false;
    const float norm = delta_norm * in_norm;  // may overflow to inf: then the rate is 0
    if (norm > clip) rate = rate * (clip / norm);
    return true;
}

/// Layer L's input: x for the first layer, else the output of layer L - 1.
template <class Net, std::size_t L>
MICROPROP_ALWAYS_INLINE const float* layer_input(const model_ref<float>& m, const float* x)
{
    if constexpr (L == 0) {
        return x;
    } else {
        return m.activations + Net::layers[L - 1].output_offset;
    }
}

/// engine::backward_sgd (clip == 0) and engine::backward_sgd_clipped (clip > 0) for layers
/// L down to 0: delta holds layer L's delta, scratch as many values as the widest layer (both
/// overwritten). Each layer passes W^T delta down with its weights before the update, then
/// takes W -= rate delta z^T, b -= rate delta (after scaling both by 1 - rate decay when decay
/// is not 0). With clipping, rate = lr min(1, clip / (||delta|| sqrt(||z||^2 + 1))); returns
/// false, with layer L and those below untouched, when that norm is not finite.
template <class Net, std::size_t L>
MICROPROP_ALWAYS_INLINE bool backward_from(const model_ref<float>& m, const float* x, float* delta, float* scratch,
                                          float lr, float decay, float clip)
{
    constexpr layer_info layer = Net::layers[L];
    constexpr std::size_t in = layer.inputs;
    constexpr std::size_t out = layer.outputs;
    float* w = m.parameters + layer.weight_offset;
    float* b = m.parameters + layer.bias_offset;
    const float* z = layer_input<Net, L>(m, x);
    float rate = lr;
    if (clip != 0.0f && !clipped_rate(delta, out, z, in, clip, rate)) return false;
    if constexpr (L > 0) {
#pragma GCC unroll 64
        for (std::size_t i = 0; i < in; ++i) scratch[i] = 0.0f;
    }
    // With weight decay W^T delta is taken from the weights on entry, then the layer is scaled by
    // 1 - rate decay (the biases follow the weights), and the loop below subtracts the step. Its
    // sums from the scaled weights are then replaced by those from the weights on entry.
    float entry_sums[L > 0 ? in : 1];
    if (decay != 0.0f) {
        static_assert(layer.bias_offset == layer.weight_offset + in * out, "Biases must follow their weights.");
        if constexpr (L > 0) {
#pragma GCC unroll 1
            for (std::size_t i = 0; i < in; ++i) entry_sums[i] = 0.0f;
#pragma GCC unroll 1
            for (std::size_t j = 0; j < out; ++j) {
#pragma GCC unroll 1
                for (std::size_t i = 0; i < in; ++i) entry_sums[i] += w[j * in + i] * delta[j];
            }
        }
        const float keep = 1.0f - rate * decay;
#pragma GCC unroll 1
        for (std::size_t k = 0; k < in * out + out; ++k) w[k] *= keep;
    }
    for (std::size_t j = 0; j < out; ++j) {
        const float dj = delta[j];
        const float step = rate * dj;
        float* row = w + j * in;
#pragma GCC unroll 64
        for (std::size_t i = 0; i < in; ++i) {
            if constexpr (L > 0) scratch[i] += row[i] * dj;
            row[i] -= step * z[i];
        }
        b[j] -= step;
    }
    if constexpr (L > 0) {
        if (decay != 0.0f) {
#pragma GCC unroll 1
            for (std::size_t i = 0; i < in; ++i) scratch[i] = entry_sums[i];
        }
        constexpr layer_info below = Net::layers[L - 1];
        activation_backward(below.activation, below.activation_parameter, m.activations + below.output_offset,
                            scratch, in);
        return backward_from<Net, L - 1>(m, x, scratch, delta, lr, decay, clip);
    } else {
        return true;
    }
}

/// backward_from for every layer of Net: the fused SGD step after forward() on x, with the
/// output delta in `delta`.
template <class Net>
MICROPROP_UNROLLED_FLATTEN bool backward_sgd(const model_ref<float>& m, const float* x, float* delta, float* scratch,
                                             float lr, float decay, float clip)
{
    return backward_from<Net, Net::layer_count - 1>(m, x, delta, scratch, lr, decay, clip);
}

#undef MICROPROP_UNROLLED_FLATTEN
#undef MICROPROP_UNROLLED_OUT_OF_LINE

}  // namespace microprop::engine::unrolled

#endif
