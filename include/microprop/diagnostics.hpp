// Per-layer gradient diagnostics: seeing vanishing and exploding gradients (DL 4.5).
//
// The forward pass is bounded by the non-linearities but the backward pass is
// linear in the deltas, so over many layers the deltas shrink or grow by the
// product of the f' factors (at most 1/4 per sigmoid layer). These functions
// report, layer by layer, how large the gradient that reaches it is.
#ifndef MICROPROP_DIAGNOSTICS_HPP
#define MICROPROP_DIAGNOSTICS_HPP

#include <array>
#include <cstddef>

#include "scalar.hpp"
#include "size_check.hpp"
#include "span.hpp"
#include "status.hpp"
#include "trainer.hpp"

namespace microprop {

/// Gradient size of one dense layer for one sample.
template <class T>
struct layer_gradient_stats {
    T weight_norm = T(0);  ///< ||dE/dW^(l)||_2 (Frobenius)
    T weight_rms = T(0);   ///< ||dE/dW^(l)||_2 / sqrt(inputs * outputs)
    T bias_norm = T(0);    ///< ||dE/db^(l)||_2 = ||delta^(l)||_2
};

/// Backpropagates one sample and summarises the gradient of every dense layer
/// into `stats` (index 0 = the layer nearest the input). `gradient_scratch`
/// holds Network::parameter_count values. Parameters are not changed. A tied layer and
/// its source report the same weight figures: the shared matrix's gradient, both uses summed.
/// Unchecked: x and d must point at input_size and output_size values (the checked forms
/// below take arrays or spans).
template <class Loss, class Network>
[[nodiscard]] status layer_gradient_norms_unchecked(
    Network& net, const typename Network::scalar* x, const typename Network::scalar* d,
    span<typename Network::scalar> gradient_scratch,
    std::array<layer_gradient_stats<typename Network::scalar>, Network::layer_count>& stats)
{
    using T = typename Network::scalar;
    using ops = scalar_ops<T>;
    MICROPROP_CHECK(gradient_scratch.size() >= Network::parameter_count, "gradient scratch too small");
    trainer<Network, Loss, sgd> backprop(net);
    const status s = backprop.compute_gradient_unchecked(x, d, gradient_scratch.data());
    if (s != status::ok) return s;
    for (std::size_t l = 0; l < Network::layer_count; ++l) {
        const layer_info& layer = Network::layers[l];
        T weights = T(0);
        for (std::size_t k = 0; k < layer.inputs * layer.outputs; ++k) {
            const T g = gradient_scratch[layer.weight_offset + k];
            weights += g * g;
        }
        T biases = T(0);
        for (std::size_t k = 0; k < layer.outputs; ++k) {
            const T g = gradient_scratch[layer.bias_offset + k];
            biases += g * g;
        }
        stats[l].weight_norm = ops::sqrt(weights);
        stats[l].weight_rms = ops::sqrt(weights / static_cast<T>(layer.inputs * layer.outputs));
        stats[l].bias_norm = ops::sqrt(biases);
    }
    return status::ok;
}

/// layer_gradient_norms_unchecked() on `std::array`s or C arrays of the network's widths
/// (checked at compile time, array_length_must_match).
template <class Loss, class Network, class Input, class Target,
          detail::if_fixed<typename Network::scalar, Input, Target> = 0>
[[nodiscard]] status layer_gradient_norms(
    Network& net, const Input& x, const Target& d, span<typename Network::scalar> gradient_scratch,
    std::array<layer_gradient_stats<typename Network::scalar>, Network::layer_count>& stats)
{
    static_assert(detail::sample_fits<Network, Input, Target>(), "");
    return layer_gradient_norms_unchecked<Loss>(net, detail::first_of(x), detail::first_of(d), gradient_scratch, stats);
}

/// layer_gradient_norms_unchecked() on spans: status::size_mismatch, nothing written, unless
/// `x.size() == input_size` and `d.size() == output_size`.
template <class Loss, class Network>
[[nodiscard]] status layer_gradient_norms(
    Network& net, span<const typename Network::scalar> x, span<const typename Network::scalar> d,
    span<typename Network::scalar> gradient_scratch,
    std::array<layer_gradient_stats<typename Network::scalar>, Network::layer_count>& stats)
{
    if (x.size() != Network::input_size || d.size() != Network::output_size) return status::size_mismatch;
    return layer_gradient_norms_unchecked<Loss>(net, x.data(), d.data(), gradient_scratch, stats);
}

}  // namespace microprop

#endif
