// Forward and backward passes over a network's layer table.
//
// These functions are templated on the scalar type only: a network type is a
// thin wrapper that hands them its layer table and buffers, so every topology
// shares one copy of this code in flash. `Tied` (set for networks with tied
// layers) adds the transposed-weight branches; networks without ties neither
// test for them nor link their kernels.
#ifndef MICROPROP_ENGINE_HPP
#define MICROPROP_ENGINE_HPP

#include <cstddef>
#include <limits>

#include "kernels/select_float.hpp"
#include "layers/activations.hpp"
#include "scalar.hpp"
#include "topology.hpp"

namespace microprop {

/// A network's layer table and buffers, without its compile-time sizes.
template <class T>
struct model_ref {
    /// The layer table (layer_count entries).
    const layer_info* layers;
    /// Dense layers.
    std::size_t layer_count;
    /// Weights and biases, in the network's parameter order.
    T* parameters;
    T* activations;  ///< outputs z^(l) of every layer, layer after layer
};

namespace engine {

/// z^(l) = f(W^(l) z^(l-1) + b^(l)) for every layer, z^(0) = x (DL 4.14a).
template <class T, bool Tied = false>
void forward(const model_ref<T>& m, const T* x)
{
    const T* in = x;
    for (std::size_t l = 0; l < m.layer_count; ++l) {
        const layer_info& layer = m.layers[l];
        T* out = m.activations + layer.output_offset;
        if (Tied && layer.transposed) {
            kernels::active::dense_forward_transposed(m.parameters + layer.weight_offset,
                                                      m.parameters + layer.bias_offset, in, out, layer.inputs,
                                                      layer.outputs);
            kernels::active::activate(layer.activation, static_cast<T>(layer.activation_parameter), out,
                                      layer.outputs);
        } else {
            kernels::active::dense_forward_activate(m.parameters + layer.weight_offset,
                                                    m.parameters + layer.bias_offset, in, out, layer.inputs,
                                                    layer.outputs, layer.activation,
                                                    static_cast<T>(layer.activation_parameter));
        }
        in = out;
    }
}

template <class T>
const T* layer_input(const model_ref<T>& m, const T* x, std::size_t l)
{
    return l == 0 ? x : m.activations + m.layers[l - 1].output_offset;
}

/// True when a later tied layer uses layer l's weights.
template <class T>
bool shares_weights(const model_ref<T>& m, std::size_t l)
{
    for (std::size_t k = l + 1; k < m.layer_count; ++k) {
        if (m.layers[k].transposed && m.layers[k].weight_source == l) return true;
    }
    return false;
}

/// delta^(l-1) = f'(u^(l-1)) * (W^(l)^T delta^(l)) (DL 4.13), from g = W^T delta.
template <class T>
void hidden_delta_from(const model_ref<T>& m, std::size_t l, T* g)
{
    const layer_info& below = m.layers[l - 1];
    kernels::active::activation_backward(below.activation, static_cast<T>(below.activation_parameter),
                                         m.activations + below.output_offset, g, below.outputs);
}

/// Backpropagates the output delta (in `delta`, overwritten) and adds
/// scale * dE/dtheta to `gradient` (same layout as the parameters).
/// `scratch` holds as many values as the widest layer. Needs a forward pass on x first.
template <class T, bool Tied = false>
void backward_accumulate(const model_ref<T>& m, const T* x, T* delta, T* scratch, T* gradient,
                         T scale)
{
    for (std::size_t l = m.layer_count; l-- > 0;) {
        const layer_info& layer = m.layers[l];
        if (Tied && layer.transposed) {
            // Adds into the shared matrix's gradient, which the source layer adds to later.
            kernels::active::dense_accumulate_gradient_transposed(delta, layer_input(m, x, l),
                                                                  gradient + layer.weight_offset,
                                                                  gradient + layer.bias_offset, layer.inputs,
                                                                  layer.outputs, scale);
            kernels::active::dense_backward_input_transposed(m.parameters + layer.weight_offset, delta, scratch,
                                                             layer.inputs, layer.outputs);
        } else {
            kernels::active::dense_accumulate_gradient(delta, layer_input(m, x, l),
                                                       gradient + layer.weight_offset,
                                                       gradient + layer.bias_offset, layer.inputs,
                                                       layer.outputs, scale);
            if (l == 0) break;
            kernels::active::dense_backward_input(m.parameters + layer.weight_offset, delta, scratch,
                                                  layer.inputs, layer.outputs);
        }
        hidden_delta_from(m, l, scratch);
        T* swap = delta;
        delta = scratch;
        scratch = swap;
    }
}

/// Backpropagation with per-sample SGD fused in: each layer's weights are
/// updated right after they have passed the delta down, so no gradient buffer
/// is needed. Exact for tied layers whose source is layer 0 (the first layer
/// passes nothing down); see network::ties_past_first_layer.
template <class T, bool Tied = false>
void backward_sgd(const model_ref<T>& m, const T* x, T* delta, T* scratch, T learning_rate,
                  T weight_decay)
{
    for (std::size_t l = m.layer_count; l-- > 0;) {
        const layer_info& layer = m.layers[l];
        if (Tied && layer.transposed) {
            kernels::active::dense_backward_sgd_transposed(m.parameters + layer.weight_offset,
                                                           m.parameters + layer.bias_offset, layer_input(m, x, l),
                                                           delta, scratch, layer.inputs, layer.outputs,
                                                           learning_rate, weight_decay);
        } else {
            kernels::active::dense_backward_sgd(m.parameters + layer.weight_offset,
                                                m.parameters + layer.bias_offset, layer_input(m, x, l),
                                                delta, l == 0 ? nullptr : scratch, layer.inputs,
                                                layer.outputs, learning_rate, weight_decay);
        }
        if (l == 0) break;
        if (l == 1 && m.layers[0].activation == activation_kind::relu) {
            // The first layer's update applies the ReLU derivative as it goes.
            const layer_info& first = m.layers[0];
            kernels::active::dense_update_below_relu(m.parameters + first.weight_offset,
                                                     m.parameters + first.bias_offset, x, scratch,
                                                     m.activations + first.output_offset, first.inputs,
                                                     first.outputs, learning_rate, weight_decay);
            break;
        }
        hidden_delta_from(m, l, scratch);
        T* swap = delta;
        delta = scratch;
        scratch = swap;
    }
}

/// u = W z + b of the last layer, recomputed from its input `in` (values `stride` apart)
/// into `u`: what the exact loss needs where the output saturated. Plain loops: it runs
/// only for such samples.
template <class T, bool Tied = false>
void output_preactivation(const model_ref<T>& m, const T* in, std::size_t stride, T* u)
{
    const layer_info& layer = m.layers[m.layer_count - 1];
    const T* w = m.parameters + layer.weight_offset;
    const T* b = m.parameters + layer.bias_offset;
    const bool transposed = Tied && layer.transposed;
    for (std::size_t j = 0; j < layer.outputs; ++j) {
        T acc = b[j];
        for (std::size_t i = 0; i < layer.inputs; ++i) {
            const T wji = transposed ? w[i * layer.outputs + j] : w[j * layer.inputs + i];
            acc += wji * in[i * stride];
        }
        u[j] = acc;
    }
}

/// ||v|| (with one more entry of value 1 when `with_one`, the bias's input): the plain sum
/// of squares, and where that overflows the same with the largest magnitude divided out
/// first. NaN when a value is NaN or infinite. (Squares that underflow are dropped: such a
/// norm is far below any clip threshold.)
template <class T>
T robust_norm(const T* v, std::size_t n, bool with_one)
{
    using ops = scalar_ops<T>;
    T sum = with_one ? T(1) : T(0);
    for (std::size_t i = 0; i < n; ++i) sum += v[i] * v[i];
    if (ops::is_finite(sum)) return ops::sqrt(sum);
    T largest = with_one ? T(1) : T(0);
    for (std::size_t i = 0; i < n; ++i) {
        if (!ops::is_finite(v[i])) return std::numeric_limits<T>::quiet_NaN();
        const T a = ops::abs(v[i]);
        largest = a > largest ? a : largest;
    }
    const T inverse = T(1) / largest;
    sum = with_one ? inverse * inverse : T(0);
    for (std::size_t i = 0; i < n; ++i) sum += (v[i] * inverse) * (v[i] * inverse);
    return largest * ops::sqrt(sum);
}

/// backward_sgd with each layer's gradient delta z^T (and delta for the bias) clipped to
/// Euclidean norm `clip`: the layer's learning rate is scaled by clip / norm where the norm
/// is larger (norm = ||delta|| sqrt(||z||^2 + 1), the gradient being rank one). Returns
/// false, and stops before updating that layer, when a layer's delta or input is not finite (the
/// layers above it have taken their clipped step).
template <class T, bool Tied = false>
#if defined(__GNUC__)
__attribute__((noinline))  // kept out of the unclipped training step
#endif
bool backward_sgd_clipped(const model_ref<T>& m, const T* x, T* delta, T* scratch, T learning_rate,
                          T weight_decay, T clip)
{
    for (std::size_t l = m.layer_count; l-- > 0;) {
        const layer_info& layer = m.layers[l];
        const T* in = layer_input(m, x, l);
        const T delta_norm = robust_norm(delta, layer.outputs, false);
        const T in_norm = robust_norm(in, layer.inputs, true);
        if (!scalar_ops<T>::is_finite(delta_norm) || !scalar_ops<T>::is_finite(in_norm)) return false;
        const T norm = delta_norm * in_norm;  // may overflow to inf: then the rate is 0
        const T rate = norm > clip ? learning_rate * (clip / norm) : learning_rate;
        if (Tied && layer.transposed) {
            kernels::active::dense_backward_sgd_transposed(m.parameters + layer.weight_offset,
                                                           m.parameters + layer.bias_offset, in, delta, scratch,
                                                           layer.inputs, layer.outputs, rate, weight_decay);
        } else {
            kernels::active::dense_backward_sgd(m.parameters + layer.weight_offset, m.parameters + layer.bias_offset,
                                                in, delta, l == 0 ? nullptr : scratch, layer.inputs, layer.outputs,
                                                rate, weight_decay);
        }
        if (l == 0) break;
        if (l == 1 && m.layers[0].activation == activation_kind::relu) {
            // As backward_sgd: the first layer's update applies the ReLU derivative (and skips
            // dead units) as it goes; its delta's norm counts the live units only.
            const layer_info& first = m.layers[0];
            const T* z = m.activations + first.output_offset;
            T live = T(0);
            for (std::size_t j = 0; j < first.outputs; ++j) live += z[j] > T(0) ? scratch[j] * scratch[j] : T(0);
            const T first_norm = scalar_ops<T>::sqrt(live) * robust_norm(x, first.inputs, true);
            if (!scalar_ops<T>::is_finite(live)) return false;
            const T first_rate = first_norm > clip ? learning_rate * (clip / first_norm) : learning_rate;
            kernels::active::dense_update_below_relu(m.parameters + first.weight_offset,
                                                     m.parameters + first.bias_offset, x, scratch, z, first.inputs,
                                                     first.outputs, first_rate, weight_decay);
            break;
        }
        hidden_delta_from(m, l, scratch);
        T* swap = delta;
        delta = scratch;
        scratch = swap;
    }
    return true;
}

// ---- Minibatch matrix form (DL 4.14a, 4.15) --------------------------------------------

/// Buffers of a minibatch pass: every layer's Z^(l) as a `[width][N]` matrix.
template <class T>
struct batch_ref {
    T* activations;  ///< layer l's Z at activations + output_offset * N
    std::size_t size;  ///< N
};

/// Forward pass of N samples; `xs` holds them one after another (`[N][inputs]`).
template <class T, bool Tied = false>
void forward_batch(const model_ref<T>& m, const batch_ref<T>& b, const T* xs)
{
    const std::size_t n = b.size;
    const T* in = xs;
    std::size_t in_row = 1;
    std::size_t in_col = m.layers[0].inputs;
    for (std::size_t l = 0; l < m.layer_count; ++l) {
        const layer_info& layer = m.layers[l];
        T* out = b.activations + layer.output_offset * n;
        if (Tied && layer.transposed) {
            kernels::active::dense_forward_batch_transposed(m.parameters + layer.weight_offset,
                                                            m.parameters + layer.bias_offset, in, in_row, in_col,
                                                            out, layer.inputs, layer.outputs, n);
        } else {
            kernels::active::dense_forward_batch(m.parameters + layer.weight_offset,
                                                 m.parameters + layer.bias_offset, in, in_row, in_col,
                                                 out, layer.inputs, layer.outputs, n);
        }
        if (layer.activation == activation_kind::softmax) {
            kernels::active::softmax_columns(out, layer.outputs, n);
        } else {
            kernels::active::activate(layer.activation, static_cast<T>(layer.activation_parameter), out,
                                      layer.outputs * n);
        }
        in = out;
        in_row = n;
        in_col = 1;
    }
}

/// Backpropagates the output deltas `[outputs][N]` (in `delta`, overwritten) and
/// writes dE/dtheta = scale * sum over samples into `gradient` (DL 4.15 with scale = 1/N).
/// `scratch` holds widest-layer x N values. Needs forward_batch on xs first.
template <class T, bool Tied = false>
void backward_batch(const model_ref<T>& m, const batch_ref<T>& b, const T* xs, T* delta,
                    T* scratch, T* gradient, T scale)
{
    const std::size_t n = b.size;
    if (Tied) {
        // A shared matrix collects the gradient of every use: every layer that uses one
        // adds into a zeroed gradient instead of overwriting its block.
        const layer_info& last = m.layers[m.layer_count - 1];
        for (std::size_t k = 0; k < last.bias_offset + last.outputs; ++k) gradient[k] = T(0);
    }
    for (std::size_t l = m.layer_count; l-- > 0;) {
        const layer_info& layer = m.layers[l];
        const bool first = l == 0;
        const T* in = first ? xs : b.activations + m.layers[l - 1].output_offset * n;
        if (Tied && (layer.transposed || shares_weights(m, l))) {
            kernels::active::dense_add_gradient_batch(delta, in, first ? 1 : n, first ? layer.inputs : 1,
                                                      gradient + layer.weight_offset, gradient + layer.bias_offset,
                                                      layer.inputs, layer.outputs, n, scale, layer.transposed);
        } else {
            kernels::active::dense_gradient_batch(delta, in, first ? 1 : n, first ? layer.inputs : 1,
                                                  gradient + layer.weight_offset,
                                                  gradient + layer.bias_offset, layer.inputs,
                                                  layer.outputs, n, scale);
        }
        if (first) break;
        if (Tied && layer.transposed) {
            kernels::active::dense_backward_input_batch_transposed(m.parameters + layer.weight_offset, delta,
                                                                   scratch, layer.inputs, layer.outputs, n);
        } else {
            kernels::active::dense_backward_input_batch(m.parameters + layer.weight_offset, delta,
                                                        scratch, layer.inputs, layer.outputs, n);
        }
        const layer_info& below = m.layers[l - 1];
        kernels::active::activation_backward(below.activation, static_cast<T>(below.activation_parameter),
                                             in, scratch, below.outputs * n);
        T* swap = delta;
        delta = scratch;
        scratch = swap;
    }
}

}  // namespace engine
}  // namespace microprop

#endif
